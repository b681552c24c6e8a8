"""Hub privacy (#11): erasing a candidate everywhere the hub keeps them (records, media files,
rows of other hub tables, free pages), the PII-free deletion report with each laptop's
acknowledgement, and the compliance profile an organisation's admin chooses for its laptops.

Two ways in: an admin/HR request on the hub (`request_deletion`), or a laptop's pushed
tombstone for a candidate (`on_delete_op`, called by the push before the tombstone is stored).
Both purge media and linked rows in the same transaction and compact the database after it
commits (SQLite: `secure_delete` + `VACUUM` + WAL truncate; PostgreSQL: `VACUUM`, see
`storage_note`)."""

from __future__ import annotations

import logging
import uuid
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, delete, event, or_, select, tuple_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from app.core.compliance import compliance_dir, load_compliance_profile, profile_from_document
from app.core.domain import OutboxOpKind
from app.core.errors import NotFoundError, ProfileError
from app.sync import protocol as p
from server import audit
from server.errors import HubError, invalid, not_found
from server.identity import Principal
from server.media import SHA256_RE
from server.policy import Action, Scope, scope_of
from server.tables import (
    Deletion,
    DeletionAck,
    HubTable,
    Media,
    OrgCompliance,
    OrgUnit,
    SyncRecord,
    utcnow,
)

log = logging.getLogger(__name__)

# Rows of other hub tables keyed by one of these columns belong to the candidate and go with
# them (invitations, queued e-mails, assignments, demographics...), with rows that point at them.
CANDIDATE_COLUMNS = ("candidate_id", "candidate_ref")
# hub_record is tombstoned (laptops need the tombstones); the privacy tables are the report.
NOT_ERASED = frozenset({"hub_record", "hub_deletion", "hub_deletion_ack", "hub_org_compliance"})
ERASE_ENTITIES = frozenset({"candidate", "interviewsession", "recording"})

_media_dirs: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def install(engine: Engine, media_dir: Path) -> None:
    """Tell the eraser where this hub keeps media files (called when the app is built)."""
    _media_dirs[engine] = media_dir


def storage_note(dialect: str) -> str:
    if dialect == "sqlite":
        return "sqlite: secure_delete on; VACUUM and WAL truncate after commit"
    return (
        "postgresql: VACUUM after commit; no secure_delete equivalent, so erased bytes may "
        "remain in data files until pages are reused, and in WAL archives/backups until they "
        "expire (VACUUM FULL in a maintenance window rewrites the tables)"
    )


# --- what belongs to a candidate -----------------------------------------------------------------


