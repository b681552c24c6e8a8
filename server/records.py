"""Repository functions for synced records: push with idempotency keys, pull by cursor,
tombstones that win, the post-sync sanity check, and hub-side writes (imports)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    any_,
    bindparam,
    false,
    insert,
    or_,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from app.core.domain import OutboxOpKind
from app.sync import protocol as p
from server import privacy
from server.db import SEQ_COUNTER
from server.identity import Principal, assignments_of
from server.policy import Action, Scope, scope_of
from server.tables import Counter, IdempotencyKey, SyncRecord, utcnow

log = logging.getLogger(__name__)

CHILD_REF = {"candidate": "candidate_ref", "interviewsession": "session_ref", "job": "job_ref"}
JOB_ENTITIES = ("job", "competency", "question")


class Sequencer:
    """Hands out server sequence numbers inside one transaction. Taking the counter row's
    lock first serialises writers, so sequence order equals commit order."""

    def __init__(self, s: Session) -> None:
        self.row = s.exec(
            select(Counter).where(Counter.name == SEQ_COUNTER).with_for_update()
        ).one()
        self.s = s

    def next(self) -> int:
        self.row.value += 1
        return self.row.value

    def save(self) -> int:
        self.s.add(self.row)
        return self.row.value


def _uuid(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def refs_of(entity: str, entity_id: uuid.UUID, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidate_ref": entity_id if entity == "candidate" else _uuid(payload.get("candidate_id")),
        "job_ref": entity_id if entity == "job" else _uuid(payload.get("job_id")),
        "session_ref": entity_id
        if entity == "interviewsession"
        else _uuid(payload.get("session_id")),
    }


# --- visibility --------------------------------------------------------------------------------


def visible_clause(s: Session, who: Principal) -> ColumnElement[bool]:
    """The records `who` may see and change, as one SQL condition."""
    scope = scope_of(who.role, Action.SYNC)
    if scope is None:
        return false()
    if scope is Scope.ORG:
        return col(SyncRecord.org_id) == who.org_id
    unit = col(SyncRecord.org_unit_id) == who.org_unit_id
    if scope is Scope.UNIT:
        return unit
    mine = assignments_of(s, who.user_id)
    cands = {a.candidate_id for a in mine}
    jobs = {a.job_id for a in mine if a.job_id is not None}
    sessions = {a.session_id for a in mine if a.session_id is not None}
    own: list[ColumnElement[bool]] = [col(SyncRecord.author_id) == who.user_id]
    if cands:
        own.append(col(SyncRecord.candidate_ref).in_(cands))
    if sessions:
        own.append(col(SyncRecord.session_ref).in_(sessions))
    if jobs:
        own.append(
            and_(col(SyncRecord.job_ref).in_(jobs), col(SyncRecord.entity).in_(JOB_ENTITIES))
        )
    return and_(unit, or_(*own))


def _is_visible(s: Session, who: Principal, rec: SyncRecord | _Rec, cache: dict[str, Any]) -> bool:
    if rec.org_id != who.org_id:
        return False
    scope = scope_of(who.role, Action.SYNC)
    if scope is Scope.ORG:
        return True
    if rec.org_unit_id != who.org_unit_id:
        return False
    if scope is Scope.UNIT:
        return True
    if rec.author_id == who.user_id:
        return True
    if "assigned" not in cache:
        mine = assignments_of(s, who.user_id)
        cache["assigned"] = (
            {a.candidate_id for a in mine},
            {a.session_id for a in mine},
            {a.job_id for a in mine},
        )
    cands, sessions, jobs = cache["assigned"]
    return (
        rec.candidate_ref in cands
        or rec.session_ref in sessions
        or (rec.entity in JOB_ENTITIES and rec.job_ref in jobs)
    )


# --- push --------------------------------------------------------------------------------------
#
# A push locks the records it touches (one ordered SELECT ... FOR UPDATE) and decides every op
# in memory; only then does it take the counter row (`_reserve_seqs`) and write the batch,
# already numbered, with one multi-row statement for the records and one for the idempotency
# keys. That final step is the only part pushes queue for. The counter lock is held until
# commit, so sequence order is still commit order and a pull never skips a late commit.
# (Writing first with provisional numbers and renumbering under the lock was tried: the
# renumbering rewrote every row and all ten of its index entries, twice the work.)

RECORD: Table = SyncRecord.__table__  # type: ignore[attr-defined]
KEYS: Table = IdempotencyKey.__table__  # type: ignore[attr-defined]
COUNTER: Table = Counter.__table__  # type: ignore[attr-defined]
PUSH_ATTEMPTS = 5
RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_COLUMNS = (
    "entity",
    "entity_id",
    "org_id",
    "org_unit_id",
    "author_id",
    "device_id",
    "candidate_ref",
    "job_ref",
    "session_ref",
    "payload",
    "deleted",
    "server_seq",
    "updated_at",
)
_UPDATED = ("device_id", "candidate_ref", "job_ref", "session_ref", "payload", "deleted")


# PostgreSQL types of the columns a push inserts (for `_insert_rows`).
_PG_TYPES = {
    "entity": "text",
    "entity_id": "uuid",
    "org_id": "uuid",
    "org_unit_id": "uuid",
    "author_id": "uuid",
    "device_id": "uuid",
    "candidate_ref": "uuid",
    "job_ref": "uuid",
    "session_ref": "uuid",
    "payload": "json",
    "deleted": "boolean",
    "server_seq": "bigint",
    "updated_at": "timestamptz",
    "op_id": "uuid",
    "request_digest": "text",
    "result": "json",
    "created_at": "timestamptz",
}


def _among(conn: Connection, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(one array parameter)`: a few hundred
    separate parameters cost more to send and parse than the lookup itself."""
    items = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, items, type_=PG_ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(items)  # type: ignore[no-any-return]


