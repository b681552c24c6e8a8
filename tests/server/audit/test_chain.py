"""The hub audit chain on a real SQLite file: appends in the action's transaction, and the
verifier names every seq whose row was edited, deleted or cut off."""

from __future__ import annotations

import itertools
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.domain import Role
from server import audit, db
from server.db import session_scope
from server.identity import Principal
from server.tables import AuditEntry, QueuedJob

ORG = uuid.uuid4()
UNIT = uuid.uuid4()
HR = Principal(uuid.uuid4(), ORG, UNIT, Role.HR, uuid.uuid4())


@pytest.fixture
def hubdb(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    path = tmp_path / "hub.db"
    engine = db.make_engine(f"sqlite:///{path}", 2)
    db.upgrade(engine)
    try:
        yield engine, path
    finally:
        engine.dispose()


def _five(engine: Engine) -> None:
    actions = [
        audit.AuditAction.LOGIN,
        audit.AuditAction.EXPORT,
        audit.AuditAction.IMPORT,
        audit.AuditAction.VIEW_REPORT,
        audit.AuditAction.DELETION_REQUEST,
    ]
    for i, action in enumerate(actions):
        with session_scope(engine) as s:
            audit.record(s, HR, action, "org_unit", UNIT, {"rows": i, "format": "csv"})


def _verify(engine: Engine, org: uuid.UUID = ORG) -> audit.Verification:
    with session_scope(engine) as s:
        return audit.verify(s, org)


def _sql(path: Path, sql: str, *args: object) -> None:
    """Edit the file directly, as someone with access to the database would."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(sql, args)
    finally:
        conn.close()


def test_an_untouched_log_verifies_and_links_every_row(hubdb: tuple[Engine, Path]) -> None:
    engine, _ = hubdb
    _five(engine)
    v = _verify(engine)
    assert v.model_dump() == {"intact": True, "broken": [], "rows": 5}
    with session_scope(engine) as s:
        rows = s.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()  # type: ignore[arg-type]
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    for a, b in itertools.pairwise(rows):
        assert b.prev_hash == a.hash
    assert rows[1].actor_id == HR.user_id and rows[1].device_id == HR.device_id
    assert rows[1].actor_role == "hr" and rows[1].detail == {"rows": 1, "format": "csv"}


@pytest.mark.parametrize(
    ("sql", "seq"),
    [
        ("UPDATE hub_audit SET action = 'view_report' WHERE seq = ?", 3),
        ("UPDATE hub_audit SET detail = json_set(detail, '$.rows', 99) WHERE seq = ?", 2),
        ("UPDATE hub_audit SET actor_role = 'admin' WHERE seq = ?", 4),
        ("UPDATE hub_audit SET at = '2020-01-01 00:00:00.000000' WHERE seq = ?", 1),
    ],
    ids=["action", "detail", "role", "time"],
)
def test_an_edited_row_is_named(hubdb: tuple[Engine, Path], sql: str, seq: int) -> None:
    engine, path = hubdb
    _five(engine)
    _sql(path, sql, seq)
    assert _verify(engine).model_dump() == {"intact": False, "broken": [seq], "rows": 5}


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(hubdb: tuple[Engine, Path]) -> None:
    engine, _ = hubdb
    _five(engine)
    with session_scope(engine) as s:
        row = s.exec(select(AuditEntry).where(AuditEntry.seq == 3)).one()
        row.action = "view_report"
        row.hash = audit.digest(row.model_dump())
        s.add(row)
    v = _verify(engine)
    assert not v.intact and v.broken == [4]


def test_a_row_deleted_from_the_middle_is_named(hubdb: tuple[Engine, Path]) -> None:
    engine, path = hubdb
    _five(engine)
    _sql(path, "DELETE FROM hub_audit WHERE seq = ?", 3)
    v = _verify(engine)
    assert not v.intact and v.rows == 4
    assert v.broken == [3, 4]  # the missing row, and the row whose link no longer holds


def test_a_cut_off_tail_is_named(hubdb: tuple[Engine, Path]) -> None:
    engine, path = hubdb
    _five(engine)
    _sql(path, "DELETE FROM hub_audit WHERE seq >= ?", 4)
    assert _verify(engine).model_dump() == {"intact": False, "broken": [4, 5], "rows": 3}


def test_a_rolled_back_action_leaves_no_row_and_no_gap(hubdb: tuple[Engine, Path]) -> None:
    engine, _ = hubdb
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        audit.record(s, HR, audit.AuditAction.EXPORT)
        raise RuntimeError("the action failed")
    assert _verify(engine).rows == 0
    with session_scope(engine) as s:
        audit.record(s, HR, audit.AuditAction.EXPORT)
    with session_scope(engine) as s:
        assert [r.seq for r in s.exec(select(AuditEntry)).all()] == [1]
    assert _verify(engine).intact


def test_detail_keeps_ids_and_counts_and_redacts_text(hubdb: tuple[Engine, Path]) -> None:
    engine, path = hubdb
    cid = uuid.uuid4()
    with session_scope(engine) as s:
        detail = {
            "candidate": cid,
            "rows": 3,
            "ok": True,
            "format": "xlsx",
            "email": "li.na@example.com",
            "name": "李娜",
            "note": "free text with spaces",
        }
        audit.record(s, HR, audit.AuditAction.EXPORT, "candidate", cid, detail)
    with session_scope(engine) as s:
        row = s.exec(select(AuditEntry)).one()
    assert row.detail == {
        "candidate": str(cid),
        "rows": 3,
        "ok": True,
        "format": "xlsx",
        "email": "(redacted)",
        "name": "(redacted)",
        "note": "(redacted)",
    }
    engine.dispose()
    raw = b"".join(f.read_bytes() for f in path.parent.glob("hub.db*"))
    for text in ("li.na@example.com", "李娜", "free text"):
        assert text.encode() not in raw


def test_organisations_have_their_own_chains(hubdb: tuple[Engine, Path]) -> None:
    engine, path = hubdb
    other = uuid.uuid4()
    with session_scope(engine) as s:
        audit.record(s, HR, audit.AuditAction.LOGIN)
        audit.record(s, None, audit.AuditAction.REPORT_SENT, org_id=other)
        audit.record(s, HR, audit.AuditAction.EXPORT)
    with session_scope(engine) as s:
        rows = s.exec(select(AuditEntry)).all()
        mine = sorted((r.seq, r.action) for r in rows if r.org_id == ORG)
        theirs = [(r.seq, r.action, r.actor_role) for r in rows if r.org_id == other]
        assert mine == [(1, "login"), (2, "export")]
        assert theirs == [(1, "report_sent", "system")]
        assert {k: v.intact for k, v in audit.verify_all(s).items()} == {ORG: True, other: True}
    _sql(path, "UPDATE hub_audit SET action = 'login' WHERE seq = 2")
    assert _verify(engine).broken == [2]
    assert _verify(engine, other).intact


def test_a_sent_report_mail_is_audited_with_counts_only(hubdb: tuple[Engine, Path]) -> None:
    engine, _ = hubdb
    session_id, cand = uuid.uuid4(), uuid.uuid4()
    job = QueuedJob(
        key="report:x",
        kind="report",
        org_id=ORG,
        candidate_ref=cand,
        payload={"session_id": str(session_id)},
        message_id="<x@roundtwo.hub>",
    )
    with session_scope(engine) as s:
        audit.mail_sent(s, job, "sent", 2)
        audit.mail_sent(s, job, "retrying", 2)  # not sent: nothing to audit
        audit.mail_sent(s, job.model_copy(update={"kind": "invite"}), "sent", 1)
    with session_scope(engine) as s:
        rows = s.exec(select(AuditEntry)).all()
    assert len(rows) == 1
    r = rows[0]
    assert (r.action, r.target, r.target_id, r.actor_id) == (
        "report_sent",
        "interviewsession",
        session_id,
        None,
    )
    assert r.detail == {"job": str(job.id), "candidate": str(cand), "recipients": 2}
    assert json.loads(audit.canonical(r.model_dump()))["prev_hash"] == audit.GENESIS
