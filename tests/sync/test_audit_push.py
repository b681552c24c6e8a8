"""Each laptop's audit log reaches the hub at sync (a real hub on loopback, SQLite and
PostgreSQL; real laptop SQLite files): three syncs' worth arrive in pages and verify; sending
again changes nothing; a row edited on the laptop after it was hashed, a gap or a broken link
is refused whole with a 422 naming the device and seq; a row edited or deleted on the hub is
named by the verifier; the rows of an erasure carry no personal data; only admins read them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from app.core.auditchain import GENESIS_HASH, audit_digest
from app.core.domain import ConsentPurpose, Role
from app.storage import repo
from app.storage.consent import record_consent
from app.storage.db import Database
from app.storage.deletion import delete_candidate
from app.storage.tables import AuditLog, Candidate, SyncState
from app.sync import protocol as p
from app.sync.client import CredentialStore, HubClient, HubRejectedError, RetryPolicy
from app.sync.engine import Syncer, SyncReport
from server.tables import DeviceAuditEntry
from tests.server.hubtools import HubThread, Org

FAST = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05)
PAGE = 4  # small pages, so three syncs' worth take several requests

# Varied rows, as the laptop's callers write them: ids, counts, codes, floats, Chinese.
TEMPLATES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("hr@corp", "view", "candidate", {"n": 1}),
    ("李雷", "rate", "interviewsession", {"competency": "ownership", "from": None, "to": 3}),
    ("import", "migrate.import", "candidate", {"counts": {"created": 2}, "sha256": "ab"}),
    ("hr@corp", "migrate.review.merge", "candidate", {"probability": 0.8734, "right": "x"}),
    ("room", "interview-ended", "interviewsession", {"answers": 6, "markers": 2}),
    ("local", "export", "interviewsession", {"files": ["report.pdf"]}),
]


class Laptop:
    def __init__(self, root: Path, org: Org) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.db_path = root / "roundtwo.db"
        self.db = Database(self.db_path).open()
        self.store = CredentialStore(root)
        uid, _ = org.add_user(Role.HR)
        with HubClient(org.hub.url, store=self.store) as c:
            self.creds = c.enrol(org.enrolment_code(uid), root.name)
        self.device = self.creds.device_id

    def client(self) -> HubClient:
        return HubClient(
            self.creds.hub_url, credentials=self.store.only(), store=self.store, retry=FAST
        )

    def sync(self) -> SyncReport:
        with self.client() as c:
            return Syncer(self.db, c, audit_batch=PAGE).run()

    def act(self, n: int) -> None:
        """n audit rows, one transaction each, as the app writes them."""
        for _ in range(n):

            def write(s: Any) -> None:
                last = s.exec(select(AuditLog).order_by(AuditLog.seq.desc())).first()  # type: ignore[attr-defined]
                actor, action, entity, detail = TEMPLATES[(last.seq if last else 0) % 6]
                repo.append_audit(s, actor, action, entity, str(uuid.uuid4()), detail)

            self.db.write(write)

    def wire(self, since: int = 0) -> list[p.DeviceAuditRow]:
        with self.db.read() as s:
            rows = s.exec(select(AuditLog).where(AuditLog.seq > since).order_by(AuditLog.seq)).all()  # type: ignore[arg-type]
            return [p.DeviceAuditRow.model_validate(r.model_dump(exclude={"id"})) for r in rows]

    def audit_seq(self) -> int:
        with self.db.read() as s:
            state = s.get(SyncState, self.creds.hub_url)
            return state.audit_seq if state else 0

    def close(self) -> None:
        self.db.close()


@pytest.fixture
def lap(tmp_path: Path, org: Org) -> Iterator[Laptop]:
    made = Laptop(tmp_path / "laptop", org)
    yield made
    made.close()


def _devices(org: Org, token: str | None = None) -> list[dict[str, Any]]:
    with org.client(token) as c:
        r = c.get("/api/v1/audit/devices")
    assert r.status_code == 200, r.text
    out: list[dict[str, Any]] = r.json()
    return out


def _export(org: Org, **params: str) -> list[dict[str, Any]]:
    with org.client() as c:
        r = c.get("/api/v1/audit/export", params={"scope": "devices", **params})
    assert r.status_code == 200, r.text
    return [json.loads(line) for line in r.text.splitlines()]


def _chain_breaks(rows: list[dict[str, Any]]) -> list[int]:
    """Check an exported chain outside the hub, with nothing but the shared digest."""
    prev, bad = GENESIS_HASH, []
    for d in rows:
        h = audit_digest(
            prev,
            seq=d["seq"],
            at=dt.datetime.fromisoformat(d["at"]),
            actor=d["actor"],
            action=d["action"],
            entity=d["entity"],
            entity_id=d["entity_id"],
            detail=d["detail"],
        )
        if d["prev_hash"] != prev or h != d["hash"]:
            bad.append(d["seq"])
        prev = d["hash"]
    return bad


def test_three_syncs_arrive_in_pages_and_verify(lap: Laptop, org: Org) -> None:
    total = 0
    for n in (5, 9, 3):
        lap.act(n)
        total += n
        report = lap.sync()
        assert (report.audit_sent, report.audit_acked, report.audit_error) == (n, total, None)
        assert lap.audit_seq() == total
    assert lap.sync().audit_sent == 0  # nothing new: nothing sent
    [dev] = _devices(org)
    assert dev["device_id"] == str(lap.device) and dev["user_id"] == str(lap.creds.user_id)
    assert (dev["rows"], dev["last_seq"], dev["verified"], dev["broken"]) == (
        total,
        total,
        True,
        [],
    )
    assert dev["last_received_at"] is not None and dev["device_name"] == "laptop"
    rows = _export(org)
    assert [r["seq"] for r in rows] == list(range(1, total + 1))
    assert _chain_breaks(rows) == []
    with lap.db.read() as s:  # exactly what the laptop holds, field by field
        mine = s.exec(select(AuditLog).order_by(AuditLog.seq)).all()  # type: ignore[arg-type]
        assert repo.verify_audit(s) == []
    for d, m in zip(rows, mine, strict=True):
        assert (d["actor"], d["action"], d["entity_id"], d["detail"], d["hash"]) == (
            m.actor,
            m.action,
            m.entity_id,
            m.detail,
            m.hash,
        )
        assert dt.datetime.fromisoformat(d["at"]) == m.at
    assert rows[1]["actor"] == "李雷" and rows[3]["detail"]["probability"] == 0.8734
    # The filters of the hub's export apply; the CSV has the same rows.
    assert {r["action"] for r in _export(org, action="migrate.review.merge")} == {
        "migrate.review.merge"
    }
    with org.client() as c:
        csv = c.get("/api/v1/audit/export", params={"scope": "devices", "format": "csv"})
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == total + 1
    # The export itself is in the hub's own log, with its scope.
    with org.client() as c:
        own = c.get("/api/v1/audit", params={"action": "audit_export"}).json()["rows"]
    assert {"format": "jsonl", "rows": total, "scope": "devices"} in [r["detail"] for r in own]


def test_sending_again_changes_nothing(lap: Laptop, org: Org) -> None:
    lap.act(6)
    assert lap.sync().audit_acked == 6
    # The laptop forgets what the hub confirmed: the whole log goes again, and nothing changes.
    lap.db.write(lambda s: s.add(_with(s.get(SyncState, lap.creds.hub_url), audit_seq=0)))
    again = lap.sync()
    assert (again.audit_sent, again.audit_acked, again.audit_error) == (0, 6, None)
    with lap.client() as c:
        resp = c.push_audit(lap.wire(since=2))
        status = c.push_audit([])
    assert resp is not None and (resp.stored, resp.already_held, resp.acked_seq) == (0, 4, 6)
    assert status is not None and (status.device_id, status.acked_seq) == (lap.device, 6)
    [dev] = _devices(org)
    assert (dev["rows"], dev["verified"]) == (6, True)


def _with(state: SyncState | None, **values: Any) -> SyncState:
    assert state is not None
    for k, v in values.items():
        setattr(state, k, v)
    return state


def _edit_laptop_row(path: Path, seq: int) -> None:
    """Edit the laptop's file directly, as someone with access to it would."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("UPDATE auditlog SET actor = 'mallory' WHERE seq = ?", (seq,))
    finally:
        conn.close()


