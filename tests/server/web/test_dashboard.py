"""The HR web dashboard over HTTP (no browser): log-in with CSRF and session cookie, the
computed ranking/distribution/funnel, exports, scopes and refusals."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.core.domain import Role
from app.storage import repo
from server.web import dashboard_data
from server.web.pages import negotiate
from tests.server.hubtools import HubThread, Org, new_org
from tests.server.web.seed import (
    BARS,
    EXPECTED_FUNNEL,
    EXPECTED_RANKING,
    INJECTION,
    JOB_ID,
    Seeded,
    panel_level,
    seed_job,
)

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def seeded(hub: HubThread) -> Seeded:
    return seed_job(new_org(hub))


@contextlib.contextmanager
def login(hub: HubThread, email: str, password: str, lang: str = "en") -> Iterator[httpx.Client]:
    """A client that went through the log-in form (whatever the hub answered)."""
    with httpx.Client(base_url=hub.url, headers={**HTML, "Accept-Language": lang}, timeout=30) as c:
        page = c.get("/web/login")
        assert page.status_code == 200
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        r = c.post(
            "/web/login",
            data={"email": email, "password": password, "csrf": token.group(1), "next": ""},
        )
        assert r.status_code in (303, 403), r.text
        yield c


def rows_of(html: str) -> list[tuple[str, str]]:
    rows = re.findall(
        r'<tr class="rank-row"[^>]*>.*?<td class="cand">(.*?)</td>\s*'
        r'<td class="num match">(.*?)</td>',
        html,
        re.S,
    )
    return [(name, match) for name, match in rows]


def test_profile_namespace_matches_the_laptop() -> None:
    assert dashboard_data.PROFILE_NAMESPACE == repo._PROFILE_NS
    assert dashboard_data.profile_job_id("risk-control-analyst") == JOB_ID


def test_accept_language_negotiation() -> None:
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("en-GB,en;q=0.9,zh;q=0.5") == "en"
    assert negotiate("fr-FR, zh;q=0.3, en;q=0.7") == "en"
    assert negotiate("de") is None


def test_hr_sees_the_computed_ranking_distribution_and_funnel(
    hub: HubThread, seeded: Seeded
) -> None:
    with login(hub, seeded.hr_email, seeded.password) as c:
        jobs = c.get("/web/dashboard")
        assert jobs.status_code == 200
        assert f"/web/dashboard/jobs/{JOB_ID}" in jobs.text
        assert "Financial Risk-Control Analyst" in jobs.text
        page = c.get(f"/web/dashboard/jobs/{JOB_ID}")
        assert page.status_code == 200, page.text
        got = rows_of(page.text)
        esc = INJECTION.replace("'", "&#39;")
        expected = [(n if n != INJECTION else esc, f"{m:g}%") for n, m in EXPECTED_RANKING]
        assert got == expected
        for stage, n in EXPECTED_FUNNEL.items():
            m = re.search(rf'data-stage="{stage}"><td>[^<]*</td><td class="num">(\d+)<', page.text)
            assert m is not None and int(m.group(1)) == n, stage
        # Content-Security-Policy forbids scripts: charts are inline SVG made on the hub.
        assert "<script" not in page.text and page.text.count("<svg") >= len(BARS) + 1
        assert "default-src 'none'" in page.headers["content-security-policy"]


def test_exports_match_the_page(hub: HubThread, seeded: Seeded) -> None:
    with login(hub, seeded.hr_email, seeded.password) as c:
        r = c.get(f"/web/dashboard/jobs/{JOB_ID}/export", params={"format": "csv", "lang": "en"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        header, body = table[0], table[1:]
        assert header[:4] == ["rank", "candidate", "match_percent", "meets_threshold"]
        assert [(row[1], float(row[2])) for row in body] == [
            (n if n != INJECTION else "'" + n, m) for n, m in EXPECTED_RANKING
        ]
        assert [row[3] for row in body] == ["True", "True", "True", "False", "False"]
        da = header.index("Data analysis")
        assert float(body[1][da]) == panel_level("李强", "data-analysis") == 6.5
        x = c.get(f"/web/dashboard/jobs/{JOB_ID}/export", params={"format": "xlsx", "lang": "zh"})
        assert x.status_code == 200
        wb = load_workbook(io.BytesIO(x.content))
        ranking = [list(row) for row in wb["ranking"].iter_rows(values_only=True)]
        assert ranking[0][:3] == ["排名", "候选人", "匹配度%"]
        assert [(row[1], row[2]) for row in ranking[1:]] == [
            (n if n != INJECTION else "'" + n, m) for n, m in EXPECTED_RANKING
        ]
        dist = {row[0]: row for row in wb["distribution"].iter_rows(values_only=True)}
        # data-analysis panel levels 8.5, 6.5, 5.0, 8.0, 2.0: mean 6.0, three below the bar 8.
        assert dist["data-analysis"][1:7] == (8, 5, 6.0, 2.0, 8.5, 3)
        funnel = dict(wb["funnel"].iter_rows(min_row=2, values_only=True))
        assert {k: funnel[k] for k in EXPECTED_FUNNEL} == EXPECTED_FUNNEL


def test_bearer_token_can_fetch_the_export(hub: HubThread, seeded: Seeded) -> None:
    _, token = seeded.org.add_user(Role.HIRING_MANAGER)
    with seeded.org.client(token) as c:
        r = c.get(f"/web/dashboard/jobs/{JOB_ID}/export", params={"format": "csv"})
        assert r.status_code == 200 and "王芳" in r.content.decode("utf-8-sig")


def test_interviewer_is_refused_with_a_page_and_no_session(hub: HubThread, seeded: Seeded) -> None:
    with login(hub, seeded.interviewer_email, seeded.password) as c:
        assert "rt_session" not in c.cookies
        r = c.get("/web/dashboard")
        assert r.status_code == 303 and r.headers["location"].startswith("/web/login")
    with login(hub, seeded.interviewer_email, seeded.password, "zh") as c:
        page = c.post("/web/login")  # no form: still no way in
        assert page.status_code == 422


def test_wrong_password_and_missing_csrf_are_refused(hub: HubThread, seeded: Seeded) -> None:
    with httpx.Client(base_url=hub.url, headers=HTML, timeout=30) as c:
        page = c.get("/web/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        bad = c.post(
            "/web/login",
            data={"email": seeded.hr_email, "password": "nope", "csrf": token.group(1)},
        )
        assert bad.status_code == 401 and "wrong" in bad.text
        forged = c.post(
            "/web/login",
            data={"email": seeded.hr_email, "password": seeded.password, "csrf": "forged"},
        )
        assert forged.status_code == 400 and "rt_session" not in c.cookies


def test_session_cookie_flags_and_logout(hub: HubThread, seeded: Seeded) -> None:
    with httpx.Client(base_url=hub.url, headers=HTML, timeout=30) as c:
        page = c.get("/web/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        r = c.post(
            "/web/login",
            data={"email": seeded.hr_email, "password": seeded.password, "csrf": token.group(1)},
        )
        cookie = r.headers["set-cookie"].lower()
        assert "rt_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        dash = c.get("/web/dashboard")
        csrf = re.search(r'name="csrf" value="([^"]+)"', dash.text)
        assert csrf is not None
        assert c.post("/web/logout", data={"csrf": "forged"}).status_code == 400
        assert c.get("/web/dashboard").status_code == 200  # forged log-out changed nothing
        out = c.post("/web/logout", data={"csrf": csrf.group(1)})
        assert out.status_code == 303
        stale = c.get("/web/dashboard")
        assert stale.status_code == 303  # session revoked on the hub


def test_scopes_hr_sees_own_unit_admin_sees_all(hub: HubThread) -> None:
    org: Org = new_org(hub)
    other = org.add_unit("Retail")
    seeded_other = seed_job(org, other)  # interviews pushed from a laptop in "Retail"
    hq_hr = seed_job(org)  # and the same job in HQ
    with login(hub, hq_hr.hr_email, org.password) as c:
        own = c.get(f"/web/dashboard/jobs/{JOB_ID}")
        assert len(rows_of(own.text)) == 5  # only HQ's five, not Retail's
        refused = c.get("/web/dashboard", params={"org_unit_id": str(other)})
        assert refused.status_code == 403 and 'id="refused"' in refused.text
    with login(hub, org.admin_email, org.password) as c:
        everything = c.get(f"/web/dashboard/jobs/{JOB_ID}")
        assert len(rows_of(everything.text)) == 10
        retail = c.get(f"/web/dashboard/jobs/{JOB_ID}", params={"org_unit_id": str(other)})
        names = [n for n, _ in rows_of(retail.text)]
        assert len(names) == 5 and seeded_other.candidates["王芳"] != hq_hr.candidates["王芳"]


def test_unknown_job_is_a_clear_404(hub: HubThread, seeded: Seeded) -> None:
    with login(hub, seeded.hr_email, seeded.password) as c:
        r = c.get(f"/web/dashboard/jobs/{uuid.uuid4()}")
        assert r.status_code == 404 and 'id="message"' in r.text
        assert c.get("/web/dashboard/jobs/not-a-uuid").status_code == 404


def test_time_to_schedule_from_invitations_and_bookings(hub: HubThread) -> None:
    """Invitation -> first booking: 10 h, 30 h and 50 h (a later re-booking does not count;
    an invitation without booking does not count): median 30 h, p90 30 + 0.8 * 20 = 46 h."""
    from server.db import session_scope
    from server.tables import Booking, Invitation, Slot

    org = new_org(hub)
    seeded = seed_job(org)
    t0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    names = ["王芳", "李强", "张伟", "Emma Li"]
    delays = {"王芳": [10.0], "李强": [30.0, 70.0], "张伟": [50.0], "Emma Li": []}
    staff, _ = org.add_user(Role.INTERVIEWER)
    with session_scope(hub.engine) as s:
        slot = Slot(
            org_id=org_id_of(s, org),
            job_ref=JOB_ID,
            interviewer_id=staff,
            starts_at=t0 + dt.timedelta(days=5),
            ends_at=t0 + dt.timedelta(days=5, hours=1),
        )
        s.add(slot)
        s.flush()
        org_id, slot_id = slot.org_id, slot.id
    for name in names:
        cand = seeded.candidates[name]
        for attempt in range(3):
            # The automation worker may invite the same candidate at the same moment: the
            # unique (candidate, job) constraint lets one win; then we take theirs.
            try:
                with session_scope(hub.engine) as s:
                    inv = s.exec(
                        select(Invitation).where(
                            Invitation.candidate_ref == cand, Invitation.job_ref == JOB_ID
                        )
                    ).first()
                    if inv is None:
                        inv = Invitation(
                            org_id=org_id,
                            org_unit_id=org.unit_id,
                            candidate_ref=cand,
                            job_ref=JOB_ID,
                            token=uuid.uuid4().hex,
                        )
                    inv.created_at = t0
                    s.add(inv)
                    s.flush()
                    for i, hours in enumerate(delays[name]):
                        s.add(
                            Booking(
                                invitation_id=inv.id,
                                slot_id=slot_id,
                                status="cancelled"
                                if i == 0 and len(delays[name]) > 1
                                else "booked",
                                created_at=t0 + dt.timedelta(hours=hours),
                            )
                        )
                break
            except IntegrityError:
                if attempt == 2:
                    raise
    with login(hub, seeded.hr_email, seeded.password) as c:
        page = c.get(f"/web/dashboard/jobs/{JOB_ID}").text
    tts = page.split('id="tts"')[1].split("</div>")[0]
    assert "<b>30</b>" in tts and "P90 46" in tts and "n=3" in tts


def org_id_of(s: Any, org: Org) -> uuid.UUID:
    from server.tables import OrgUnit

    unit = s.get(OrgUnit, org.unit_id)
    assert unit is not None
    return uuid.UUID(str(unit.org_id))
