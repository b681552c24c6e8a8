"""Round-1 results -> invitation e-mail (zh/en, .ics in the right zone) -> the link books a
slot on the running hub -> confirmations (.ics REQUEST), reschedule and cancel (.ics CANCEL,
same UID, higher SEQUENCE) -> the interviewer's laptop pulls the interview. Real SMTP sink."""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from server.db import session_scope
from server.tables import Booking, Invitation
from tests.server.automation.kit import (
    Arrived,
    add_slots,
    automation_hub,
    import_rows,
    make_world,
    push,
    smtp_sink,
    wait_until,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _link(a: Arrived) -> str:
    m = re.search(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]+\?lang=(zh|en))", a.text)
    assert m, a.text
    return m.group(1)


def _event(a: Arrived) -> tuple[str, Any]:
    cal = a.calendar()
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return str(cal["METHOD"]), events[0]


@pytest.mark.slow
def test_invitation_booking_reschedule_cancel_end_to_end(tmp_path: Path) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink) as hub:
        w = make_world(hub)
        day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=3)
        start_sh = dt.datetime.combine(day, dt.time(10, 0), SHANGHAI)
        slots = add_slots(
            w, [start_sh, start_sh + dt.timedelta(hours=2)], "Asia/Shanghai", "会议室 A"
        )
        zh_id, en_id, low_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        import_rows(
            w,
            "candidates",
            [
                {"id": str(zh_id), "name": "王伟", "email": "wangwei@example.cn"},
                {"id": str(en_id), "name": "Anna Schmidt", "email": "anna@example.de"},
                {"id": str(low_id), "name": "Low Score", "email": "low@example.com"},
            ],
        )
        # Round 1 through the HRIS import (score vs the job's 70 % threshold) ...
        import_rows(
            w,
            "round1",
            [
                {"candidate_id": str(zh_id), "job_id": str(w.job_id), "round1_score": 85},
                {"candidate_id": str(low_id), "job_id": str(w.job_id), "round1_score": 55},
            ],
        )
        # ... and through a laptop's sync push, with competency levels (job-match rule).
        with w.client() as c:
            push(
                c,
                "application",
                {
                    "id": str(uuid.uuid4()),
                    "candidate_id": str(en_id),
                    "job_id": str(w.job_id),
                    "round": 2,
                    "status": "invited",
                    "round1_detail": {"levels": {"analysis": 7, "ownership": 5}},
                },
            )
        sink.wait(2)
        wait_until(lambda: not sink.to("low@example.com") and sink.count() >= 2)
        assert sink.to("low@example.com") == []  # 55 < 70: no invitation
        zh, en = sink.to("wangwei@example.cn"), sink.to("anna@example.de")
        assert len(zh) == 1 and len(en) == 1

        # Language: subject and body.
        assert (
            zh[0].msg["Subject"].startswith("第二轮面试邀请")
            and "数据分析师" in zh[0].msg["Subject"]
        )
        assert "王伟，您好" in zh[0].text and "会议室 A" in zh[0].text and "身份证件" in zh[0].text
        assert "AI 建议仅供参考" in zh[0].text and "您的权利" in zh[0].text  # consent notice
        assert "选择面试时间" in zh[0].html and '<html lang="zh">' in zh[0].html
        assert en[0].msg["Subject"] == "Invitation to the second-round interview: Data analyst"
        assert "Dear Anna Schmidt" in en[0].text and "How we use AI" in en[0].text
        assert "Your rights" in en[0].text and "Photo ID" in en[0].text

        # The window .ics: valid, in the slots' zone, the UTC instant right.
        method, ev = _event(zh[0])
        assert method == "PUBLISH"
        assert ev["DTSTART"].params["TZID"] == "Asia/Shanghai"
        start = ev.decoded("DTSTART")
        assert start.tzinfo is not None and start == start_sh
        assert "BEGIN:VTIMEZONE" in zh[0].calendar().to_ical().decode()

        # The link works against the running hub: GET, then book by posting its form.
        link = _link(zh[0])
        page = httpx.get(link, timeout=30)
        assert page.status_code == 200
        assert "预约第二轮面试" in page.text and 'name="viewport"' in page.text
        assert "10:00" in page.text and slots[0] in page.text
        token = link.split("/s/")[1].split("?")[0]
        r = httpx.post(
            f"{hub.url}/s/{token}/book", data={"slot_id": slots[0], "lang": "zh"}, timeout=30
        )
        assert r.status_code == 303
        booked = httpx.get(hub.url + r.headers["location"], timeout=30)
        assert "预约成功" in booked.text and "会议室 A" in booked.text

        # Confirmations with METHOD:REQUEST to the candidate (zh) and the interviewer (en).
        sink.wait(4)
        interviewer_id = w.interviewers[0][0]
        interviewer_mail = w.emails[interviewer_id]
        conf_c = sink.to("wangwei@example.cn")[1]
        conf_i = sink.to(interviewer_mail)[0]
        assert conf_c.msg["Subject"].startswith("面试已确认")
        assert conf_i.msg["Subject"].startswith("Interview confirmed: Data analyst")
        for a in (conf_c, conf_i):
            method, ev = _event(a)
            assert method == "REQUEST" and int(ev["SEQUENCE"]) == 0
            assert ev["DTSTART"].params["TZID"] == "Asia/Shanghai"
            assert ev.decoded("DTSTART").astimezone(dt.UTC) == start_sh.astimezone(dt.UTC)
        uid = str(_event(conf_c)[1]["UID"])
        assert str(_event(conf_i)[1]["UID"]) == uid

        # The interviewer's laptop receives the interview at its next sync.
        device = w.org.enrol_device(interviewer_id)
        with httpx.Client(
            base_url=hub.url,
            headers={"Authorization": f"Bearer {device.tokens.access_token}"},
            timeout=30,
        ) as dev:
            changes = dev.get("/api/v1/sync/pull").json()["changes"]
        sessions = [c for c in changes if c["entity"] == "interviewsession"]
        assert len(sessions) == 1
        sp = sessions[0]["payload"]
        assert sp["status"] == "scheduled" and sp["candidate_id"] == str(zh_id)
        assert dt.datetime.fromisoformat(sp["scheduled_at"]) == start_sh
        assert any(c["entity"] == "candidate" and c["entity_id"] == str(zh_id) for c in changes)

        # Reschedule: CANCEL (same UID, SEQUENCE 1) for the old time, REQUEST for the new one.
        r = httpx.post(
            f"{hub.url}/s/{token}/book", data={"slot_id": slots[1], "lang": "zh"}, timeout=30
        )
        assert r.status_code == 303
        sink.wait(8)
        cand = sink.to("wangwei@example.cn")
        methods = {_event(a)[0]: _event(a)[1] for a in cand[2:4]}
        assert set(methods) == {"CANCEL", "REQUEST"}
        assert str(methods["CANCEL"]["UID"]) == uid and int(methods["CANCEL"]["SEQUENCE"]) == 1
        assert str(methods["REQUEST"]["UID"]) != uid
        assert methods["REQUEST"].decoded("DTSTART") == start_sh + dt.timedelta(hours=2)
        # The second slot belongs to the other interviewer: the first gets the CANCEL.
        assert _event(sink.to(interviewer_mail)[1])[0] == "CANCEL"

        # Cancel from the page.
        r = httpx.post(f"{hub.url}/s/{token}/cancel", data={"lang": "en"}, timeout=30)
        assert r.status_code == 303
        assert "Your booking is cancelled" in httpx.get(hub.url + r.headers["location"]).text
        sink.wait(10)
        last = sink.to("wangwei@example.cn")[-1]
        method, ev = _event(last)
        assert method == "CANCEL" and str(ev["UID"]) == str(methods["REQUEST"]["UID"])
        assert int(ev["SEQUENCE"]) == 1
        with session_scope(hub.engine) as s:
            bookings = s.exec(select(Booking)).all()
            assert sorted(b.status for b in bookings) == ["cancelled", "cancelled"]
            assert all(b.active_slot is None for b in bookings)
            inv = s.exec(select(Invitation).where(Invitation.candidate_ref == zh_id)).one()
            assert inv.language == "zh"

        # The notifications log, per candidate, for HR.
        with w.org.client(w.hr[1]) as c:
            log = c.get("/api/v1/automation/notifications", params={"candidate_id": str(zh_id)})
        assert log.status_code == 200, log.text
        rows = log.json()
        kinds = [(x["kind"], x["recipient"], x["result"]) for x in rows]
        assert ("invite", "wangwei@example.cn", "sent") in kinds
        assert kinds.count(("confirm", "wangwei@example.cn", "sent")) == 2
        assert kinds.count(("cancel", "wangwei@example.cn", "sent")) == 2
        assert all(x["message_id"].startswith("<") for x in rows)
        # The message ids in the log are the ones that arrived.
        arrived_ids = {a.msg["Message-ID"] for a in sink.to("wangwei@example.cn")}
        assert arrived_ids == {x["message_id"] for x in rows if x["recipient"].startswith("wang")}