def test_a_row_edited_on_the_laptop_is_refused_naming_the_seq(lap: Laptop, org: Org) -> None:
    lap.act(3)
    assert lap.sync().audit_acked == 3
    lap.act(3)  # rows 4, 5, 6; then row 5 is edited after it was hashed
    _edit_laptop_row(lap.db_path, 5)
    report = lap.sync()
    assert report.audit_error is not None
    assert f"Device {lap.device}'s audit row seq 5 was refused" in report.audit_error
    assert "does not match its hash" in report.audit_error
    # Nothing of the refused page was stored: the hub still ends at 3; the records sync ran.
    assert report.sanity_ok is True and lap.audit_seq() == 3
    [dev] = _devices(org)
    assert (dev["rows"], dev["last_seq"], dev["verified"]) == (3, 3, True)
    with lap.client() as c, pytest.raises(HubRejectedError) as err:
        c.push_audit(lap.wire(since=3))
    assert err.value.status == 422 and "seq 5" in err.value.message


def test_gaps_broken_links_and_changed_rows_are_refused(lap: Laptop, org: Org) -> None:
    lap.act(6)
    rows = lap.wire()
    with lap.client() as c:
        ok = c.push_audit(rows[:2])
        assert ok is not None and ok.acked_seq == 2
        # A gap: seq 3 is missing.
        with pytest.raises(HubRejectedError) as gap:
            c.push_audit(rows[3:])
        assert gap.value.status == 422
        assert f"Device {lap.device}'s audit row seq 4 was refused" in gap.value.message
        assert "seqs 3-3 are missing" in gap.value.message
        # A row whose hash fits its content but that does not link onto seq 2.
        forged = rows[2].model_copy(update={"prev_hash": "f" * 64})
        forged.hash = audit_digest(
            forged.prev_hash,
            seq=forged.seq,
            at=forged.at,
            actor=forged.actor,
            action=forged.action,
            entity=forged.entity,
            entity_id=forged.entity_id,
            detail=forged.detail,
        )
        with pytest.raises(HubRejectedError) as link:
            c.push_audit([forged, *rows[3:]])
        assert link.value.status == 422 and "seq 3" in link.value.message
        assert "does not link onto seq 2" in link.value.message
        # A row the hub holds, sent again with other content and hash: a conflict.
        changed = rows[1].model_copy(update={"actor": "mallory", "hash": "e" * 64})
        with pytest.raises(HubRejectedError) as conflict:
            c.push_audit([changed, *rows[2:]])
        assert conflict.value.status == 409 and "seq 2" in conflict.value.message
        held = c.push_audit([])
    assert held is not None and held.acked_seq == 2  # none of the refused pages was stored
    # The laptop itself still sends the rest in order.
    report = lap.sync()
    assert (report.audit_sent, report.audit_acked, report.audit_error) == (4, 6, None)


