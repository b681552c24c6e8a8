"""Repository functions: the only place that knows how domain objects map to tables.

Every function takes an open Session; the caller (normally `Database.write`) owns the
transaction, so a domain change and its outbox row always commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from app.core.auditchain import GENESIS_HASH, audit_digest
from app.core.domain import OutboxOpKind, OutboxStatus
from app.core.errors import NotFoundError
from app.core.jobprofile import JobProfile
from app.storage.tables import (
    AuditLog,
    Candidate,
    Competency,
    InterviewerRating,
    Job,
    OutboxOp,
    Question,
    Record,
)
from app.storage.types import utcnow

# --- generic change tracking ------------------------------------------------------------------


def table_name(row: Record) -> str:
    return str(type(row).__table__.name)  # type: ignore[attr-defined]


def _payload(row: Record) -> dict[str, Any]:
    data: dict[str, Any] = row.model_dump(mode="json")
    return data


def _enqueue(
    session: Session, entity: str, entity_id: uuid.UUID, op: OutboxOpKind, payload: dict[str, Any]
) -> OutboxOp:
    last = session.exec(select(func.max(OutboxOp.seq))).one()
    item = OutboxOp(seq=(last or 0) + 1, entity=entity, entity_id=entity_id, op=op, payload=payload)
    session.add(item)
    return item


def save(session: Session, row: Record, *, outbox: bool = True) -> Record:
    """Insert or update `row`; synced tables get an outbox op in the same transaction."""
    row.updated_at = utcnow()
    session.add(row)
    if outbox and row.synced:
        _enqueue(session, table_name(row), row.id, OutboxOpKind.UPSERT, _payload(row))
    return row


def delete(session: Session, row: Record, *, outbox: bool = True) -> None:
    """Delete `row`; the hub learns of it through a tombstone op (deletes always win)."""
    entity, entity_id = table_name(row), row.id
    session.delete(row)
    session.flush()
    if outbox and row.synced:
        _enqueue(session, entity, entity_id, OutboxOpKind.DELETE, {"id": str(entity_id)})


def pending_ops(session: Session, limit: int = 500) -> Sequence[OutboxOp]:
    return session.exec(
        select(OutboxOp)
        .where(OutboxOp.status == OutboxStatus.PENDING)
        .order_by(col(OutboxOp.seq))
        .limit(limit)
    ).all()


# --- jobs -------------------------------------------------------------------------------------


_PROFILE_NS = uuid.UUID("6f1d9a52-2c55-4e0b-9a43-52f1b0a70e11")


def stable_id(*parts: str) -> uuid.UUID:
    """The same id on every laptop and the hub for content that comes from a job profile, so
    an interview synced from another laptop points at a job this laptop also has."""
    return uuid.uuid5(_PROFILE_NS, "/".join(parts))


def upsert_job_profile(session: Session, profile: JobProfile, source: str = "bundled") -> bool:
    """Store a profile with its competencies and questions; True if anything changed.

    A profile already stored with a newer version is left alone (a hub update outranks an
    older bundled copy)."""
    digest = profile.content_hash()
    job = session.exec(select(Job).where(Job.slug == profile.id)).first()
    if job is not None:
        if job.content_hash == digest:
            return False
        if job.version > profile.version:
            return False
        for old_c in session.exec(select(Competency).where(Competency.job_id == job.id)).all():
            session.delete(old_c)
        for old_q in session.exec(select(Question).where(Question.job_id == job.id)).all():
            session.delete(old_q)
        session.flush()
    else:
        job = Job(
            id=stable_id("job", profile.id),
            slug=profile.id,
            version=profile.version,
            title_zh="",
            title_en="",
            content_hash=digest,
        )
    job.version = profile.version
    job.title_zh, job.title_en = profile.title.zh, profile.title.en
    job.department_zh, job.department_en = profile.department.zh, profile.department.en
    job.match_threshold = profile.match_threshold
    job.career_track = profile.career_track.value
    job.source = source
    job.content_hash = digest
    job.profile = profile.model_dump(mode="json")
    job.updated_at = utcnow()
    session.add(job)
    session.flush()
    for i, c in enumerate(profile.competencies):
        session.add(
            Competency(
                id=stable_id("competency", profile.id, c.id),
                job_id=job.id,
                key=c.id,
                position=i,
                category=c.category.value,
                name_zh=c.name.zh,
                name_en=c.name.en,
                weight=c.weight,
                required_level=c.required_level,
                anchors={str(k): v.model_dump() for k, v in sorted(c.anchors.items())},
                indicators_zh=list(c.indicators.zh),
                indicators_en=list(c.indicators.en),
            )
        )
    for i, q in enumerate(profile.questions):
        session.add(
            Question(
                id=stable_id("question", profile.id, q.id),
                job_id=job.id,
                key=q.id,
                position=i,
                kind=q.kind.value,
                text_zh=q.text.zh,
                text_en=q.text.en,
                competency_keys=list(q.competencies),
                probes=[p.model_dump() for p in q.probes],
                minutes=q.minutes,
            )
        )
    session.flush()
    return True


def list_jobs(session: Session) -> Sequence[Job]:
    return session.exec(select(Job).order_by(col(Job.slug))).all()


def get_job(session: Session, slug: str) -> Job:
    job = session.exec(select(Job).where(Job.slug == slug)).first()
    if job is None:
        known = ", ".join(j.slug for j in list_jobs(session)) or "none"
        raise NotFoundError(f"No job profile '{slug}' (known: {known}).")
    return job


def get_job_by_id(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"No job {job_id}.")
    return job


def job_profile(job: Job) -> JobProfile:
    return JobProfile.model_validate(job.profile)


def competencies(session: Session, job: Job) -> Sequence[Competency]:
    return session.exec(
        select(Competency).where(Competency.job_id == job.id).order_by(col(Competency.position))
    ).all()


def questions(session: Session, job: Job) -> Sequence[Question]:
    return session.exec(
        select(Question).where(Question.job_id == job.id).order_by(col(Question.position))
    ).all()


# --- candidates -------------------------------------------------------------------------------


def search_candidates(session: Session, query: str, limit: int = 50) -> Sequence[Candidate]:
    """Substring search over name, e-mail, phone, school, major and skills.

    The trigram index needs 3 characters; two-character Chinese names fall back to LIKE."""
    q = query.strip()
    if not q:
        return session.exec(select(Candidate).order_by(col(Candidate.name)).limit(limit)).all()
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        ids = session.exec(  # type: ignore[call-overload]
            text("SELECT candidate_id FROM candidate_fts WHERE candidate_fts MATCH :q LIMIT :n"),
            params={"q": phrase, "n": limit},
        ).all()
        wanted = [uuid.UUID(hex=r[0]) for r in ids]
        if not wanted:
            return []
        return session.exec(
            select(Candidate).where(col(Candidate.id).in_(wanted)).order_by(col(Candidate.name))
        ).all()
    like = f"%{q}%"
    return session.exec(
        select(Candidate)
        .where(
            col(Candidate.name).like(like)
            | col(Candidate.email).like(like)
            | col(Candidate.phone).like(like)
        )
        .order_by(col(Candidate.name))
        .limit(limit)
    ).all()


def final_levels(session: Session, session_id: uuid.UUID) -> dict[str, float]:
    """The panel's level per competency: the mean of the submitted interviewer ratings."""
    rows = session.exec(
        select(InterviewerRating).where(InterviewerRating.session_id == session_id)
    ).all()
    by_key: dict[str, list[int]] = {}
    for r in rows:
        by_key.setdefault(r.competency_key, []).append(r.level)
    return {k: round(sum(v) / len(v), 1) for k, v in by_key.items()}