def test_berlin_slots_give_berlin_times_across_daylight_saving(tmp_path: Path) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink) as hub:
        w = make_world(hub, title_en="Analyst Berlin")
        year = dt.datetime.now(dt.UTC).year + 1
        summer = dt.datetime(year, 7, 1, 9, 30, tzinfo=BERLIN)  # CEST, UTC+2
        winter = dt.datetime(year, 1, 15, 9, 30, tzinfo=BERLIN)  # CET, UTC+1
        slots = add_slots(w, [winter, summer], "Europe/Berlin", "Raum 2.01")
        cid = uuid.uuid4()
        import_rows(w, "candidates", [{"id": str(cid), "name": "Jonas Weber", "email": "j@ex.de"}])
        import_rows(
            w,
            "round1",
            [{"candidate_id": str(cid), "job_id": str(w.job_id), "round1_passed": True}],
        )
        inv = sink.wait(1)[0]
        token = _link(inv).split("/s/")[1].split("?")[0]
        for slot in (slots[1], slots[0]):
            r = httpx.post(f"{hub.url}/s/{token}/book", data={"slot_id": slot}, timeout=30)
            assert r.status_code == 303
        sink.wait(1 + 2 + 4)
        requests = [
            ev
            for a in sink.to("j@ex.de")
            if a.part("text/calendar") is not None
            for m, ev in [_event(a)]
            if m == "REQUEST"
        ]
        assert [ev["DTSTART"].params["TZID"] for ev in requests] == ["Europe/Berlin"] * 2
        utc = [ev.decoded("DTSTART").astimezone(dt.UTC) for ev in requests]
        assert utc == [
            dt.datetime(year, 7, 1, 7, 30, tzinfo=dt.UTC),
            dt.datetime(year, 1, 15, 8, 30, tzinfo=dt.UTC),
        ]
        page = httpx.get(f"{hub.url}/s/{token}?lang=en", timeout=30)
        assert "09:30" in page.text and "Europe/Berlin" in page.text