def _insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one statement. PostgreSQL gets one array per column
    (`INSERT ... SELECT FROM unnest(...)`): the statement text stays the same whatever the
    batch size, so it is parsed once and prepared, not rebuilt with thousands of
    placeholders. Arrays go in binary (no escaping); JSON values as text."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)  # sqlite3's executemany runs in C
        return
    cols = list(rows[0])
    arrays = {
        c: [json.dumps(r[c], ensure_ascii=False) for r in rows]
        if _PG_TYPES[c] == "json"
        else [r[c] for r in rows]
        for c in cols
    }
    args = ", ".join(f"%({c})b::{_PG_TYPES[c]}[]" for c in cols)  # b: binary arrays
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(cols)}) SELECT * FROM unnest({args})", arrays
    )


@dataclass
class _Rec:
    """A hub_record row as a push sees it; `rank` > 0 once this push changed it."""

    id: int | None
    entity: str
    entity_id: uuid.UUID
    org_id: uuid.UUID
    org_unit_id: uuid.UUID
    author_id: uuid.UUID
    device_id: uuid.UUID | None
    candidate_ref: uuid.UUID | None
    job_ref: uuid.UUID | None
    session_ref: uuid.UUID | None
    payload: dict[str, Any]
    deleted: bool
    server_seq: int
    updated_at: dt.datetime
    rank: int = 0

    @classmethod
    def of(cls, row: Any) -> _Rec:
        return cls(id=row["id"], **{c: row[c] for c in _COLUMNS})

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in _COLUMNS}


@dataclass
class _Outcome:
    """One op's answer before the sequence numbers are known."""

    op: p.PushOp
    status: p.OpStatus
    rank: int = 0
    error: str | None = None
    replay_of: _Outcome | None = None
    stored: p.OpResult | None = None
    digest: str = ""

    def result(self, base: int) -> p.OpResult:
        if self.stored is not None:
            return self.stored
        if self.replay_of is not None:
            first = self.replay_of.result(base)
            return first.model_copy(update={"op_id": self.op.op_id, "replayed": True})
        seq = base + self.rank if self.rank else None
        return p.OpResult(op_id=self.op.op_id, status=self.status, server_seq=seq, error=self.error)


