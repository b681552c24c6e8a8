"""Read models for screens and reports: plain dataclasses built from the tables (no Qt)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import NotFoundError
from app.storage import repo
from app.storage.tables import Application, Candidate, InterviewSession, Job


@dataclass(frozen=True)
class InterviewRow:
    session_id: uuid.UUID
    candidate_id: uuid.UUID
    candidate_name: str
    job_slug: str
    job_title_zh: str
    job_title_en: str
    interviewer: str
    status: str
    scheduled_at: dt.datetime | None
    location: str | None


def interviews(
    session: Session,
    *,
    job_slug: str | None = None,
    day: dt.date | None = None,
    tz: dt.tzinfo | None = None,
    limit: int = 200,
) -> list[InterviewRow]:
    """Interviews, newest first; `day` keeps those scheduled on that local calendar day."""
    stmt = (
        select(InterviewSession, Candidate, Job)
        .join(Candidate, col(Candidate.id) == col(InterviewSession.candidate_id))
        .join(Job, col(Job.id) == col(InterviewSession.job_id))
        .order_by(col(InterviewSession.scheduled_at).desc())
        .limit(limit)
    )
    if job_slug:
        stmt = stmt.where(Job.slug == job_slug)
    rows = []
    for s, c, j in session.exec(stmt).all():
        if day is not None and (
            s.scheduled_at is None or s.scheduled_at.astimezone(tz).date() != day
        ):
            continue
        rows.append(
            InterviewRow(
                s.id,
                c.id,
                c.name,
                j.slug,
                j.title_zh,
                j.title_en,
                s.interviewer,
                str(s.status),
                s.scheduled_at,
                s.location,
            )
        )
    return rows


@dataclass(frozen=True)
class CandidateDetail:
    id: uuid.UUID
    name: str
    email: str | None
    phone: str | None
    city: str | None
    education_level: str | None
    school: str | None
    major: str | None
    years_experience: float | None
    skills: list[str]
    experience: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    career_goal: str | None
    applications: list[dict[str, Any]] = field(default_factory=list)


def candidate_detail(session: Session, candidate_id: uuid.UUID) -> CandidateDetail:
    c = session.get(Candidate, candidate_id)
    if c is None:
        raise NotFoundError(f"No candidate {candidate_id}.")
    apps = []
    for a, j in session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(Application.candidate_id == candidate_id)
    ).all():
        apps.append(
            {
                "job_slug": j.slug,
                "job_title_zh": j.title_zh,
                "job_title_en": j.title_en,
                "round": a.round,
                "status": a.status,
                "round1_score": a.round1_score,
                "round1_passed": a.round1_passed,
                "round1_notes": a.round1_notes or "",
                "round1_detail": dict(a.round1_detail),
                "profile": repo.job_profile(j),
            }
        )
    return CandidateDetail(
        c.id,
        c.name,
        c.email,
        c.phone,
        c.city,
        c.education_level,
        c.school,
        c.major,
        c.years_experience,
        list(c.skills),
        list(c.experience),
        list(c.projects),
        c.career_goal,
        apps,
    )