def test_bad_links_and_bad_slots_get_a_clear_page(tmp_path: Path) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink) as hub:
        r = httpx.get(f"{hub.url}/s/{'x' * 43}?lang=en", timeout=30)
        assert r.status_code == 404 and "not valid any more" in r.text
        r = httpx.get(f"{hub.url}/s/{'x' * 43}", timeout=30)
        assert "预约链接无效" in r.text
        w = make_world(hub)
        cid = uuid.uuid4()
        import_rows(w, "candidates", [{"id": str(cid), "name": "Li Na", "email": "li@ex.cn"}])
        import_rows(
            w, "round1", [{"candidate_id": str(cid), "job_id": str(w.job_id), "round1_score": 90}]
        )
        token = _link(sink.wait(1)[0]).split("/s/")[1].split("?")[0]
        r = httpx.post(f"{hub.url}/s/{token}/book", data={"slot_id": str(uuid.uuid4())})
        assert r.status_code == 404 and "no longer offered" in r.text
        r = httpx.post(f"{hub.url}/s/{token}/cancel", data={"lang": "en"})
        assert r.status_code == 409 and "no interview booked" in r.text
        with w.client() as c:
            bad = {
                "interviewer_id": str(w.interviewers[0][0]),
                "job_id": str(w.job_id),
                "starts_at": "2030-01-01T10:00:00+08:00",
                "ends_at": "2030-01-01T09:00:00+08:00",
                "timezone": "Mars/Olympus",
            }
            r = c.post("/api/v1/automation/slots", json={"slots": [bad]})
            assert r.status_code == 422


@pytest.mark.parametrize("flag", [False, None])
def test_hr_veto_and_missing_results_never_invite(tmp_path: Path, flag: bool | None) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink) as hub:
        w = make_world(hub)
        cid = uuid.uuid4()
        import_rows(w, "candidates", [{"id": str(cid), "name": "No Go", "email": "no@ex.com"}])
        row: dict[str, object] = {"candidate_id": str(cid), "job_id": str(w.job_id)}
        if flag is not None:
            row.update({"round1_passed": flag, "round1_score": 95})
        import_rows(w, "round1", [row])
        hub.app.state.hub.automation.run_once()
        with session_scope(hub.engine) as s:
            assert s.exec(select(Invitation)).all() == []
        assert sink.count() == 0