class _Batch:
    """The records one push reads and changes, kept in memory until `write`."""

    def __init__(self, s: Session, who: Principal) -> None:
        self.s = s
        self.conn = s.connection()
        self.who = who
        self.records: dict[tuple[str, uuid.UUID], _Rec] = {}
        self.ranks = 0
        self.cache: dict[str, Any] = {}

    def load(self, ids: set[uuid.UUID]) -> None:
        """Lock and read the batch's records and their parents, in id order (no deadlocks
        between pushes that lock overlapping rows)."""
        if not ids:
            return
        rows = self.conn.execute(
            sa_select(RECORD)
            .where(_among(self.conn, RECORD.c.entity_id, ids))
            .order_by(RECORD.c.id)
            .with_for_update()
        ).mappings()
        for row in rows:
            rec = _Rec.of(row)
            self.records[(rec.entity, rec.entity_id)] = rec

    def touch(self, rec: _Rec) -> int:
        self.ranks += 1
        rec.rank = self.ranks
        rec.updated_at = utcnow()
        self.records[(rec.entity, rec.entity_id)] = rec
        return rec.rank

    def tombstone(self, rec: _Rec) -> int:
        rec.deleted = True
        rec.payload = {"id": str(rec.entity_id)}  # the data goes; only the fact of deletion stays
        return self.touch(rec)

    def cascade(self, parent: _Rec) -> None:
        """Children of a deleted candidate/interview/job die with it (the laptop cascades too)."""
        ref = CHILD_REF.get(parent.entity)
        if ref is None:
            return
        rows = self.conn.execute(
            sa_select(RECORD)
            .where(RECORD.c[ref] == parent.entity_id)
            .where(RECORD.c.deleted.is_(False))
            .order_by(RECORD.c.id)
            .with_for_update()
        ).mappings()
        for row in rows:
            rec = _Rec.of(row)
            self.records.setdefault((rec.entity, rec.entity_id), rec)  # memory is newer
        children = [
            r
            for r in self.records.values()
            if getattr(r, ref) == parent.entity_id and not r.deleted and r is not parent
        ]
        children.sort(key=lambda r: (r.rank, r.server_seq))
        for child in children:
            self.tombstone(child)
            self.cascade(child)

    def write(self, base: int) -> None:
        """Send the changed rows; the one changed by the n-th step gets number base + n."""
        changed = [r for r in self.records.values() if r.rank]
        fresh = [{**r.row(), "server_seq": base + r.rank} for r in changed if r.id is None]
        if fresh:
            _insert_rows(self.conn, RECORD, fresh)
        old = [
            {
                "b_id": r.id,
                "b_seq": base + r.rank,
                "b_updated_at": r.updated_at,
                **{f"b_{c}": getattr(r, c) for c in _UPDATED},
            }
            for r in changed
            if r.id is not None
        ]
        if old:
            self.conn.execute(
                update(RECORD)
                .where(RECORD.c.id == bindparam("b_id"))
                .values(
                    server_seq=bindparam("b_seq"),
                    updated_at=bindparam("b_updated_at"),
                    **{c: bindparam(f"b_{c}") for c in _UPDATED},
                ),
                old,
            )


def _reject(op: p.PushOp, why: str) -> _Outcome:
    return _Outcome(op=op, status=p.OpStatus.REJECTED, error=why)


def _parent_ids(op: p.PushOp) -> list[uuid.UUID]:
    if op.op is not OutboxOpKind.UPSERT:
        return []
    refs = refs_of(op.entity, op.entity_id, op.payload)
    return [v for k, v in refs.items() if v is not None and k != "job_ref"]


def push(s: Session, who: Principal, ops: Sequence[p.PushOp]) -> p.PushResponse:
    """Apply a batch of outbox ops once each. Two pushes racing on the same op id or new
    record make one of them fail its insert; that one starts again and then replays."""
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            return _push_once(s, who, ops)
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if attempt == PUSH_ATTEMPTS or not (
                isinstance(exc, IntegrityError) or state in RETRY_SQLSTATES
            ):
                raise
            log.info("push raced another push (%s); attempt %d again", state, attempt + 1)
            s.rollback()
    raise AssertionError("unreachable")


