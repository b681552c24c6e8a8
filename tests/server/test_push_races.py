"""Pushes that overlap on PostgreSQL: a push holds the counter lock only at its end, so these
races are real. Each test holds one push's transaction open, lets a second push run into
its locks, then commits the first and checks the guarantees: an op id is applied once,
tombstones win, children of a deleted parent die, and sequence order is commit order."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.sync import protocol as p
from server import db, records
from server.identity import Principal, create_admin, principal_of
from server.tables import SyncRecord
from tests.server.hubtools import Postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def engine(postgres: Postgres) -> Iterator[Engine]:
    eng = db.make_engine(postgres.create_database(f"races{uuid.uuid4().hex[:8]}"), 4)
    db.upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def who(engine: Engine) -> Principal:
    with db.session_scope(engine) as s:
        name = f"org{uuid.uuid4().hex[:8]}"
        user = create_admin(s, name, "HQ", f"a@{name}.example", "Admin", "correct horse")
        return principal_of(user, None)


def _op(entity: str, entity_id: uuid.UUID, op: str = "upsert", **payload: Any) -> p.PushOp:
    body = {"id": str(entity_id), **payload} if op == "upsert" else {}
    return p.PushOp(
        op_id=uuid.uuid4(), seq=1, entity=entity, entity_id=entity_id, op=op, payload=body
    )


def _push(engine: Engine, who: Principal, *ops: p.PushOp) -> p.PushResponse:
    with db.session_scope(engine) as s:
        return records.push(s, who, list(ops))


def _waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
        )


def _race(
    engine: Engine, who: Principal, first: list[p.PushOp], second: list[p.PushOp]
) -> tuple[p.PushResponse, p.PushResponse]:
    """Push `first` and keep its transaction open; push `second` from another thread until
    it waits on one of first's locks; then commit first and let second finish."""
    out: list[p.PushResponse] = []
    errors: list[BaseException] = []

    def run_second() -> None:
        try:
            out.append(_push(engine, who, *second))
        except BaseException as exc:
            errors.append(exc)

    with Session(engine, expire_on_commit=False) as s:
        a = records.push(s, who, first)
        t = threading.Thread(target=run_second, name="second-push")
        t.start()
        try:
            _until(lambda: _waiting_on_a_lock(engine) > 0 or not t.is_alive())
            assert t.is_alive(), f"the second push did not wait for the first: {errors or out}"
            s.commit()
        finally:
            t.join(60)
    assert not errors, errors
    return a, out[0]


def _until(cond: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not cond():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def _records(engine: Engine, *ids: uuid.UUID) -> dict[uuid.UUID, SyncRecord]:
    with Session(engine) as s:
        rows = s.exec(select(SyncRecord).where(SyncRecord.entity_id.in_(ids))).all()  # type: ignore[attr-defined]
        return {r.entity_id: r for r in rows}


def test_the_same_op_id_at_once_is_applied_once_and_replayed(
    engine: Engine, who: Principal
) -> None:
    cid = uuid.uuid4()
    op = _op("candidate", cid, name="王伟")
    a, b = _race(engine, who, [op], [op])
    assert a.results[0].status is p.OpStatus.APPLIED and not a.results[0].replayed
    assert b.results[0].replayed and b.results[0].server_seq == a.results[0].server_seq
    with Session(engine) as s:
        assert len(s.exec(select(SyncRecord).where(SyncRecord.entity_id == cid)).all()) == 1


def test_a_child_pushed_while_its_parent_is_deleted_dies(engine: Engine, who: Principal) -> None:
    cid, consent = uuid.uuid4(), uuid.uuid4()
    _push(engine, who, _op("candidate", cid, name="张敏"))
    child = _op("consentrecord", consent, candidate_id=str(cid), granted=True)
    _, b = _race(engine, who, [_op("candidate", cid, op="delete")], [child])
    assert b.results[0].status is p.OpStatus.SUPERSEDED
    recs = _records(engine, cid, consent)
    assert recs[cid].deleted and recs[consent].deleted
    assert recs[consent].payload == {"id": str(consent)}


def test_a_delete_after_a_racing_child_cascades_to_it(engine: Engine, who: Principal) -> None:
    cid, consent = uuid.uuid4(), uuid.uuid4()
    _push(engine, who, _op("candidate", cid, name="李娜"))
    child = _op("consentrecord", consent, candidate_id=str(cid), granted=True)
    a, b = _race(engine, who, [child], [_op("candidate", cid, op="delete")])
    assert a.results[0].status is p.OpStatus.APPLIED
    assert b.results[0].status is p.OpStatus.APPLIED
    recs = _records(engine, cid, consent)
    assert recs[cid].deleted and recs[consent].deleted, "a live child of a deleted candidate"
    first_seq = a.results[0].server_seq
    assert first_seq is not None and recs[consent].server_seq > first_seq  # pulled again


def test_an_upsert_racing_a_delete_of_the_same_record_loses(engine: Engine, who: Principal) -> None:
    cid = uuid.uuid4()
    _push(engine, who, _op("candidate", cid, name="周杰"))
    _, b = _race(
        engine, who, [_op("candidate", cid, op="delete")], [_op("candidate", cid, name="new")]
    )
    assert b.results[0].status is p.OpStatus.SUPERSEDED
    assert _records(engine, cid)[cid].payload == {"id": str(cid)}


def test_sequence_order_is_commit_order(engine: Engine, who: Principal) -> None:
    """The second push waits for the counter row until the first commits, so every number
    it gets is higher: a pull that saw the first push's numbers never skips the second's."""
    first = [_op("candidate", uuid.uuid4(), name=f"a{i}") for i in range(5)]
    second = [_op("candidate", uuid.uuid4(), name=f"b{i}") for i in range(5)]
    a, b = _race(engine, who, first, second)
    a_seqs = [r.server_seq for r in a.results]
    b_seqs = [r.server_seq for r in b.results]
    assert None not in a_seqs and None not in b_seqs
    assert max(s for s in a_seqs if s is not None) < min(s for s in b_seqs if s is not None)
    stored = _records(engine, *(o.entity_id for o in first + second))
    assert sorted(r.server_seq for r in stored.values()) == sorted(a_seqs + b_seqs)  # type: ignore[type-var]
    assert all(r.server_seq > 0 for r in stored.values())
