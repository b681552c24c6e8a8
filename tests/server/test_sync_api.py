"""Hub sync endpoints on SQLite and PostgreSQL: idempotency keys, tombstones, cursor, sanity
check, protocol negotiation, tokens."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from sqlmodel import select

from app.core.domain import Role
from app.sync import protocol as p
from server import security
from server.db import session_scope
from server.tables import Token
from tests.server.hubtools import HubThread, Org


def _op(entity: str, entity_id: uuid.UUID, op: str = "upsert", **payload: Any) -> dict[str, Any]:
    body = {"id": str(entity_id), **payload} if op == "upsert" else {"id": str(entity_id)}
    return {
        "op_id": str(uuid.uuid4()),
        "seq": 1,
        "entity": entity,
        "entity_id": str(entity_id),
        "op": op,
        "payload": body,
    }


def _device(org: Org, role: Role = Role.HR) -> httpx.Client:
    uid, _ = org.add_user(role)
    enr = org.enrol_device(uid)
    return org.client(enr.tokens.access_token)


def _push(c: httpx.Client, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    r = c.post("/api/v1/sync/push", json={"ops": list(ops)})
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def _pull_all(
    c: httpx.Client, since: int = 0, limit: int = 500
) -> tuple[list[dict[str, Any]], int]:
    out: list[dict[str, Any]] = []
    while True:
        r = c.get("/api/v1/sync/pull", params={"since": since, "limit": limit})
        assert r.status_code == 200, r.text
        body = r.json()
        out.extend(body["changes"])
        since = body["next_cursor"]
        if not body["has_more"]:
            return out, since


def test_health_names_protocol_versions(hub: HubThread) -> None:
    r = httpx.get(f"{hub.url}/api/v1/health")
    assert r.status_code == 200
    assert r.json()["protocol_versions"] == list(p.SUPPORTED_VERSIONS)


def test_same_key_is_applied_once_and_replayed(org: Org) -> None:
    c = _device(org)
    cid = uuid.uuid4()
    op = _op("candidate", cid, name="王伟")
    first = _push(c, op)[0]
    again = _push(c, op)[0]
    assert first["status"] == "applied" and not first["replayed"]
    assert again["status"] == "applied" and again["replayed"]
    assert again["server_seq"] == first["server_seq"]
    changes, _ = _pull_all(c)
    assert [ch["entity_id"] for ch in changes].count(str(cid)) == 1


def test_same_key_with_different_payload_is_rejected(org: Org) -> None:
    c = _device(org)
    cid = uuid.uuid4()
    op = _op("candidate", cid, name="王伟")
    _push(c, op)
    forged = {**op, "payload": {"id": str(cid), "name": "someone else"}}
    r = _push(c, forged)[0]
    assert r["status"] == "rejected" and "already used" in r["error"]
    changes, _ = _pull_all(c)
    assert [ch["payload"]["name"] for ch in changes if ch["entity_id"] == str(cid)] == ["王伟"]


def test_duplicate_key_inside_one_batch_is_applied_once(org: Org) -> None:
    c = _device(org)
    op = _op("candidate", uuid.uuid4(), name="李娜")
    a, b = _push(c, op, op)
    assert a["status"] == "applied" and b["replayed"] and a["server_seq"] == b["server_seq"]


def test_invalid_ops_are_rejected_one_by_one(org: Org) -> None:
    c = _device(org)
    good = _op("candidate", uuid.uuid4(), name="ok")
    unknown = _op("spaceship", uuid.uuid4())
    mismatch = _op("candidate", uuid.uuid4(), name="x")
    mismatch["payload"]["id"] = str(uuid.uuid4())
    huge = _op("candidate", uuid.uuid4(), name="x" * (p.MAX_PAYLOAD_BYTES + 10))
    res = _push(c, good, unknown, mismatch, huge)
    assert [r["status"] for r in res] == ["applied", "rejected", "rejected", "rejected"]
    assert "unknown entity" in res[1]["error"] and "does not match" in res[2]["error"]


def test_tombstones_win_and_cascade(org: Org) -> None:
    a, b = _device(org), _device(org)
    cid, consent = uuid.uuid4(), uuid.uuid4()
    _push(a, _op("candidate", cid, name="张敏"))
    _push(a, _op("consentrecord", consent, candidate_id=str(cid), granted=True))
    _push(b, _op("candidate", cid, op="delete"))
    # A laptop that was offline edits the candidate and adds a consent afterwards.
    late_edit = _push(a, _op("candidate", cid, name="张敏 (edited)"))[0]
    late_child = _push(a, _op("consentrecord", uuid.uuid4(), candidate_id=str(cid), granted=True))[
        0
    ]
    assert late_edit["status"] == "superseded"
    assert late_child["status"] == "superseded"
    changes, _ = _pull_all(b)
    state = {ch["entity_id"]: ch for ch in changes}
    assert state[str(cid)]["deleted"] and state[str(consent)]["deleted"]
    assert all(ch["deleted"] for ch in changes), "a deleted candidate's data must not survive"
    assert state[str(cid)]["payload"] == {"id": str(cid)}  # the data itself is gone


def test_delete_before_create_leaves_a_tombstone(org: Org) -> None:
    c = _device(org)
    cid = uuid.uuid4()
    assert _push(c, _op("candidate", cid, op="delete"))[0]["status"] == "applied"
    assert _push(c, _op("candidate", cid, name="x"))[0]["status"] == "superseded"


def test_pull_pages_by_cursor_without_gaps_or_repeats(org: Org) -> None:
    c = _device(org)
    ids = [uuid.uuid4() for _ in range(23)]
    _push(c, *[_op("candidate", i, name=f"c{n}") for n, i in enumerate(ids)])
    changes, cursor = _pull_all(c, limit=5)
    assert [ch["entity_id"] for ch in changes] == [str(i) for i in ids]
    seqs = [ch["server_seq"] for ch in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert cursor == seqs[-1]
    # An update moves the record past the cursor: the next pull has exactly it.
    _push(c, _op("candidate", ids[3], name="renamed"))
    more, _ = _pull_all(c, since=cursor)
    assert [(ch["entity_id"], ch["payload"]["name"]) for ch in more] == [(str(ids[3]), "renamed")]


def test_sanity_check_compares_counts_and_digests(org: Org) -> None:
    c = _device(org)
    ids = [uuid.uuid4() for _ in range(3)]
    _push(c, *[_op("candidate", i, name="n") for i in ids])
    good = {"candidate": {"count": 3, "digest": p.ids_digest(ids)}}
    r = c.post("/api/v1/sync/sanity", json={"entities": good})
    assert r.status_code == 200 and r.json()["ok"]
    bad = {"candidate": {"count": 3, "digest": p.ids_digest([*ids[:2], uuid.uuid4()])}}
    r = c.post("/api/v1/sync/sanity", json={"entities": bad})
    assert not r.json()["ok"] and r.json()["mismatched"] == ["candidate"]


def test_protocol_version_mismatch_is_426_with_supported_versions(org: Org) -> None:
    c = _device(org)
    r = c.get("/api/v1/sync/pull", headers={p.PROTOCOL_HEADER: "99"})
    assert r.status_code == 426
    detail = r.json()["detail"]
    assert detail["code"] == "protocol_mismatch"
    assert detail["supported_versions"] == list(p.SUPPORTED_VERSIONS)


def test_tokens_expire_refresh_and_revoke(org: Org) -> None:
    uid, _ = org.add_user(Role.INTERVIEWER)
    enr = org.enrol_device(uid)
    c = org.client(enr.tokens.access_token)
    assert c.get("/api/v1/sync/pull").status_code == 200
    with session_scope(org.hub.engine) as s:
        row = s.exec(
            select(Token).where(Token.token_hash == security.token_digest(enr.tokens.access_token))
        ).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.add(row)
    r = c.get("/api/v1/sync/pull")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_expired"
    r = httpx.post(
        f"{org.hub.url}/api/v1/auth/refresh", json={"refresh_token": enr.tokens.refresh_token}
    )
    assert r.status_code == 200
    fresh = org.client(r.json()["access_token"])
    assert fresh.get("/api/v1/sync/pull").status_code == 200
    # Revoking the device ends every token it holds, refresh included.
    with org.client() as admin:
        assert admin.post(f"/api/v1/admin/devices/{enr.device_id}/revoke").status_code == 200
    r = fresh.get("/api/v1/sync/pull")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "device_revoked"
    r = httpx.post(
        f"{org.hub.url}/api/v1/auth/refresh", json={"refresh_token": enr.tokens.refresh_token}
    )
    assert r.status_code == 401 and r.json()["detail"]["code"] == "device_revoked"
    r = org.client("not-a-token").get("/api/v1/sync/pull")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_invalid"


def test_enrolment_code_works_once(org: Org) -> None:
    uid, _ = org.add_user(Role.INTERVIEWER)
    code = org.enrolment_code(uid)
    url = f"{org.hub.url}/api/v1/devices/enrol"
    first = httpx.post(url, json={"code": code.lower(), "device_name": "a"})
    assert first.status_code == 200
    second = httpx.post(url, json={"code": code, "device_name": "b"})
    assert second.status_code == 400 and second.json()["detail"]["code"] == "code_invalid"
    old = httpx.post(url, json={"code": code, "device_name": "c", "protocol_version": 99})
    assert old.status_code == 426


def test_login_refuses_wrong_password(org: Org) -> None:
    r = httpx.post(
        f"{org.hub.url}/api/v1/auth/login", json={"email": org.admin_email, "password": "wrong!"}
    )
    assert r.status_code == 401 and r.json()["detail"]["code"] == "login_failed"


def test_interviewer_sees_only_own_and_assigned(org: Org) -> None:
    hr = _device(org, Role.HR)
    iv_id, _ = org.add_user(Role.INTERVIEWER)
    iv = org.client(org.enrol_device(iv_id).tokens.access_token)
    assigned, other, job = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    _push(
        hr,
        _op("candidate", assigned, name="assigned"),
        _op("candidate", other, name="not assigned"),
        _op("application", uuid.uuid4(), candidate_id=str(other), job_id=str(job)),
    )
    own = uuid.uuid4()
    _push(iv, _op("candidate", own, name="met at the fair"))
    seen, cursor = _pull_all(iv)
    assert {ch["entity_id"] for ch in seen} == {str(own)}
    # Changing a record it cannot see is refused.
    r = _push(iv, _op("candidate", other, name="hijacked"))[0]
    assert r["status"] == "rejected"
    with org.client() as admin:
        r = admin.post(
            "/api/v1/admin/assignments",
            json={"user_id": str(iv_id), "candidate_id": str(assigned)},
        )
        assert r.status_code == 201, r.text
    more, _ = _pull_all(iv, since=cursor)  # the assignment re-stamps, so the cursor is no wall
    assert {ch["entity_id"] for ch in more} == {str(assigned)}
    hr_view, _ = _pull_all(hr)
    assert str(own) in {ch["entity_id"] for ch in hr_view}


def test_other_org_units_are_invisible_to_hr(org: Org) -> None:
    hr_a = _device(org, Role.HR)
    unit_b = org.add_unit("Shenzhen")
    uid_b, _ = org.add_user(Role.HR, unit_b)
    hr_b = org.client(org.enrol_device(uid_b).tokens.access_token)
    cid = uuid.uuid4()
    _push(hr_a, _op("candidate", cid, name="in HQ"))
    seen_b, _ = _pull_all(hr_b)
    assert str(cid) not in {ch["entity_id"] for ch in seen_b}
    assert _push(hr_b, _op("candidate", cid, op="delete"))[0]["status"] == "rejected"
    admin_dev = _device(org, Role.ADMIN)
    seen_admin, _ = _pull_all(admin_dev)
    assert str(cid) in {ch["entity_id"] for ch in seen_admin}