def test_a_row_edited_or_deleted_on_the_hub_is_named(lap: Laptop, org: Org, hub: HubThread) -> None:
    lap.act(6)
    lap.sync()
    entry = DeviceAuditEntry.__table__  # type: ignore[attr-defined]
    mine = entry.c.device_id == lap.device
    with hub.engine.begin() as conn:
        conn.execute(update(entry).where(mine, entry.c.seq == 2).values(actor="mallory"))
    [dev] = _devices(org)
    assert (dev["verified"], dev["broken"]) == (False, [2])
    with hub.engine.begin() as conn:
        conn.execute(update(entry).where(mine, entry.c.seq == 2).values(actor="李雷"))
    assert _devices(org)[0]["verified"] is True  # put back as it was: intact again
    with hub.engine.begin() as conn:
        conn.execute(delete(entry).where(mine, entry.c.seq == 4))
    [dev] = _devices(org)
    # The missing row, and the row whose link no longer holds.
    assert (dev["verified"], dev["broken"], dev["rows"]) == (False, [4, 5], 5)
    with hub.engine.begin() as conn:
        conn.execute(delete(entry).where(mine, entry.c.seq == 6))  # the tail too
    assert _devices(org)[0]["broken"] == [4, 5, 6]


def test_an_erasure_sends_ids_and_counts_only(lap: Laptop, org: Org) -> None:
    person = {
        "name": "Quixmore Zebulon 龚璇玑",
        "email": "zq4711@example.cn",
        "phone": "13947114711",
    }
    cid = uuid.uuid4()

    def write(s: Any) -> None:
        repo.save(
            s, Candidate(id=cid, name=person["name"], email=person["email"], phone=person["phone"])
        )
        record_consent(
            s,
            cid,
            None,
            {ConsentPurpose.RECORDING: True},
            notice_version="2026-11",
            notice_lang="zh",
            recorded_by="hr@corp",
        )

    lap.db.write(write)
    delete_candidate(lap.db, cid, by="hr@corp", reason="candidate_request")
    assert lap.sync().audit_error is None
    rows = _export(org)
    assert [r["action"] for r in rows] == ["consent", "delete-candidate"]
    assert {r["entity_id"] for r in rows} == {str(cid)}
    with org.client() as c:
        raw = c.get("/api/v1/audit/export", params={"scope": "devices"}).content
    for value in (*person.values(), "龚璇玑", "Zebulon"):
        assert value.encode() not in raw and json.dumps(value)[1:-1].encode() not in raw


def test_only_admins_read_laptop_logs_and_only_devices_send_them(lap: Laptop, org: Org) -> None:
    lap.act(2)
    lap.sync()
    for role in (Role.HR, Role.HIRING_MANAGER, Role.INTERVIEWER):
        _, token = org.add_user(role)
        with org.client(token) as c:
            for path, params in (
                ("/api/v1/audit/devices", {}),
                ("/api/v1/audit/export", {"scope": "devices"}),
            ):
                r = c.get(path, params=params)
                assert r.status_code == 403, (role, path, r.text)
                assert r.json()["detail"]["code"] == "forbidden"
    # The laptop's own (HR) device token may send its log but not read the hub's copy.
    with org.client(lap.creds.access_token) as c:
        assert c.get("/api/v1/audit/devices").status_code == 403
    # A person's log-in token has no device: it cannot send rows (an empty page is a no-op).
    body = {"rows": [lap.wire()[0].model_dump(mode="json")]}
    with org.client() as c:
        r = c.post("/api/v1/sync/audit", json=body)
        assert r.status_code == 422 and "enrolled laptop" in r.json()["detail"]["message"]
        r = c.post("/api/v1/sync/audit", json={"rows": []})
        assert r.status_code == 200 and r.json()["acked_seq"] == 0