def _push_once(s: Session, who: Principal, ops: Sequence[p.PushOp]) -> p.PushResponse:
    batch = _Batch(s, who)
    ids: set[uuid.UUID] = set()
    for op in ops:
        ids.add(op.entity_id)
        ids.update(_parent_ids(op))
    batch.load(ids)  # first: a racing push with the same ops has committed once we get here
    op_ids = {op.op_id for op in ops}
    seen: dict[uuid.UUID, _Outcome] = {}
    conn = batch.conn
    keys = conn.execute(sa_select(KEYS).where(_among(conn, KEYS.c.op_id, op_ids)))
    for row in keys.mappings():
        seen[row["op_id"]] = _Outcome(
            op=ops[0],
            status=p.OpStatus.APPLIED,
            stored=p.OpResult.model_validate(row["result"]),
            digest=row["request_digest"] if row["org_id"] == who.org_id else "",
        )
    outcomes: list[_Outcome] = []
    new_keys: list[_Outcome] = []
    for op in ops:
        digest = op.digest()
        known = seen.get(op.op_id)
        if known is not None:
            if known.digest != digest:
                outcomes.append(
                    _reject(op, f"op id {op.op_id} was already used for a different change")
                )
            elif known.stored is not None:
                stored = known.stored.model_copy(update={"replayed": True})
                outcomes.append(_Outcome(op=op, status=stored.status, stored=stored))
            else:
                outcomes.append(_Outcome(op=op, status=known.status, replay_of=known))
            continue
        outcome = _apply(batch, op)
        outcome.digest = digest
        seen[op.op_id] = outcome
        new_keys.append(outcome)
        outcomes.append(outcome)
    base = _reserve_seqs(s, batch.ranks)
    batch.write(base)
    if new_keys:
        now = utcnow()
        _insert_rows(
            conn,
            KEYS,
            [
                {
                    "op_id": o.op.op_id,
                    "org_id": who.org_id,
                    "device_id": who.device_id,
                    "request_digest": o.digest,
                    "result": o.result(base).model_dump(mode="json"),
                    "created_at": now,
                }
                for o in new_keys
            ],
        )
    return p.PushResponse(results=[o.result(base) for o in outcomes], server_seq=base + batch.ranks)


def _reserve_seqs(s: Session, n: int) -> int:
    """Take the counter lock (held until commit) and reserve `n` numbers; returns the number
    before the first. A push that changes nothing does not queue for the lock."""
    conn = s.connection()
    if n == 0:
        value: int = conn.execute(
            sa_select(COUNTER.c.value).where(COUNTER.c.name == SEQ_COUNTER)
        ).scalar_one()
        return value
    last: int = conn.execute(
        update(COUNTER)
        .where(COUNTER.c.name == SEQ_COUNTER)
        .values(value=COUNTER.c.value + n)
        .returning(COUNTER.c.value)
    ).scalar_one()
    return last - n


