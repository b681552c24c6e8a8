"""Interviewer ratings: the decision. One row per interview x competency x rater."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from app.core.errors import InvalidInputError
from app.storage import repo
from app.storage.tables import InterviewerRating, InterviewSession
from app.storage.types import utcnow


def save_rating(
    session: Session,
    interview_id: uuid.UUID,
    competency_key: str,
    rater: str,
    level: int,
    note: str = "",
) -> InterviewerRating:
    """Create or update the rater's level for one competency (audited, queued for the hub)."""
    if not 0 <= level <= 10:
        raise InvalidInputError(f"Rating for '{competency_key}': level {level} is outside 0..10.")
    if not rater.strip():
        raise InvalidInputError("A rating needs the interviewer's name (Settings → your name).")
    interview = session.get(InterviewSession, interview_id)
    if interview is None:
        raise InvalidInputError(f"No interview {interview_id}.")
    job = repo.get_job_by_id(session, interview.job_id)
    keys = {c.id for c in repo.job_profile(job).competencies}
    if competency_key not in keys:
        raise InvalidInputError(
            f"Competency '{competency_key}' is not part of job '{job.slug}' "
            f"({', '.join(sorted(keys))})."
        )
    row = session.exec(
        select(InterviewerRating).where(
            InterviewerRating.session_id == interview_id,
            InterviewerRating.competency_key == competency_key,
            InterviewerRating.rater == rater,
        )
    ).first()
    before = None if row is None else row.level
    if row is None:
        row = InterviewerRating(
            session_id=interview_id, competency_key=competency_key, rater=rater, level=level
        )
    row.level, row.note, row.submitted_at = level, note, utcnow()
    repo.save(session, row)
    repo.append_audit(
        session,
        rater,
        "rate",
        "interviewsession",
        str(interview_id),
        {"competency": competency_key, "from": before, "to": level},
    )
    return row


def ratings_by(
    session: Session, interview_id: uuid.UUID, rater: str
) -> dict[str, InterviewerRating]:
    return {
        r.competency_key: r
        for r in session.exec(
            select(InterviewerRating).where(
                InterviewerRating.session_id == interview_id, InterviewerRating.rater == rater
            )
        ).all()
    }