def _reachable(
    s: Session, org_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> list[SyncRecord]:
    """The candidate/interview/recording record and every record that hangs off it."""
    if entity == "recording":
        first = col(SyncRecord.entity_id) == entity_id
    elif entity == "interviewsession":
        first = or_(
            col(SyncRecord.entity_id) == entity_id, col(SyncRecord.session_ref) == entity_id
        )
    else:
        first = or_(
            col(SyncRecord.entity_id) == entity_id, col(SyncRecord.candidate_ref) == entity_id
        )
    recs = list(s.exec(sm_select(SyncRecord).where(SyncRecord.org_id == org_id).where(first)))
    sessions = {r.entity_id for r in recs if r.entity == "interviewsession"}
    if sessions and entity == "candidate":
        have = {r.id for r in recs}
        recs += [
            r
            for r in s.exec(
                sm_select(SyncRecord)
                .where(SyncRecord.org_id == org_id)
                .where(col(SyncRecord.session_ref).in_(sessions))
            )
            if r.id not in have
        ]
    return recs


def _purge_media(s: Session, recs: list[SyncRecord]) -> int:
    """Delete the media rows and files of these (live) recordings, unless another live record
    still uses the same file. Files go before the commit: an erasure must not leave them."""
    gone = {r.id for r in recs}
    # Laptops write the payload: only a well-formed hash may become a file name here.
    shas = {
        str(r.payload.get("sha256"))
        for r in recs
        if r.entity == "recording"
        and not r.deleted
        and SHA256_RE.match(str(r.payload.get("sha256")))
    }
    media_dir = _media_dirs.get(s.get_bind())  # type: ignore[arg-type]
    removed = 0
    for sha in sorted(shas):
        still_used = s.exec(
            sm_select(SyncRecord.id)
            .where(SyncRecord.entity == "recording")
            .where(col(SyncRecord.deleted).is_(False))
            .where(col(SyncRecord.payload)["sha256"].as_string() == sha)
        ).all()
        if set(still_used) - gone:
            continue
        m = s.get(Media, sha)
        if m is not None:
            s.delete(m)
            removed += 1
        if media_dir is None:
            log.warning("media directory unknown: the file of an erased recording stays")
            continue
        folder = media_dir / sha[:2]
        for f in (folder / sha, folder / f"{sha}.part"):
            f.unlink(missing_ok=True)
    s.flush()
    return removed


def _erase_linked_rows(s: Session, org_id: uuid.UUID, candidate_id: uuid.UUID) -> dict[str, int]:
    """Rows of other hub tables that name the candidate, and rows that point at those."""
    conn = s.connection()
    tables: list[Table] = [t for t in HubTable.metadata.sorted_tables if t.name not in NOT_ERASED]
    found: dict[str, list[dict[str, Any]]] = {}
    for t in tables:
        for name in CANDIDATE_COLUMNS:
            if name in t.c:
                q = select(t).where(t.c[name] == candidate_id)
                if "org_id" in t.c:
                    q = q.where(t.c.org_id == org_id)
                found.setdefault(t.name, []).extend(dict(r) for r in conn.execute(q).mappings())
    grew = True
    while grew:
        grew = False
        for t in tables:
            for fk in t.foreign_keys:
                parent = fk.column.table.name
                if parent not in found or not found[parent]:
                    continue
                values = {r[fk.column.name] for r in found[parent]}
                pk = [c.name for c in t.primary_key.columns]
                have = {tuple(r[c] for c in pk) for r in found.get(t.name, [])}
                new = [
                    dict(r)
                    for r in conn.execute(select(t).where(fk.parent.in_(values))).mappings()
                    if tuple(r[c] for c in pk) not in have
                ]
                if new:
                    found.setdefault(t.name, []).extend(new)
                    grew = True
    counts: dict[str, int] = {}
    for t in reversed(tables):  # children before parents
        rows = found.get(t.name)
        if not rows:
            continue
        cols: list[Column[Any]] = list(t.primary_key.columns.values())
        if len(cols) == 1:
            conn.execute(delete(t).where(cols[0].in_([r[cols[0].name] for r in rows])))
        else:
            keys = [tuple(r[c.name] for c in cols) for r in rows]
            conn.execute(delete(t).where(tuple_(*cols).in_(keys)))
        counts[t.name] = len(rows)
    return counts


def _compact_after_commit(s: Session) -> None:
    """VACUUM cannot run inside a transaction: run it once this one has committed."""
    if s.info.get("privacy_compact"):
        return
    s.info["privacy_compact"] = True
    engine = s.get_bind()

    def run(_s: Session) -> None:
        _s.info.pop("privacy_compact", None)
        compact(engine)  # type: ignore[arg-type]

    event.listen(s, "after_commit", run, once=True)


def compact(engine: Engine) -> None:
    """Rewrite the database so erased bytes are gone from free pages and the WAL."""
    try:
        if engine.dialect.name == "sqlite":
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("VACUUM")
                busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                cur.close()
            finally:
                raw.close()
            if busy and busy[0]:
                log.warning("after an erasure the WAL could not be truncated yet (busy)")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                for table in ("hub_record", "hub_media", "hub_idempotency"):
                    c.exec_driver_sql(f"VACUUM {table}")
    except Exception:  # the erasure itself is committed; compaction is retried next time
        log.exception("compacting the hub database after an erasure failed")


# --- the two ways in -----------------------------------------------------------------------------


def _erase(
    s: Session, org_id: uuid.UUID, candidate_id: uuid.UUID
) -> tuple[list[SyncRecord], int, dict[str, int]]:
    recs = _reachable(s, org_id, "candidate", candidate_id)
    media = _purge_media(s, recs)
    other = _erase_linked_rows(s, org_id, candidate_id)
    _compact_after_commit(s)
    return recs, media, other


def _ack(s: Session, who: Principal, deletion: Deletion, ack: p.ErasureAck) -> bool:
    if who.device_id is None:
        return False
    known = s.exec(
        sm_select(DeletionAck)
        .where(DeletionAck.deletion_id == deletion.id)
        .where(DeletionAck.device_id == who.device_id)
    ).first()
    if known is not None:
        return False
    s.add(
        DeletionAck(
            deletion_id=deletion.id,
            device_id=who.device_id,
            user_id=who.user_id,
            how=ack.how,
            rows=ack.rows,
            files=ack.files,
        )
    )
    return True


def _local_ack(candidate_id: uuid.UUID, erased: Any) -> p.ErasureAck:
    """The counts a laptop's own candidate tombstone carries (anything odd counts as 0)."""
    info = erased if isinstance(erased, dict) else {}

    def count(key: str) -> int:
        v = info.get(key, 0)
        return v if isinstance(v, int) and 0 <= v < 10**9 else 0

    return p.ErasureAck(
        candidate_id=candidate_id, how="local", rows=count("rows"), files=count("files")
    )


def record_acks(s: Session, who: Principal, body: p.ErasureAcks) -> p.ErasureAckResult:
    """Laptops confirm erasures they did on pulling tombstones; unknown ones are ignored."""
    recorded = 0
    for ack in body.acks:
        deletion = _deletion_of(s, who.org_id, ack.candidate_id)
        if deletion is not None and _ack(s, who, deletion, ack):
            recorded += 1
    s.flush()
    return p.ErasureAckResult(recorded=recorded)


def _deletion_of(s: Session, org_id: uuid.UUID, candidate_id: uuid.UUID) -> Deletion | None:
    return s.exec(
        sm_select(Deletion).where(Deletion.org_id == org_id, Deletion.erased_id == candidate_id)
    ).first()


def on_delete_op(s: Session, who: Principal, op: p.PushOp, already_deleted: bool) -> None:
    """Called by the push for a tombstone it is about to store (visibility already checked):
    a candidate's goes with a full erasure on the hub and is the laptop's acknowledgement; an
    interview's or recording's takes its media files along."""
    if op.op is not OutboxOpKind.DELETE or op.entity not in ERASE_ENTITIES:
        return
    if op.entity != "candidate":
        if not already_deleted:
            recs = _reachable(s, who.org_id, op.entity, op.entity_id)
            if _purge_media(s, [r for r in recs if not r.deleted]):
                _compact_after_commit(s)
        return
    deletion = _deletion_of(s, who.org_id, op.entity_id)
    if deletion is None:
        recs, media, other = _erase(s, who.org_id, op.entity_id)
        cand = next((r for r in recs if r.entity == "candidate"), None)
        deletion = Deletion(
            org_id=who.org_id,
            org_unit_id=cand.org_unit_id if cand is not None else who.org_unit_id,
            erased_id=op.entity_id,
            origin="laptop",
            reason="candidate_request",
            requested_by=who.user_id,
            device_id=who.device_id,
            records=sum(1 for r in recs if not r.deleted),
            media_files=media,
            other_rows=other,
            storage=storage_note(s.get_bind().dialect.name),
        )
        s.add(deletion)
        s.flush()
        log.info("candidate %s erased on the hub (tombstone from a laptop)", op.entity_id)
        audit.record(
            s,
            who,
            audit.AuditAction.DELETION_REQUEST,
            "candidate",
            op.entity_id,
            {"origin": "laptop", "records": deletion.records, "media_files": media},
        )
    if p.ERASED_KEY in op.payload:  # erased on that laptop first (not a plain delete)
        _ack(s, who, deletion, _local_ack(op.entity_id, op.payload[p.ERASED_KEY]))


def request_deletion(
    s: Session, who: Principal, req: p.DeletionRequest, unit: uuid.UUID | None
) -> p.DeletionOut:
    """Erase a candidate from the hub; laptops erase it when they pull the tombstones. A
    candidate the hub never saw gets a tombstone in `unit`, so laptops holding it erase it."""
    from server.records import Sequencer  # records calls into this module for pushes

    known = _deletion_of(s, who.org_id, req.candidate_id)
    if known is not None:
        return _out(s, known)
    cand = s.exec(
        sm_select(SyncRecord)
        .where(SyncRecord.entity == "candidate")
        .where(SyncRecord.entity_id == req.candidate_id)
    ).first()
    if cand is not None and cand.org_id != who.org_id:
        raise not_found(f"Candidate {req.candidate_id}")
    target = cand.org_unit_id if cand is not None else (unit or who.org_unit_id)
    _require_unit(who, Action.ERASE_CANDIDATE, target)
    if cand is None:
        _unit_in_org(s, who.org_id, target)
    recs, media, other = _erase(s, who.org_id, req.candidate_id)
    live = [r for r in recs if not r.deleted]
    seq = Sequencer(s)
    for r in sorted(live, key=lambda r: r.entity != "candidate"):
        r.deleted = True
        r.payload = {"id": str(r.entity_id)}  # the data goes; only the fact of deletion stays
        r.server_seq = seq.next()
        r.updated_at = utcnow()
        s.add(r)
    if cand is None:
        s.add(
            SyncRecord(
                entity="candidate",
                entity_id=req.candidate_id,
                org_id=who.org_id,
                org_unit_id=target,
                author_id=who.user_id,
                candidate_ref=req.candidate_id,
                payload={"id": str(req.candidate_id)},
                deleted=True,
                server_seq=seq.next(),
            )
        )
    seq.save()
    deletion = Deletion(
        org_id=who.org_id,
        org_unit_id=target,
        erased_id=req.candidate_id,
        origin="hub",
        reason=req.reason,
        requested_by=who.user_id,
        device_id=who.device_id,
        records=len(live),
        media_files=media,
        other_rows=other,
        storage=storage_note(s.get_bind().dialect.name),
    )
    s.add(deletion)
    s.flush()
    log.info("candidate %s erased on the hub (request by user %s)", req.candidate_id, who.user_id)
    audit.record(
        s,
        who,
        audit.AuditAction.DELETION_REQUEST,
        "candidate",
        req.candidate_id,
        {"origin": "hub", "reason": req.reason, "records": len(live), "media_files": media},
    )
    return _out(s, deletion)


# --- reports -------------------------------------------------------------------------------------


def _require_unit(who: Principal, action: Action, unit: uuid.UUID) -> None:
    scope = scope_of(who.role, action)
    if scope is None or (scope is not Scope.ORG and unit != who.org_unit_id):
        raise HubError(
            403,
            p.ErrorCode.FORBIDDEN,
            f"The role {who.role.value} may do '{action.value}' only in its own org unit.",
        )


def _unit_in_org(s: Session, org_id: uuid.UUID, unit: uuid.UUID) -> None:
    u = s.get(OrgUnit, unit)
    if u is None or u.org_id != org_id:
        raise not_found(f"Org unit {unit}")


def _out(s: Session, d: Deletion) -> p.DeletionOut:
    acks = s.exec(
        sm_select(DeletionAck)
        .where(DeletionAck.deletion_id == d.id)
        .order_by(col(DeletionAck.acked_at))
    ).all()
    return p.DeletionOut(
        id=d.id,
        candidate_id=d.erased_id,
        org_unit_id=d.org_unit_id,
        origin="hub" if d.origin == "hub" else "laptop",
        reason=d.reason,
        requested_by=d.requested_by,
        device_id=d.device_id,
        requested_at=d.requested_at,
        hub_records=d.records,
        hub_media_files=d.media_files,
        hub_other_rows={str(k): int(v) for k, v in d.other_rows.items()},
        hub_storage=d.storage,
        laptops=[
            p.DeletionAckOut(
                device_id=a.device_id,
                user_id=a.user_id,
                how="pulled" if a.how == "pulled" else "local",
                rows=a.rows,
                files=a.files,
                acked_at=a.acked_at,
            )
            for a in acks
        ],
    )


def list_deletions(
    s: Session, who: Principal, unit: uuid.UUID | None, candidate_id: uuid.UUID | None
) -> list[p.DeletionOut]:
    q = sm_select(Deletion).where(Deletion.org_id == who.org_id)
    if unit is not None:
        q = q.where(Deletion.org_unit_id == unit)
    if candidate_id is not None:
        q = q.where(Deletion.erased_id == candidate_id)
    rows = s.exec(q.order_by(col(Deletion.requested_at).desc()).limit(1000)).all()
    return [_out(s, d) for d in rows]


# --- the organisation's compliance profile -------------------------------------------------------


def org_profile(s: Session, org_id: uuid.UUID) -> p.OrgComplianceOut:
    """The organisation's profile; revision 0 (the bundled `strict`) if none was chosen."""
    row = s.get(OrgCompliance, org_id)
    if row is None:
        prof = load_compliance_profile("strict", [compliance_dir()])
        return p.OrgComplianceOut(
            profile_id=prof.id, revision=0, profile=prof.model_dump(mode="json")
        )
    return p.OrgComplianceOut(
        profile_id=row.profile_id, revision=row.revision, profile=row.profile, set_at=row.set_at
    )


def set_org_profile(s: Session, who: Principal, body: p.ComplianceProfileSet) -> p.OrgComplianceOut:
    """Validate with the laptop's own rules (no emotion/affect inference, ever) and store."""
    if (body.profile_id is None) == (body.profile is None):
        raise invalid("Send either profile_id (a bundled profile) or profile (a document).")
    try:
        if body.profile is not None:
            prof = profile_from_document(body.profile, "The compliance profile")
        else:
            assert body.profile_id is not None
            prof = load_compliance_profile(body.profile_id, [compliance_dir()])
    except ProfileError as exc:
        raise invalid(exc.message) from exc
    except NotFoundError as exc:
        raise invalid(f"{exc.message} Bundled: strict, consented-nonverbal.") from exc
    row = s.get(OrgCompliance, who.org_id)
    doc = prof.model_dump(mode="json")
    if row is None:
        row = OrgCompliance(org_id=who.org_id, profile_id=prof.id, profile=doc, set_by=who.user_id)
    else:
        row.profile_id = prof.id
        row.profile = doc
        row.revision += 1
        row.set_by = who.user_id
        row.set_at = utcnow()
    s.add(row)
    s.flush()
    log.info(
        "compliance profile of org %s set to %s (revision %d)", who.org_id, prof.id, row.revision
    )
    audit.record(
        s,
        who,
        audit.AuditAction.PROFILE_CHANGE,
        "organisation",
        who.org_id,
        {"profile_id": prof.id, "revision": row.revision},
    )
    return org_profile(s, who.org_id)
