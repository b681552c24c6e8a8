"""The report of one interview: interviewer levels against the bar, AI beside them, match %."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.core.domain import CompetencyBar, match_percent
from app.core.errors import NotFoundError
from app.storage import repo
from app.storage.tables import AISuggestion, Candidate, InterviewSession, Job

DISAGREEMENT_LEVELS = 2


@dataclass(frozen=True)
class CompetencyLine:
    key: str
    name_zh: str
    name_en: str
    weight: float
    required_level: int
    interviewer_level: float | None
    ai_level: float | None
    ai_confidence: float | None

    @property
    def meets_bar(self) -> bool | None:
        if self.interviewer_level is None:
            return None
        return self.interviewer_level >= self.required_level

    @property
    def gap(self) -> float:
        if self.interviewer_level is None:
            return 0.0
        return max(0.0, self.required_level - self.interviewer_level)

    @property
    def disagreement(self) -> bool:
        if self.interviewer_level is None or self.ai_level is None:
            return False
        return abs(self.interviewer_level - self.ai_level) >= DISAGREEMENT_LEVELS


@dataclass(frozen=True)
class InterviewSummary:
    session_id: uuid.UUID
    candidate_name: str
    job_slug: str
    job_title_zh: str
    job_title_en: str
    match_threshold: float
    lines: list[CompetencyLine] = field(default_factory=list)

    @property
    def match(self) -> float | None:
        bars = [CompetencyBar(c.key, c.weight, c.required_level) for c in self.lines]
        return match_percent(bars, {c.key: c.interviewer_level for c in self.lines})

    @property
    def gaps(self) -> list[CompetencyLine]:
        """Competencies below the bar, the most consequential (weight x gap) first."""
        below = [c for c in self.lines if c.gap > 0]
        return sorted(below, key=lambda c: c.weight * c.gap, reverse=True)


def build_summary(session: Session, session_id: uuid.UUID) -> InterviewSummary:
    interview = session.get(InterviewSession, session_id)
    if interview is None:
        raise NotFoundError(f"No interview session {session_id}.")
    job = session.get(Job, interview.job_id)
    candidate = session.get(Candidate, interview.candidate_id)
    assert job is not None and candidate is not None  # foreign keys guarantee both
    levels = repo.final_levels(session, session_id)
    ai = {
        s.competency_key: s
        for s in session.exec(
            select(AISuggestion).where(AISuggestion.session_id == session_id)
        ).all()
    }
    lines = [
        CompetencyLine(
            key=c.key,
            name_zh=c.name_zh,
            name_en=c.name_en,
            weight=c.weight,
            required_level=c.required_level,
            interviewer_level=levels.get(c.key),
            ai_level=ai[c.key].level if c.key in ai else None,
            ai_confidence=ai[c.key].confidence if c.key in ai else None,
        )
        for c in repo.competencies(session, job)
    ]
    return InterviewSummary(
        session_id=session_id,
        candidate_name=candidate.name,
        job_slug=job.slug,
        job_title_zh=job.title_zh,
        job_title_en=job.title_en,
        match_threshold=job.match_threshold,
        lines=lines,
    )


def display_width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _rjust(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def _fmt(level: float | None) -> str:
    return "—" if level is None else f"{level:.1f}".rstrip("0").rstrip(".")


def render_text(s: InterviewSummary, lang: str) -> list[str]:
    zh = lang.startswith("zh")

    def name(c: CompetencyLine) -> str:
        return c.name_zh if zh else c.name_en

    title = s.job_title_zh if zh else s.job_title_en
    labels = [f"{name(c)} ({c.weight:.0%})" for c in s.lines]
    w = max([display_width(x) for x in labels] + [12]) + 2
    out = [
        f"{'候选人' if zh else 'Candidate'}: {s.candidate_name}    "
        f"{'职位' if zh else 'Job'}: {title}",
        "",
        _ljust("胜任力" if zh else "Competency", w)
        + _rjust("面试官" if zh else "Rater", 8)
        + _rjust("要求" if zh else "Bar", 6)
        + _rjust("AI", 6)
        + "  "
        + ("结论" if zh else "Result"),
    ]
    for c, label in zip(s.lines, labels, strict=True):
        verdict = {
            True: "达标" if zh else "meets",
            False: "未达标" if zh else "below",
            None: "未评" if zh else "not rated",
        }[c.meets_bar]
        if c.disagreement:
            verdict += "  ⚑ " + ("人机分歧≥2级" if zh else "AI differs by ≥2")
        out.append(
            _ljust(label, w)
            + _rjust(_fmt(c.interviewer_level), 8)
            + _rjust("≥" + str(c.required_level), 6)
            + _rjust(_fmt(c.ai_level), 6)
            + "  "
            + verdict
        )
    m = s.match
    out.append("")
    if m is None:
        out.append("岗位匹配度: 尚无评分" if zh else "Job match: no ratings yet")
    else:
        ok = m >= s.match_threshold
        out.append(
            (f"岗位匹配度: {m:.1f}%（门槛 {s.match_threshold:.0f}%，{'达到' if ok else '未达到'}）")
            if zh
            else (
                f"Job match: {m:.1f}% (threshold {s.match_threshold:.0f}%, "
                f"{'met' if ok else 'not met'})"
            )
        )
    if s.gaps:
        out.append(
            ("培训差距（按权重×差距排序）" if zh else "Training gaps (weight x gap first)")
            + ": "
            + ", ".join(f"{name(c)} {_fmt(c.interviewer_level)}→{c.required_level}" for c in s.gaps)
        )
    out.append(
        "AI 建议仅供参考，结论由面试官作出。"
        if zh
        else "AI suggestions are advisory; the interviewers decide."
    )
    return out