# --- audit ------------------------------------------------------------------------------------


def _audit_digest(prev_hash: str, row: AuditLog) -> str:
    # The digest lives in app.core so the hub checks pushed rows with the very same code.
    return audit_digest(
        prev_hash,
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=row.detail,
    )


def append_audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    last = session.exec(select(AuditLog).order_by(col(AuditLog.seq).desc()).limit(1)).first()
    prev = last.hash if last else GENESIS_HASH
    row = AuditLog(
        seq=(last.seq + 1) if last else 1,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail or {},
        prev_hash=prev,
        hash="",
    )
    row.at = row.at.replace(microsecond=row.at.microsecond)  # stored exactly as hashed
    row.hash = _audit_digest(prev, row)
    session.add(row)
    session.flush()
    return row


def verify_audit(session: Session) -> list[int]:
    """Sequence numbers of audit rows whose chain does not hold (empty = intact)."""
    bad: list[int] = []
    prev = GENESIS_HASH
    expected_seq = 1
    for row in session.exec(select(AuditLog).order_by(col(AuditLog.seq))).all():
        if row.seq != expected_seq or row.prev_hash != prev or _audit_digest(prev, row) != row.hash:
            bad.append(row.seq)
        prev = row.hash
        expected_seq = row.seq + 1
    return bad
