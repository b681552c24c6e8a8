"""Read models for screens and reports: plain dataclasses built from the tables (no Qt)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import NotFoundError
from app.migrate.legacy import HistoryItem, history
from app.scoring.tailored import CandidateBrief, TailoredProbe, tailored_probes
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
    history: list[HistoryItem] = field(default_factory=list)  # imported interviews, training


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
        history(session, candidate_id),
    )


def candidate_brief(
    session: Session, candidate_id: uuid.UUID, past: list[HistoryItem] | None = None
) -> CandidateBrief:
    """What the interviewer knows before round two: the résumé's projects and goal, round-1
    notes (this laptop's applications, then imported interview records, newest first) and
    the courses the candidate took (imported training records)."""
    c = session.get(Candidate, candidate_id)
    if c is None:
        raise NotFoundError(f"No candidate {candidate_id}.")
    notes = [
        a.round1_notes.strip()
        for a in session.exec(
            select(Application).where(Application.candidate_id == candidate_id)
        ).all()
        if a.round1_notes and a.round1_notes.strip()
    ]
    past = history(session, candidate_id) if past is None else past
    notes += [h.notes.strip() for h in past if h.entity == "interviews" and h.notes.strip()]
    courses = list(dict.fromkeys(h.title for h in past if h.entity == "training" and h.title))
    return CandidateBrief(
        projects=tuple(c.projects),
        round1_notes="\n".join(dict.fromkeys(notes)),
        past_training=tuple(courses),
        career_goal=c.career_goal or "",
    )


def candidate_probes(
    session: Session, candidate_id: uuid.UUID, job_id: uuid.UUID, lang: str
) -> list[TailoredProbe]:
    """Probes for this candidate and job from their own material (see `tailored_probes`)."""
    profile = repo.job_profile(repo.get_job_by_id(session, job_id))
    return tailored_probes(profile, candidate_brief(session, candidate_id), lang)


# --- review (recording + signal track + transcript) -------------------------------------------
@dataclass(frozen=True)
class ReviewSegment:
    start_ms: int  # on the recording's clock
    end_ms: int
    text: str
    lang: str
    source: str  # "asr" (transcript segment) | "typed" (the interviewer's notes per question)


@dataclass(frozen=True)
class ReviewEvidence:
    competency_key: str
    quote: str
    start_ms: int | None  # on the recording's clock; None when the evidence has no time


@dataclass(frozen=True)
class ReviewData:
    session_id: uuid.UUID
    recording_path: str | None
    duration_ms: int
    offset_ms: int  # recording time of the interview's t=0 (answers and cues use that clock)
    segments: list[ReviewSegment]
    cues: dict[str, list[tuple[int, float]]]  # signal -> (recording ms, value), as stored
    marks: list[tuple[int, str]]  # (recording ms, label) from the recording's markers
    evidence: list[ReviewEvidence]


REVIEW_SIGNALS = ("face_visible", "gaze_at_camera", "speech")


def review_data(session: Session, session_id: uuid.UUID) -> ReviewData:
    """What the review screen needs, with every time on the recording's clock.

    Answers, cue samples and evidence carry the room's interview clock (t=0 at Start);
    the recording begins a little earlier. The offset comes from the first question marker
    the room wrote into the recording (its interview time is the first answer's start)."""
    from app.storage.tables import AISuggestion, Answer, Observation, Recording, TranscriptSegment

    if session.get(InterviewSession, session_id) is None:
        raise NotFoundError(f"No interview session {session_id}.")
    rec = session.exec(
        select(Recording)
        .where(Recording.session_id == session_id)
        .order_by(col(Recording.started_at).desc())
    ).first()
    answers = session.exec(
        select(Answer).where(Answer.session_id == session_id).order_by(col(Answer.start_ms))
    ).all()
    marks = (
        [(round(float(m.get("t", 0)) * 1000), str(m.get("label", ""))) for m in rec.markers]
        if rec is not None
        else []
    )
    offset = 0
    first_q = next((t for t, label in marks if label == "question"), None)
    if first_q is not None and answers:
        offset = max(0, first_q - min(a.start_ms for a in answers))
    asr = session.exec(
        select(TranscriptSegment)
        .where(TranscriptSegment.session_id == session_id)
        .order_by(col(TranscriptSegment.start_ms))
    ).all()
    if asr:
        segments = [ReviewSegment(t.start_ms, t.end_ms, t.text, t.lang, "asr") for t in asr]
    else:
        segments = [
            ReviewSegment(a.start_ms + offset, a.end_ms + offset, a.text, a.lang, "typed")
            for a in answers
        ]
    cues: dict[str, list[tuple[int, float]]] = {}
    for o in session.exec(
        select(Observation)
        .where(Observation.session_id == session_id)
        .where(col(Observation.signal).in_(REVIEW_SIGNALS))
        .order_by(col(Observation.t_ms))
    ).all():
        cues.setdefault(o.signal, []).append((o.t_ms + offset, o.value))
    evidence = []
    for s in session.exec(select(AISuggestion).where(AISuggestion.session_id == session_id)).all():
        for e in s.evidence:
            quote = str(e.get("quote", "")).strip()
            if not quote:
                continue
            start = e.get("start_ms", e.get("start"))
            evidence.append(
                ReviewEvidence(
                    s.competency_key, quote, None if start is None else int(start) + offset
                )
            )
    ends = [s.end_ms for s in segments] + [t for t, _ in marks]
    ends += [pts[-1][0] for pts in cues.values() if pts]
    duration = round((rec.duration_s or 0.0) * 1000) if rec is not None else 0
    return ReviewData(
        session_id,
        rec.path if rec is not None else None,
        max([duration, *ends]) if ends or duration else 0,
        offset,
        segments,
        cues,
        marks,
        evidence,
    )