def _apply(batch: _Batch, op: p.PushOp) -> _Outcome:
    who = batch.who
    if op.entity not in p.ENTITIES:
        return _reject(op, f"unknown entity '{op.entity}'")
    if op.op is OutboxOpKind.UPSERT:
        if str(op.payload.get("id")) != str(op.entity_id):
            return _reject(op, "the payload's id does not match entity_id")
        if _too_big(op.payload):
            return _reject(op, f"the payload is larger than {p.MAX_PAYLOAD_BYTES} bytes")
    rec = batch.records.get((op.entity, op.entity_id))
    if rec is not None and not _is_visible(batch.s, who, rec, batch.cache):
        return _reject(op, f"{op.entity} {op.entity_id} belongs to another org unit or person")
    applied, superseded = p.OpStatus.APPLIED, p.OpStatus.SUPERSEDED
    if op.op is OutboxOpKind.DELETE:
        # A candidate's tombstone erases them from the hub (media, linked rows) first (#11).
        privacy.on_delete_op(batch.s, who, op, rec is not None and rec.deleted)
        if rec is None:
            rank = batch.tombstone(_new_record(who, op, {"id": str(op.entity_id)}))
            return _Outcome(op=op, status=applied, rank=rank)
        if rec.deleted:
            return _Outcome(op=op, status=superseded)
        rank = batch.tombstone(rec)
        batch.cascade(rec)
        return _Outcome(op=op, status=applied, rank=rank)
    # upsert
    if rec is not None and rec.deleted:
        return _Outcome(op=op, status=superseded)
    refs = refs_of(op.entity, op.entity_id, op.payload)
    if _parent_deleted(op.entity, refs, batch.records):
        # A child written offline after its candidate/interview was deleted elsewhere:
        # the tombstone wins, the child is stored as a tombstone so no laptop keeps it.
        if rec is None:
            rec = _new_record(who, op, {"id": str(op.entity_id)})
        return _Outcome(op=op, status=superseded, rank=batch.tombstone(rec))
    if rec is None:
        rec = _new_record(who, op, op.payload)
    else:
        rec.payload = op.payload
        rec.candidate_ref = refs["candidate_ref"]
        rec.job_ref = refs["job_ref"]
        rec.session_ref = refs["session_ref"]
        rec.device_id = who.device_id
    return _Outcome(op=op, status=applied, rank=batch.touch(rec))


def _too_big(payload: dict[str, Any]) -> bool:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8")) > p.MAX_PAYLOAD_BYTES


def _new_record(who: Principal, op: p.PushOp, payload: dict[str, Any]) -> _Rec:
    return _Rec(
        id=None,
        entity=op.entity,
        entity_id=op.entity_id,
        org_id=who.org_id,
        org_unit_id=who.org_unit_id,
        author_id=who.user_id,
        device_id=who.device_id,
        payload=payload,
        deleted=False,
        server_seq=0,
        updated_at=utcnow(),
        **refs_of(op.entity, op.entity_id, payload),
    )


def _parent_deleted(
    entity: str, refs: dict[str, Any], records: dict[tuple[str, uuid.UUID], _Rec]
) -> bool:
    """The parents were loaded (and locked) with the batch, so a parent deleted by a push
    running at the same time is seen here once that push has committed."""
    for parent, ref in (("candidate", "candidate_ref"), ("interviewsession", "session_ref")):
        pid = refs[ref]
        if pid is None or entity == parent:
            continue
        rec = records.get((parent, pid))
        if rec is not None and rec.deleted:
            return True
    return False


# --- pull --------------------------------------------------------------------------------------


def pull(s: Session, who: Principal, since: int, limit: int) -> p.PullResponse:
    rows = s.exec(
        select(SyncRecord)
        .where(col(SyncRecord.server_seq) > since)
        .where(visible_clause(s, who))
        .order_by(col(SyncRecord.server_seq))
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        p.Change(
            server_seq=r.server_seq,
            entity=r.entity,
            entity_id=r.entity_id,
            deleted=r.deleted,
            payload=r.payload,
        )
        for r in rows
    ]
    cursor = rows[-1].server_seq if rows else since
    return p.PullResponse(changes=changes, next_cursor=cursor, has_more=has_more)


# --- sanity ------------------------------------------------------------------------------------


def summary(s: Session, who: Principal, entities: Iterable[str]) -> dict[str, p.EntitySummary]:
    wanted = [e for e in entities if e in p.ENTITIES]
    ids: dict[str, list[uuid.UUID]] = {e: [] for e in wanted}
    for entity, entity_id in s.exec(
        select(SyncRecord.entity, SyncRecord.entity_id)
        .where(col(SyncRecord.entity).in_(wanted))
        .where(col(SyncRecord.deleted).is_(False))
        .where(visible_clause(s, who))
    ).all():
        ids[entity].append(entity_id)
    return {e: p.EntitySummary(count=len(v), digest=p.ids_digest(v)) for e, v in ids.items()}


