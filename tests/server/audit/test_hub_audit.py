"""The audit log through the running hub (SQLite and PostgreSQL): real requests leave the
expected rows in order with actor and role and no personal data; tampering in the database is
named by GET /api/v1/audit/verify; only admins read the log; parallel requests keep the seq
gapless and the chain intact."""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update

from app.core.domain import Role
from server import audit
from server.db import session_scope
from server.tables import AuditEntry, User
from tests.server.hubtools import HubThread, Org

T = AuditEntry.__table__  # type: ignore[attr-defined]


def _org_id(hub: HubThread, org: Org) -> uuid.UUID:
    with session_scope(hub.engine) as s:
        user = s.execute(select(User).where(User.email == org.admin_email)).scalar_one()
        return user.org_id


def _rows(hub: HubThread, org_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope(hub.engine) as s:
        q = select(T).where(T.c.org_id == org_id).order_by(T.c.seq)
        return [dict(r) for r in s.execute(q).mappings()]


def _person(org: Org, role: Role, name: str) -> tuple[uuid.UUID, str]:
    email = f"{uuid.uuid4().hex[:6]}.person@{org.name}.example"
    with org.client() as c:
        r = c.post(
            "/api/v1/admin/users",
            json={
                "email": email,
                "name": name,
                "role": role.value,
                "org_unit_id": str(org.unit_id),
                "password": org.password,
            },
        )
        r.raise_for_status()
        return uuid.UUID(r.json()["id"]), email


def _login(org: Org, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{org.hub.url}/api/v1/auth/login",
        json={"email": email, "password": password},
        timeout=30,
    )


def test_real_actions_are_audited_in_order_without_personal_data(hub: HubThread, org: Org) -> None:
    org_id = _org_id(hub, org)
    hr_name = f"Zhao Minghui {uuid.uuid4().hex[:4]}"
    hr_id, hr_email = _person(org, Role.HR, hr_name)
    start = len(_rows(hub, org_id))

    token = _login(org, hr_email, org.password).json()["access_token"]
    assert _login(org, hr_email, "not the password").status_code == 401
    cand_id = uuid.uuid4()
    person = {
        "id": str(cand_id),
        "name": "欧阳娜娜",
        "email": "ouyang.nana@mail.example",
        "phone": "+86 138 0013 8765",
        "city": "Chengdu",
    }
    with org.client(token) as c:
        c.get("/api/v1/exchange/candidates", params={"format": "csv"}).raise_for_status()
        r = c.post("/api/v1/exchange/candidates", params={"format": "json"}, json=[person])
        assert r.status_code == 200 and r.json()["created"] == 1, r.text
        r = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(cand_id)})
        assert r.status_code == 201, r.text

    rows = _rows(hub, org_id)[start:]
    got = [(r["action"], r["actor_id"], r["actor_role"]) for r in rows]
    assert got == [
        ("login", hr_id, "hr"),
        ("login_failed", None, "anonymous"),
        ("export", hr_id, "hr"),
        ("import", hr_id, "hr"),
        ("deletion_request", hr_id, "hr"),
    ]
    assert [r["seq"] for r in rows] == list(range(start + 1, start + 6))
    failed, exported, imported, deleted = rows[1], rows[2], rows[3], rows[4]
    assert (failed["target"], failed["target_id"]) == ("user", hr_id)
    assert exported["detail"]["dataset"] == "candidates" and exported["detail"]["format"] == "csv"
    assert imported["detail"]["created"] == 1 and imported["target_id"] == org.unit_id
    assert (deleted["target"], deleted["target_id"]) == ("candidate", cand_id)
    assert deleted["detail"]["origin"] == "hub" and deleted["detail"]["records"] == 1

    with org.client() as c:
        assert c.get("/api/v1/audit/verify").json() == {
            "intact": True,
            "broken": [],
            "rows": start + 5,
        }
        dumps = [
            c.get("/api/v1/audit/export", params={"format": f}).content for f in ("csv", "jsonl")
        ]
    dump = repr(_rows(hub, org_id)).encode() + b"".join(dumps)
    secrets_ = [hr_name, hr_email, person["name"], person["email"], person["phone"], "Chengdu"]
    for text in [*secrets_, org.admin_email]:
        assert text.encode() not in dump, text
    assert str(cand_id).encode() in dump  # ids are what the log keeps


