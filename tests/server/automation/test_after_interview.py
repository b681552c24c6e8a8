"""After the interview, with a controllable clock: the report PDF goes to HR and the hiring
manager; a panel member who has not rated gets ONE reminder N hours after the interview ENDED
(never before, never for an interview that has not ended), then ONE escalation, nothing more.
SMTP failures are retried with exponential backoff and delivered once."""

from __future__ import annotations

import datetime as dt
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from server.db import session_scope
from server.tables import QueuedJob
from tests.server.automation.kit import World, automation_hub, make_world, push, smtp_sink
from tests.server.hubtools import HubThread


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _session(w: World, sid: uuid.UUID, cid: uuid.UUID, **fields: Any) -> None:
    payload = {
        "id": str(sid),
        "candidate_id": str(cid),
        "job_id": str(w.job_id),
        "interviewer": "panel",
        "language": "zh",
        "compliance_profile": "strict",
        **fields,
    }
    with w.client() as c:
        push(c, "interviewsession", payload)


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "report.pdf"
    path.write_bytes(pdf)
    proc = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _tick(hub: HubThread) -> None:
    hub.app.state.hub.automation.run_once()


@pytest.mark.slow
def test_report_then_one_reminder_after_the_end_then_one_escalation(tmp_path: Path) -> None:
    with (
        smtp_sink() as sink,
        automation_hub(tmp_path, sink, reminder_delay_hours=24, escalation_delay_hours=24) as hub,
    ):
        w = make_world(hub)
        clock = Clock(dt.datetime.now(dt.UTC))
        hub.app.state.hub.automation.clock = clock
        (a_id, _), (b_id, b_token) = w.interviewers
        cid, sid = uuid.uuid4(), uuid.uuid4()
        with w.client() as c:
            push(c, "candidate", {"id": str(cid), "name": "王伟", "email": "ww@example.cn"})
            for uid in (a_id, b_id):
                r = c.post(
                    "/api/v1/admin/assignments",
                    json={"user_id": str(uid), "candidate_id": str(cid), "session_id": str(sid)},
                )
                assert r.status_code == 201, r.text
        start = clock.now + dt.timedelta(hours=1)
        _session(w, sid, cid, status="scheduled", scheduled_at=start.isoformat())
        _tick(hub)
        clock.now = start + dt.timedelta(days=30)  # long after: still not ended -> nothing
        _tick(hub)
        _session(w, sid, cid, status="in_progress", started_at=start.isoformat())
        _tick(hub)
        assert sink.count() == 0
        with session_scope(hub.engine) as s:
            assert s.exec(select(QueuedJob)).all() == []  # nothing even queued

        # The interview ends (synced by the laptop). Its end is what counts, not the clock.
        ended = clock.now + dt.timedelta(hours=1)
        clock.now = ended + dt.timedelta(minutes=5)
        with w.client() as c:
            for key, level in (("analysis", 8), ("ownership", 5)):
                push(
                    c,
                    "aisuggestion",
                    {
                        "id": str(uuid.uuid4()),
                        "session_id": str(sid),
                        "competency_key": key,
                        "level": level,
                        "evidence": [{"quote": "我负责了数据清洗和建模", "start_ms": 1000}],
                    },
                )
        _session(
            w,
            sid,
            cid,
            status="completed",
            started_at=start.isoformat(),
            ended_at=ended.isoformat(),
        )
        _tick(hub)
        assert sink.count() == 0  # the report waits for the panel's ratings

        # Interviewer B rates in time; A does not.
        with w.org.client(b_token) as c:
            for key, level in (("analysis", 8), ("ownership", 6)):
                push(
                    c,
                    "interviewerrating",
                    {
                        "id": str(uuid.uuid4()),
                        "session_id": str(sid),
                        "competency_key": key,
                        "rater": w.emails[b_id],
                        "level": level,
                        "note": "good",
                    },
                )
        clock.now = ended + dt.timedelta(hours=23, minutes=59)  # just before end + N
        _tick(hub)
        assert sink.count() == 0
        clock.now = ended + dt.timedelta(hours=24, minutes=1)
        _tick(hub)
        reminders = sink.wait(1)
        assert len(reminders) == 1 and reminders[0].rcpt == [w.emails[a_id]]
        assert reminders[0].msg["Subject"].startswith("Please submit your ratings")
        clock.now = ended + dt.timedelta(hours=47)
        _tick(hub)
        assert sink.count() == 1  # no second reminder
        clock.now = ended + dt.timedelta(hours=48, minutes=1)
        _tick(hub)
        arrived = sink.wait(3)
        assert len(arrived) == 3
        hr_and_manager = {w.emails[w.hr[0]], w.emails[w.manager[0]]}
        escalation = next(a for a in arrived[1:] if "Ratings still missing" in a.msg["Subject"])
        assert set(escalation.rcpt) == hr_and_manager
        assert w.emails[a_id] in escalation.text
        # At the escalation deadline the report goes anyway, with what is there, saying who
        # has not rated.
        report = next(a for a in arrived[1:] if a.msg["Subject"].startswith("Interview report"))
        assert set(report.rcpt) == hr_and_manager
        assert report.msg["Subject"] == "Interview report: 王伟 · Data analyst"
        assert "Ratings still missing from: " in report.text and w.emails[a_id] in report.text
        pdf = report.part("application/pdf").get_payload(decode=True)
        assert pdf.startswith(b"%PDF")
        text = _pdf_text(pdf, tmp_path)
        assert "Interview report · 王伟" in text and "Analysis" in text and "Ownership" in text
        assert "Job match: 100.0% (threshold 70%)" in text  # B: 8 >= 7, 6 >= 6
        assert "我负责了数据清洗和建模" in text and "good" in text
        for days in (3, 10, 60):
            clock.now = ended + dt.timedelta(days=days)
            _tick(hub)
        assert sink.count() == 3  # escalated once, never more
        assert [a.rcpt for a in sink.to(w.emails[b_id])] == []  # B rated: never reminded
        with session_scope(hub.engine) as s:
            jobs = {
                j.key.split(":")[0] + ":" + j.key.split(":")[-1]: j.status
                for j in s.exec(select(QueuedJob)).all()
            }
        assert jobs[f"remind:{b_id}"] == "skipped" and jobs[f"escalate:{b_id}"] == "skipped"
        assert jobs[f"remind:{a_id}"] == "sent" and jobs[f"escalate:{a_id}"] == "sent"


