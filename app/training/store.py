"""Reads interview results from the store, saves plans and progress as TrainingPlan rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.core.errors import InvalidInputError, NotFoundError
from app.storage import repo
from app.storage.tables import (
    AISuggestion,
    Answer,
    Candidate,
    InterviewerRating,
    InterviewSession,
    Job,
    TrainingPlan,
)
from app.training.catalogue import ensure_bundled_courses, list_courses
from app.training.plan import (
    QUOTE_CHARS,
    Bilingual,
    CompetencyBaseline,
    Evidence,
    PlanDocument,
    PlanInput,
    PlanOptions,
    generate_plan,
)
from app.training.progress import plan_state

PLAN_ACTIVE = "active"
PLAN_SUPERSEDED = "superseded"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _as_uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref.strip())
    except ValueError:
        return None


def resolve_interview(session: Session, ref: str) -> InterviewSession:
    """An interview session from its id, or the latest interview of a candidate (id, name
    or e-mail)."""
    key = _as_uuid(ref)
    if key is not None:
        interview = session.get(InterviewSession, key)
        if interview is not None:
            return interview
        candidate = session.get(Candidate, key)
    else:
        candidates = session.exec(
            select(Candidate).where((Candidate.name == ref.strip()) | (Candidate.email == ref))
        ).all()
        if len(candidates) > 1:
            raise InvalidInputError(
                f"'{ref}' matches {len(candidates)} candidates; use the candidate or session id."
            )
        candidate = candidates[0] if candidates else None
    if candidate is None:
        raise NotFoundError(f"No interview session or candidate '{ref}'.")
    interviews = session.exec(
        select(InterviewSession)
        .where(InterviewSession.candidate_id == candidate.id)
        .order_by(col(InterviewSession.ended_at).desc(), col(InterviewSession.created_at).desc())
    ).all()
    if not interviews:
        raise NotFoundError(f"Candidate '{ref}' has no interview session to plan from.")
    return interviews[0]


def collect_evidence(
    session: Session, interview: InterviewSession, question_competencies: dict[str, list[str]]
) -> dict[str, list[Evidence]]:
    """Quotes per competency: rating notes first, then AI evidence, then the answers."""
    out: dict[str, list[Evidence]] = {}
    ratings = session.exec(
        select(InterviewerRating)
        .where(InterviewerRating.session_id == interview.id)
        .order_by(col(InterviewerRating.rater))
    ).all()
    for r in ratings:
        if r.note.strip():
            out.setdefault(r.competency_key, []).append(
                Evidence(source="rating", text=_quote(r.note), who=r.rater)
            )
    suggestions = session.exec(
        select(AISuggestion).where(AISuggestion.session_id == interview.id)
    ).all()
    for s in suggestions:
        for ev in s.evidence:
            text = next(
                (str(ev[k]) for k in ("quote", "text", "excerpt") if isinstance(ev.get(k), str)),
                "",
            )
            if text.strip():
                start = ev.get("start_ms", ev.get("t_ms"))
                out.setdefault(s.competency_key, []).append(
                    Evidence(
                        source="ai",
                        text=_quote(text),
                        who=s.scorer_version,
                        start_ms=int(start) if isinstance(start, int | float) else None,
                    )
                )
    answers = session.exec(
        select(Answer).where(Answer.session_id == interview.id).order_by(col(Answer.position))
    ).all()
    for a in answers:
        if not a.text.strip() or a.question_key is None:
            continue
        for key in question_competencies.get(a.question_key, []):
            out.setdefault(key, []).append(
                Evidence(
                    source="answer",
                    text=_quote(a.text),
                    question_key=a.question_key,
                    start_ms=a.start_ms,
                )
            )
    return out


def plan_input(session: Session, interview: InterviewSession) -> PlanInput:
    job = session.get(Job, interview.job_id)
    candidate = session.get(Candidate, interview.candidate_id)
    assert job is not None and candidate is not None  # foreign keys guarantee both
    profile = repo.job_profile(job)
    levels = repo.final_levels(session, interview.id)
    if not levels:
        raise InvalidInputError(
            f"Interview {interview.id} has no interviewer ratings yet; rate it before planning."
        )
    baselines = [
        CompetencyBaseline(
            key=c.id,
            name_zh=c.name.zh,
            name_en=c.name.en,
            category=c.category.value,
            weight=c.weight,
            required_level=c.required_level,
            level=levels.get(c.id),
            anchors={str(k): Bilingual(zh=v.zh, en=v.en) for k, v in c.anchors.items()},
        )
        for c in profile.competencies
    ]
    qmap = {q.id: list(q.competencies) for q in profile.questions}
    return PlanInput(
        candidate_name=candidate.name,
        job_slug=job.slug,
        job_title=Bilingual(zh=job.title_zh, en=job.title_en),
        session_id=str(interview.id),
        language=interview.language,
        competencies=baselines,
        evidence=collect_evidence(session, interview, qmap),
        interviewed_at=interview.ended_at or interview.started_at,
    )


@dataclass(frozen=True)
class StoredPlan:
    id: uuid.UUID
    status: str
    doc: PlanDocument
    created: bool = False


def _stored(row: TrainingPlan, created: bool = False) -> StoredPlan:
    return StoredPlan(row.id, row.status, PlanDocument.from_entries(row.items), created)


def create_or_get_plan(
    session: Session,
    ref: str,
    options: PlanOptions,
    now: dt.datetime,
    *,
    regenerate: bool = False,
) -> StoredPlan:
    """The active plan for the interview, or a new one (regenerate supersedes the old plan,
    which keeps its progress log)."""
    interview = resolve_interview(session, ref)
    existing = session.exec(
        select(TrainingPlan)
        .where(TrainingPlan.session_id == interview.id, TrainingPlan.status != PLAN_SUPERSEDED)
        .order_by(col(TrainingPlan.created_at).desc())
    ).first()
    if existing is not None and not regenerate:
        return _stored(existing)
    ensure_bundled_courses(session)
    doc = generate_plan(plan_input(session, interview), list_courses(session), options, now)
    if existing is not None:
        existing.status = PLAN_SUPERSEDED
        repo.save(session, existing)
    row = TrainingPlan(
        candidate_id=interview.candidate_id,
        session_id=interview.id,
        job_id=interview.job_id,
        status=PLAN_ACTIVE,
        items=doc.to_entries(),
    )
    repo.save(session, row)
    repo.append_audit(session, "training", "create", "trainingplan", str(row.id), {})
    return _stored(row, created=True)


def find_plan(session: Session, ref: str) -> TrainingPlan:
    """A plan by its id, or the current plan of an interview session or candidate."""
    key = _as_uuid(ref)
    if key is not None:
        row = session.get(TrainingPlan, key)
        if row is not None:
            return row
    interview = resolve_interview(session, ref)
    row = session.exec(
        select(TrainingPlan)
        .where(TrainingPlan.session_id == interview.id, TrainingPlan.status != PLAN_SUPERSEDED)
        .order_by(col(TrainingPlan.created_at).desc())
    ).first()
    if row is None:
        raise NotFoundError(
            f"No training plan for '{ref}' yet; create one with `roundtwo training plan {ref}`."
        )
    return row


def load_plan(session: Session, ref: str) -> StoredPlan:
    return _stored(find_plan(session, ref))


def update_plan(
    session: Session, ref: str, change: Callable[[PlanDocument], Any], now: dt.datetime
) -> StoredPlan:
    """Apply `change` (e.g. record a re-assessment) to the stored plan and save it with its
    outbox row in the caller's transaction; a failing change saves nothing."""
    row = find_plan(session, ref)
    if row.status == PLAN_SUPERSEDED:
        raise InvalidInputError(
            f"Training plan {row.id} was superseded; record progress on the new one."
        )
    doc = PlanDocument.from_entries(row.items)
    change(doc)
    row.items = doc.to_entries()
    row.status = plan_state(doc, now).status
    repo.save(session, row)
    return _stored(row)
