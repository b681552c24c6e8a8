"""Consent records per purpose: stored before any capture, withdrawn with a timestamp."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlmodel import Session, col, select

from app.core.domain import ConsentPurpose
from app.storage import repo
from app.storage.tables import ConsentRecord
from app.storage.types import utcnow


def record_consent(
    session: Session,
    candidate_id: uuid.UUID,
    interview_id: uuid.UUID | None,
    choices: Mapping[ConsentPurpose, bool],
    *,
    notice_version: str,
    notice_lang: str,
    recorded_by: str,
) -> list[ConsentRecord]:
    """One row per purpose, with the notice version shown and the time; audited."""
    now = utcnow()
    rows = []
    for purpose, granted in choices.items():
        row = ConsentRecord(
            candidate_id=candidate_id,
            session_id=interview_id,
            purpose=purpose,
            granted=bool(granted),
            notice_version=notice_version,
            notice_lang=notice_lang,
            recorded_at=now,
            recorded_by=recorded_by,
        )
        repo.save(session, row)
        rows.append(row)
    repo.append_audit(
        session,
        recorded_by,
        "consent",
        "candidate",
        str(candidate_id),
        {
            "interview": str(interview_id) if interview_id else None,
            "granted": sorted(p.value for p, g in choices.items() if g),
            "declined": sorted(p.value for p, g in choices.items() if not g),
            "notice_version": notice_version,
        },
    )
    return rows


def granted_purposes(session: Session, interview_id: uuid.UUID) -> set[ConsentPurpose]:
    """Purposes whose latest record for this interview is granted and not withdrawn."""
    latest: dict[str, ConsentRecord] = {}
    for row in session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.session_id == interview_id)
        .order_by(col(ConsentRecord.recorded_at))
    ).all():
        latest[str(row.purpose)] = row
    return {ConsentPurpose(p) for p, r in latest.items() if r.granted and r.withdrawn_at is None}


def withdraw(session: Session, interview_id: uuid.UUID, purpose: ConsentPurpose, by: str) -> int:
    """Mark the granted records of `purpose` withdrawn; returns how many changed."""
    rows = session.exec(
        select(ConsentRecord).where(
            ConsentRecord.session_id == interview_id,
            ConsentRecord.purpose == purpose,
            col(ConsentRecord.withdrawn_at).is_(None),
            ConsentRecord.granted == True,  # noqa: E712 (SQL expression)
        )
    ).all()
    for row in rows:
        row.withdrawn_at = utcnow()
        repo.save(session, row)
    if rows:
        repo.append_audit(
            session,
            by,
            "consent-withdrawn",
            "interviewsession",
            str(interview_id),
            {"purpose": purpose.value},
        )
    return len(rows)
