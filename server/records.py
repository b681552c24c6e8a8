"""Repository functions for synced records: push with idempotency keys, pull by cursor,
tombstones that win, the post-sync sanity check, and hub-side writes (imports)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from app.core.domain import OutboxOpKind
from app.sync import protocol as p
from server.db import SEQ_COUNTER
from server.identity import Principal, assignments_of
from server.policy import Action, Scope, scope_of
from server.tables import Counter, IdempotencyKey, SyncRecord, utcnow

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


def _is_visible(s: Session, who: Principal, rec: SyncRecord, cache: dict[str, Any]) -> bool:
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


def _reject(op: p.PushOp, why: str) -> p.OpResult:
    return p.OpResult(op_id=op.op_id, status=p.OpStatus.REJECTED, error=why)


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


def push(s: Session, who: Principal, ops: Sequence[p.PushOp]) -> p.PushResponse:
    seq = Sequencer(s)
    op_ids = [op.op_id for op in ops]
    seen: dict[uuid.UUID, IdempotencyKey] = {
        k.op_id: k
        for k in s.exec(select(IdempotencyKey).where(col(IdempotencyKey.op_id).in_(op_ids))).all()
    }
    wanted = {op.entity_id for op in ops}
    records: dict[tuple[str, uuid.UUID], SyncRecord] = {
        (r.entity, r.entity_id): r
        for r in s.exec(select(SyncRecord).where(col(SyncRecord.entity_id).in_(wanted))).all()
    }
    cache: dict[str, Any] = {}
    results: list[p.OpResult] = []
    for op in ops:
        digest = op.digest()
        known = seen.get(op.op_id)
        if known is not None:
            if known.request_digest != digest or known.org_id != who.org_id:
                results.append(
                    _reject(op, f"op id {op.op_id} was already used for a different change")
                )
            else:
                stored = p.OpResult.model_validate(known.result)
                results.append(stored.model_copy(update={"replayed": True}))
            continue
        result = _apply(s, who, op, records, seq, cache)
        key = IdempotencyKey(
            op_id=op.op_id,
            org_id=who.org_id,
            device_id=who.device_id,
            request_digest=digest,
            result=result.model_dump(mode="json"),
        )
        s.add(key)
        seen[op.op_id] = key
        results.append(result)
    last = seq.save()
    s.flush()
    return p.PushResponse(results=results, server_seq=last)


def _apply(
    s: Session,
    who: Principal,
    op: p.PushOp,
    records: dict[tuple[str, uuid.UUID], SyncRecord],
    seq: Sequencer,
    cache: dict[str, Any],
) -> p.OpResult:
    if op.entity not in p.ENTITIES:
        return _reject(op, f"unknown entity '{op.entity}'")
    if op.op is OutboxOpKind.UPSERT:
        if str(op.payload.get("id")) != str(op.entity_id):
            return _reject(op, "the payload's id does not match entity_id")
        if _too_big(op.payload):
            return _reject(op, f"the payload is larger than {p.MAX_PAYLOAD_BYTES} bytes")
    rec = records.get((op.entity, op.entity_id))
    if rec is not None and not _is_visible(s, who, rec, cache):
        return _reject(op, f"{op.entity} {op.entity_id} belongs to another org unit or person")
    if op.op is OutboxOpKind.DELETE:
        if rec is None:
            rec = _new_record(who, op, {"id": str(op.entity_id)})
            rec.deleted = True
            rec.server_seq = seq.next()
            s.add(rec)
            records[(op.entity, op.entity_id)] = rec
            return p.OpResult(op_id=op.op_id, status=p.OpStatus.APPLIED, server_seq=rec.server_seq)
        if rec.deleted:
            return p.OpResult(op_id=op.op_id, status=p.OpStatus.SUPERSEDED)
        _tombstone(rec, seq)
        s.add(rec)
        s.flush()
        _cascade(s, rec, seq)
        return p.OpResult(op_id=op.op_id, status=p.OpStatus.APPLIED, server_seq=rec.server_seq)
    # upsert
    if rec is not None and rec.deleted:
        return p.OpResult(op_id=op.op_id, status=p.OpStatus.SUPERSEDED)
    refs = refs_of(op.entity, op.entity_id, op.payload)
    if _parent_deleted(s, op.entity, refs, records):
        # A child written offline after its candidate/interview was deleted elsewhere:
        # the tombstone wins, the child is stored as a tombstone so no laptop keeps it.
        if rec is None:
            rec = _new_record(who, op, {"id": str(op.entity_id)})
            s.add(rec)
            records[(op.entity, op.entity_id)] = rec
        _tombstone(rec, seq)
        s.add(rec)
        return p.OpResult(op_id=op.op_id, status=p.OpStatus.SUPERSEDED, server_seq=rec.server_seq)
    if rec is None:
        rec = _new_record(who, op, op.payload)
        records[(op.entity, op.entity_id)] = rec
    else:
        rec.payload = op.payload
        rec.candidate_ref = refs["candidate_ref"]
        rec.job_ref = refs["job_ref"]
        rec.session_ref = refs["session_ref"]
        rec.device_id = who.device_id
        rec.updated_at = utcnow()
    rec.server_seq = seq.next()
    s.add(rec)
    return p.OpResult(op_id=op.op_id, status=p.OpStatus.APPLIED, server_seq=rec.server_seq)


def _too_big(payload: dict[str, Any]) -> bool:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8")) > p.MAX_PAYLOAD_BYTES


def _new_record(who: Principal, op: p.PushOp, payload: dict[str, Any]) -> SyncRecord:
    return SyncRecord(
        entity=op.entity,
        entity_id=op.entity_id,
        org_id=who.org_id,
        org_unit_id=who.org_unit_id,
        author_id=who.user_id,
        device_id=who.device_id,
        payload=payload,
        server_seq=0,
        **refs_of(op.entity, op.entity_id, payload),
    )


def _parent_deleted(
    s: Session,
    entity: str,
    refs: dict[str, Any],
    records: dict[tuple[str, uuid.UUID], SyncRecord],
) -> bool:
    for parent, ref in (("candidate", "candidate_ref"), ("interviewsession", "session_ref")):
        pid = refs[ref]
        if pid is None or entity == parent:
            continue
        rec = records.get((parent, pid))
        if rec is None:
            rec = s.exec(
                select(SyncRecord).where(SyncRecord.entity == parent, SyncRecord.entity_id == pid)
            ).first()
            if rec is not None:
                records[(parent, pid)] = rec
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