def test_smtp_failures_are_retried_with_backoff_and_delivered_once(tmp_path: Path) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink, queue_backoff_seconds=60) as hub:
        w = make_world(hub)
        clock = Clock(dt.datetime.now(dt.UTC))
        hub.app.state.hub.automation.clock = clock
        refusals = {"n": 0}

        def flaky(_envelope: object) -> str | None:
            if refusals["n"] < 3:
                refusals["n"] += 1
                return "451 4.3.0 try again later"
            return None

        sink.hook = flaky
        cid = uuid.uuid4()
        with w.client() as c:
            push(c, "candidate", {"id": str(cid), "name": "Anna", "email": "anna@ex.de"})
            push(
                c,
                "application",
                {
                    "id": str(uuid.uuid4()),
                    "candidate_id": str(cid),
                    "job_id": str(w.job_id),
                    "round1_score": 88,
                },
            )
        t0 = clock.now
        waits = []
        _tick(hub)
        for _ in range(3):
            with session_scope(hub.engine) as s:
                job = s.exec(select(QueuedJob)).one()
                assert job.status == "pending" and job.sent_at is None
                waits.append((job.run_at - clock.now).total_seconds())
                clock.now = job.run_at - dt.timedelta(seconds=1)
            _tick(hub)
            assert sink.count() == 0  # not before the backoff is over
            clock.now += dt.timedelta(seconds=2)
            _tick(hub)
        assert waits == [60.0, 120.0, 240.0]  # exponential
        assert len(sink.to("anna@ex.de")) == 1
        clock.now = t0 + dt.timedelta(days=5)
        _tick(hub)
        assert len(sink.to("anna@ex.de")) == 1
        with w.org.client(w.hr[1]) as c:
            log = c.get("/api/v1/automation/notifications", params={"candidate_id": str(cid)})
        assert [x["result"] for x in log.json()] == ["retrying"] * 3 + ["sent"]
        assert "451" in log.json()[0]["detail"]


def test_the_report_goes_at_once_when_the_whole_panel_has_rated(tmp_path: Path) -> None:
    with smtp_sink() as sink, automation_hub(tmp_path, sink, default_language="zh") as hub:
        w = make_world(hub)
        (a_id, a_token), _ = w.interviewers
        cid, sid = uuid.uuid4(), uuid.uuid4()
        now = dt.datetime.now(dt.UTC)
        with w.client() as c:
            push(c, "candidate", {"id": str(cid), "name": "Li Lei", "email": "ll@example.cn"})
            r = c.post(
                "/api/v1/admin/assignments",
                json={"user_id": str(a_id), "candidate_id": str(cid), "session_id": str(sid)},
            )
            assert r.status_code == 201
        _session(
            w,
            sid,
            cid,
            status="completed",
            started_at=(now - dt.timedelta(hours=1)).isoformat(),
            ended_at=now.isoformat(),
        )
        _tick(hub)
        assert sink.count() == 0
        with w.org.client(a_token) as c:
            for key, level in (("analysis", 6), ("ownership", 6)):
                push(
                    c,
                    "interviewerrating",
                    {
                        "id": str(uuid.uuid4()),
                        "session_id": str(sid),
                        "competency_key": key,
                        "rater": w.emails[a_id],
                        "level": level,
                        "note": "",
                    },
                )
                if key == "analysis":  # half the ratings: the report still waits
                    _tick(hub)
                    assert sink.count() == 0
        _tick(hub)
        report = sink.wait(1)[0]
        assert report.msg["Subject"] == "面试报告：Li Lei · 数据分析师"
        text = _pdf_text(report.part("application/pdf").get_payload(decode=True), tmp_path)
        assert "面试报告 · Li Lei" in text and "分析能力" in text and "未达标" in text
        assert "岗位匹配度: 91.4%" in text  # 0.6 * 6/7 + 0.4 * 1
        assert "尚未提交评分" not in report.text