def sanity(s: Session, who: Principal, req: p.SanityRequest) -> p.SanityResponse:
    hub = summary(s, who, req.entities.keys())
    bad = sorted(e for e, mine in req.entities.items() if e not in hub or hub[e] != mine)
    return p.SanityResponse(ok=not bad, hub=hub, mismatched=bad)


# --- hub-side writes (imports) -----------------------------------------------------------------


def _tombstone(rec: SyncRecord, seq: Sequencer) -> None:
    rec.deleted = True
    rec.payload = {"id": str(rec.entity_id)}  # the data goes; only the fact of deletion stays
    rec.server_seq = seq.next()
    rec.updated_at = utcnow()


def _cascade(s: Session, rec: SyncRecord, seq: Sequencer) -> None:
    """Children of a deleted candidate/interview/job die with it (the laptop cascades too)."""
    ref = CHILD_REF.get(rec.entity)
    if ref is None:
        return
    children = s.exec(
        select(SyncRecord)
        .where(col(getattr(SyncRecord, ref)) == rec.entity_id)
        .where(col(SyncRecord.deleted).is_(False))
        .where(col(SyncRecord.id) != rec.id)
        .order_by(col(SyncRecord.server_seq))
    ).all()
    for child in children:
        _tombstone(child, seq)
        s.add(child)
        _cascade(s, child, seq)


def hub_upsert(
    s: Session,
    who: Principal,
    org_unit_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    payload: dict[str, Any],
    seq: Sequencer,
) -> bool:
    """Write one record from the hub itself; True if it was new. Tombstones still win."""
    rec = s.exec(
        select(SyncRecord).where(SyncRecord.entity == entity, SyncRecord.entity_id == entity_id)
    ).first()
    if rec is not None and (rec.deleted or rec.org_id != who.org_id):
        return False
    created = rec is None
    if rec is None:
        rec = SyncRecord(
            entity=entity,
            entity_id=entity_id,
            org_id=who.org_id,
            org_unit_id=org_unit_id,
            author_id=who.user_id,
            payload=payload,
            server_seq=0,
        )
    else:
        # An import names only some columns: keep the rest (and the creation time).
        fresh = {k: v for k, v in payload.items() if k != "created_at"}
        payload = {**rec.payload, **fresh}
    rec.payload = payload
    for k, v in refs_of(entity, entity_id, payload).items():
        setattr(rec, k, v)
    rec.server_seq = seq.next()
    rec.updated_at = utcnow()
    s.add(rec)
    return created


def restamp_assigned(
    s: Session, candidate_id: uuid.UUID, job_id: uuid.UUID | None, session_id: uuid.UUID | None
) -> None:
    """Give newly assigned records new sequence numbers so the interviewer, whose cursor is
    already past them, pulls them."""
    seq = Sequencer(s)
    conds: list[ColumnElement[bool]] = [col(SyncRecord.candidate_ref) == candidate_id]
    if session_id is not None:
        conds.append(col(SyncRecord.session_ref) == session_id)
    if job_id is not None:
        conds.append(
            and_(col(SyncRecord.job_ref) == job_id, col(SyncRecord.entity).in_(JOB_ENTITIES))
        )
    for rec in s.exec(
        select(SyncRecord).where(or_(*conds)).order_by(col(SyncRecord.server_seq))
    ).all():
        rec.server_seq = seq.next()
        s.add(rec)
    seq.save()


def live_records(
    s: Session, who: Principal, entity: str, unit: uuid.UUID | None
) -> list[SyncRecord]:
    q = (
        select(SyncRecord)
        .where(SyncRecord.entity == entity)
        .where(col(SyncRecord.deleted).is_(False))
        .where(visible_clause(s, who))
    )
    if unit is not None:
        q = q.where(SyncRecord.org_unit_id == unit)
    return list(s.exec(q.order_by(col(SyncRecord.server_seq))).all())
