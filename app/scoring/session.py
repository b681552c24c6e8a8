"""Scoring a stored interview: answers from the database in, AISuggestion rows out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.core.domain import match_percent
from app.core.errors import NotFoundError
from app.scoring.calibration import Pair
from app.scoring.evidence import AnswerInput, Evidence, TimedText
from app.scoring.scorer import MAX_EVIDENCE, SCORER_VERSION, AnswerScore, Scorer
from app.storage import repo
from app.storage.tables import AISuggestion, Answer, InterviewSession, TranscriptSegment


def stored_answers(s: Session, session_id: uuid.UUID) -> list[AnswerInput]:
    """Each stored answer with its transcript segments' timing (or the answer's own span)."""
    rows = s.exec(
        select(Answer).where(Answer.session_id == session_id).order_by(col(Answer.position))
    ).all()
    out: list[AnswerInput] = []
    for a in rows:
        segs = s.exec(
            select(TranscriptSegment)
            .where(TranscriptSegment.answer_id == a.id)
            .order_by(col(TranscriptSegment.start_ms))
        ).all()
        if segs:
            parts = [TimedText(x.start_ms, x.end_ms, x.text) for x in segs]
            out.append(AnswerInput.from_segments(str(a.id), a.question_key, a.lang, parts))
        else:
            out.append(
                AnswerInput.from_segments(
                    str(a.id), a.question_key, a.lang, [TimedText(a.start_ms, a.end_ms, a.text)]
                )
            )
    return out


@dataclass
class SessionSuggestion:
    competency: str
    level: float | None
    confidence: float
    evidence: list[Evidence]
    answers: list[str]


def combine(scores: Sequence[AnswerScore]) -> dict[str, SessionSuggestion]:
    """One suggestion per competency over all answers that targeted it.

    The level is the confidence-weighted mean of the answers with evidence; answers that gave
    none do not drag it down (they are gaps to probe, not proof of a low level).
    """
    by: dict[str, list[tuple[AnswerScore, float | None, float]]] = {}
    for sc in scores:
        for key, sug in sc.suggestions.items():
            by.setdefault(key, []).append(
                (sc, None if sug.level is None else sug.score, sug.confidence)
            )
    out: dict[str, SessionSuggestion] = {}
    for key, items in by.items():
        rated = [(lv, c) for _, lv, c in items if lv is not None]
        evidence: list[Evidence] = []
        for sc, _, _ in sorted(items, key=lambda x: -x[2]):
            evidence += [e for e in sc.suggestions[key].evidence[:3]]
        if rated:
            wsum = sum(c for _, c in rated)
            level: float | None = round(sum(lv * c for lv, c in rated) / wsum, 1)
            conf = min(0.95, max(c for _, c in rated) + 0.05 * (len(rated) - 1))
        else:
            level, conf = None, min(c for _, _, c in items)
        out[key] = SessionSuggestion(
            key,
            level,
            round(conf, 2),
            evidence[:MAX_EVIDENCE],
            [sc.answer_id for sc, _, _ in items],
        )
    return out


def score_session(
    s: Session, session_id: uuid.UUID, scorer: Scorer
) -> dict[str, SessionSuggestion]:
    interview = s.get(InterviewSession, session_id)
    if interview is None:
        raise NotFoundError(f"No interview session {session_id}.")
    answers = [a for a in stored_answers(s, session_id) if a.text.strip()]
    known = {q.id for q in scorer.profile.questions}
    scores = [scorer.score(a) for a in answers if a.question_id in known]
    return combine(scores)


def save_suggestions(
    s: Session, session_id: uuid.UUID, suggestions: dict[str, SessionSuggestion]
) -> list[AISuggestion]:
    """Replace this session's AI suggestions (one row per competency, queued for the hub)."""
    existing = {
        r.competency_key: r
        for r in s.exec(select(AISuggestion).where(AISuggestion.session_id == session_id)).all()
    }
    rows: list[AISuggestion] = []
    for key, sug in sorted(suggestions.items()):
        row = existing.get(key) or AISuggestion(session_id=session_id, competency_key=key)
        row.level = sug.level
        row.confidence = sug.confidence
        row.evidence = [e.to_dict() for e in sug.evidence]
        row.scorer_version = SCORER_VERSION
        repo.save(s, row)
        rows.append(row)
    return rows


def rating_pairs(s: Session, session_ids: Sequence[uuid.UUID]) -> list[Pair]:
    """(AI, interviewer) level pairs from stored interviews, for the calibration report."""
    pairs: list[Pair] = []
    for sid in session_ids:
        finals = repo.final_levels(s, sid)
        for row in s.exec(select(AISuggestion).where(AISuggestion.session_id == sid)).all():
            human = finals.get(row.competency_key)
            if row.level is not None and human is not None:
                pairs.append(Pair(row.competency_key, float(row.level), float(human)))
    return pairs


def analysis_section(scorer: Scorer, answers: Sequence[AnswerInput]) -> dict[str, Any]:
    """The `competencies` and `match` parts of analysis.json for `roundtwo analyze`.

    The match figure here is provisional and computed from the AI suggestions, labelled as such;
    the report's match % comes from the interviewers' final levels.
    """
    known = {q.id for q in scorer.profile.questions}
    combined = combine([scorer.score(a) for a in answers if a.question_id in known])
    comps = []
    for c in scorer.profile.competencies:
        sug = combined.get(c.id)
        comps.append(
            {
                "id": c.id,
                "name": c.name.model_dump(),
                "weight": c.weight,
                "required_level": c.required_level,
                "ai_level": None if sug is None else sug.level,
                "insufficient_evidence": sug is None or sug.level is None,
                "confidence": None if sug is None else sug.confidence,
                "evidence": [] if sug is None else [e.to_dict() for e in sug.evidence],
                "answers": [] if sug is None else sug.answers,
            }
        )
    levels: dict[str, float | None] = {
        c.id: (None if (sug := combined.get(c.id)) is None else sug.level)
        for c in scorer.profile.competencies
    }
    pct = match_percent(scorer.profile.bars, levels)
    return {
        "competencies": comps,
        "match": {
            "percent": pct,
            "threshold": scorer.profile.match_threshold,
            "basis": "ai-suggestions",
            "note": "Provisional, from AI suggestions; the interviewers' ratings decide.",
        },
        "scorer_version": SCORER_VERSION,
    }