@pytest.mark.parametrize("how", ["action", "detail", "delete"])
def test_tampering_in_the_database_is_named_by_the_verifier(
    hub: HubThread, org: Org, how: str
) -> None:
    org_id = _org_id(hub, org)
    for _ in range(3):
        assert _login(org, org.admin_email, org.password).status_code == 200
    n = len(_rows(hub, org_id))
    assert n >= 4
    victim = n - 1
    where = (T.c.org_id == org_id) & (T.c.seq == victim)
    with session_scope(hub.engine) as s:
        if how == "action":
            s.execute(update(T).where(where).values(action="view_report"))
        elif how == "detail":
            s.execute(update(T).where(where).values(detail={"via": "web"}))
        else:
            s.execute(delete(T).where(where))
    with org.client() as c:
        body = c.get("/api/v1/audit/verify").json()
    assert body["intact"] is False
    assert body["broken"] == ([victim, victim + 1] if how == "delete" else [victim])
    assert body["rows"] == (n - 1 if how == "delete" else n)
    with session_scope(hub.engine) as s:
        assert audit.verify(s, org_id).broken == body["broken"]


def test_only_admins_read_the_log(hub: HubThread, org: Org) -> None:
    for role in (Role.HR, Role.HIRING_MANAGER, Role.INTERVIEWER):
        _, token = org.add_user(role)
        with org.client(token) as c:
            for path in ("/api/v1/audit", "/api/v1/audit/verify", "/api/v1/audit/export"):
                r = c.get(path)
                assert r.status_code == 403, (role, path, r.text)
                assert r.json()["detail"]["code"] == "forbidden"


def test_paging_filters_and_export(hub: HubThread, org: Org) -> None:
    hr_id, token = org.add_user(Role.HR)
    for _ in range(3):
        with org.client(token) as c:
            c.get("/api/v1/exchange/jobs").raise_for_status()
    org_id = _org_id(hub, org)
    everything = _rows(hub, org_id)
    with org.client() as c:
        seen: list[int] = []
        cursor: int | None = None
        while True:
            params: dict[str, Any] = {"limit": 2, "order": "oldest"}
            if cursor is not None:
                params["cursor"] = cursor
            body = c.get("/api/v1/audit", params=params).json()
            seen += [r["seq"] for r in body["rows"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == [r["seq"] for r in everything]
        newest = c.get("/api/v1/audit", params={"limit": 1}).json()["rows"]
        assert newest[0]["seq"] == everything[-1]["seq"]
        mine = c.get("/api/v1/audit", params={"actor_id": str(hr_id), "action": "export"})
        assert [r["action"] for r in mine.json()["rows"]] == ["export"] * 3
        later = c.get("/api/v1/audit", params={"since": "2999-01-01T00:00:00"}).json()
        assert later["rows"] == []
        edge = c.get("/api/v1/audit", params={"since": "9999-12-31T23:59:59-05:00"})
        assert edge.status_code == 200 and edge.json()["rows"] == []
        earlier = c.get("/api/v1/audit", params={"until": "2000-01-01T08:00:00+08:00"}).json()
        assert earlier["rows"] == []
        jsonl = c.get("/api/v1/audit/export").text.splitlines()
        table = list(csv.DictReader(io.StringIO(c.get("/api/v1/audit/export?format=csv").text)))
    assert len(jsonl) == len(everything)
    assert len(table) == len(everything) + 1  # the first export is audited before the second
    prev = audit.GENESIS
    for line in jsonl:  # the export can be checked outside the hub
        row = json.loads(line)
        assert row["prev_hash"] == prev and audit.digest(row) == row["hash"]
        prev = row["hash"]
    assert table[-1]["action"] == "audit_export" and table[-1]["prev_hash"] == prev


def test_parallel_requests_keep_the_chain_gapless(hub: HubThread, org: Org) -> None:
    org_id = _org_id(hub, org)
    n = 20
    barrier = threading.Barrier(n)
    status: list[int] = [0] * n

    def go(i: int) -> None:
        with org.client() as c:
            barrier.wait()
            path = "/api/v1/exchange/candidates" if i % 2 else "/api/v1/audit/export"
            status[i] = c.get(path).status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert status == [200] * n
    rows = _rows(hub, org_id)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert sum(r["action"] in ("export", "audit_export") for r in rows) == n
    with org.client() as c:
        assert c.get("/api/v1/audit/verify").json() == {
            "intact": True,
            "broken": [],
            "rows": len(rows),
        }
