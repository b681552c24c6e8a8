"""Each audited hub action leaves its row: web log-in, dashboard view and export, impact report
and demographics import, compliance profile, users, enrolment, devices, assignments and a
candidate erased by a laptop's push."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from app.core.domain import Role
from server import audit
from server.db import session_scope
from server.tables import AuditEntry, User
from tests.server.hubtools import HubThread, Org
from tests.server.web.seed import JOB_ID, op, push, seed_job

T = AuditEntry.__table__  # type: ignore[attr-defined]
HTML = {"Accept": "text/html"}


def _actions(hub: HubThread, org: Org, after: int = 0) -> list[dict[str, Any]]:
    with session_scope(hub.engine) as s:
        org_id = s.execute(select(User.org_id).where(User.email == org.admin_email)).scalar_one()
        q = select(T).where(T.c.org_id == org_id, T.c.seq > after).order_by(T.c.seq)
        return [dict(r) for r in s.execute(q).mappings()]


def _web_login(hub: HubThread, email: str, password: str) -> int:
    with httpx.Client(base_url=hub.url, headers=HTML, timeout=30) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/web/login").text)
        assert token is not None
        data = {"email": email, "password": password, "csrf": token.group(1)}
        return c.post("/web/login", data=data).status_code


def test_every_hooked_action_is_audited(hub: HubThread, org: Org) -> None:
    seeded = seed_job(org)
    start = _actions(hub, org)[-1]["seq"]
    hr_id = _actions(hub, org)[-1]["actor_id"]  # seed_job ends with the HR laptop's enrolment

    assert _web_login(hub, seeded.hr_email, org.password) == 303
    assert _web_login(hub, seeded.hr_email, "wrong") == 401
    assert _web_login(hub, f"nobody-{uuid.uuid4().hex[:6]}@x.example", "wrong") == 401
    _, hr_token = org.add_user(Role.HR)
    with org.client(hr_token) as c:
        assert c.get(f"/web/dashboard/jobs/{JOB_ID}").status_code == 200
        r = c.get(f"/web/dashboard/jobs/{JOB_ID}/export", params={"format": "xlsx"})
        assert r.status_code == 200
    cand = next(iter(seeded.candidates.values()))
    with org.client() as c:
        assert c.get("/api/v1/impact/report").status_code == 200
        assert c.get("/api/v1/impact/report", params={"format": "csv"}).status_code == 200
        csv_body = f"candidate_id,sex,race_ethnicity\n{cand},female,asian\n".encode()
        r = c.post("/api/v1/impact/demographics", params={"format": "csv"}, content=csv_body)
        assert r.status_code == 200, r.text
        r = c.put("/api/v1/admin/compliance-profile", json={"profile_id": "consented-nonverbal"})
        assert r.status_code == 200, r.text
    iv_id, _ = org.add_user(Role.INTERVIEWER)
    device = org.enrol_device(iv_id)
    with org.client() as c:
        r = c.post(
            "/api/v1/admin/assignments", json={"user_id": str(iv_id), "candidate_id": str(cand)}
        )
        assert r.status_code == 201, r.text
        r = c.post(f"/api/v1/admin/devices/{device.device_id}/revoke")
        assert r.status_code == 200, r.text
    hr_laptop = org.enrol_device(org.add_user(Role.HR)[0])
    gone = uuid.uuid4()
    with org.client(hr_laptop.tokens.access_token) as c:
        push(c, [op("candidate", gone, name="Temp Person", source="manual")])
        push(c, [{**op("candidate", gone), "op": "delete"}])

    rows = _actions(hub, org, start)
    got = [(r["action"], r["actor_role"], r["target"]) for r in rows]
    assert got == [
        ("login", "hr", "user"),  # web
        ("login_failed", "anonymous", "user"),  # web, known e-mail
        ("user_create", "admin", "user"),
        ("login", "hr", "user"),  # API (add_user logs in)
        ("view_report", "hr", "job"),
        ("dashboard_export", "hr", "job"),
        ("view_impact", "admin", "org_unit"),
        ("impact_export", "admin", "org_unit"),
        ("demographics_import", "admin", "org_unit"),
        ("profile_change", "admin", "organisation"),
        ("user_create", "admin", "user"),
        ("login", "interviewer", "user"),
        ("enrolment_code_issue", "admin", "user"),
        ("device_enrol", "interviewer", "device"),
        ("assignment_create", "admin", "assignment"),
        ("device_revoke", "admin", "device"),
        ("user_create", "admin", "user"),
        ("login", "hr", "user"),
        ("enrolment_code_issue", "admin", "user"),
        ("device_enrol", "hr", "device"),
        ("deletion_request", "hr", "candidate"),
    ]
    by = {r["action"]: r for r in rows}
    assert rows[0]["detail"] == {"via": "web"} and rows[0]["actor_id"] != hr_id
    assert rows[1]["detail"] == {"via": "web", "known_user": True}
    assert by["view_report"]["target_id"] == JOB_ID
    assert by["dashboard_export"]["detail"]["format"] == "xlsx"
    assert by["demographics_import"]["detail"]["created"] == 1
    assert by["profile_change"]["detail"]["profile_id"] == "consented-nonverbal"
    assert by["device_revoke"]["target_id"] == device.device_id
    assert by["deletion_request"]["target_id"] == gone
    assert by["deletion_request"]["device_id"] == hr_laptop.device_id
    assert by["deletion_request"]["detail"]["origin"] == "laptop"
    with session_scope(hub.engine) as s:
        unknown = s.execute(select(T).where(T.c.org_id == audit.HUB_WIDE)).mappings().all()
        assert any(r["action"] == "login_failed" and r["target_id"] is None for r in unknown)
        assert audit.verify(s, rows[0]["org_id"]).intact
        assert audit.verify(s, audit.HUB_WIDE).intact
