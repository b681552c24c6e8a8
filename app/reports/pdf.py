"""The interview report as PDF (Chinese fonts embedded) and JSON, from the same summary."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app import __version__
from app.core.cancel import StepProgress, check
from app.core.errors import DataDirError, NotFoundError
from app.reports.summary import InterviewSummary, build_summary
from app.storage.tables import AISuggestion, InterviewerRating, InterviewSession

T = {
    "title": ("面试报告", "Interview report"),
    "candidate": ("候选人", "Candidate"),
    "job": ("职位", "Job"),
    "when": ("时间", "Date"),
    "raters": ("面试官", "Interviewers"),
    "match": ("岗位匹配度", "Job match"),
    "threshold": ("门槛", "threshold"),
    "competency": ("胜任力", "Competency"),
    "weight": ("权重", "Weight"),
    "bar": ("要求", "Bar"),
    "rated": ("面试官评分", "Interviewers"),
    "ai": ("AI 建议", "AI suggestion"),
    "result": ("结论", "Result"),
    "meets": ("达标", "meets"),
    "below": ("未达标", "below"),
    "unrated": ("未评", "not rated"),
    "differs": ("人机分歧≥2级", "AI differs ≥2"),
    "evidence": ("评分依据", "Evidence and notes"),
    "notes": ("面试官备注", "Interviewer notes"),
    "quotes": ("AI 引用的原话", "Quotes behind the AI suggestion"),
    "insufficient": ("证据不足", "insufficient evidence"),
    "gaps": ("培训差距（影响最大的在前）", "Training gaps (most consequential first)"),
    "nogaps": ("各项胜任力均达到岗位要求。", "No gaps against the job's bars."),
    "advisory": (
        "AI 建议仅供参考；以面试官依据行为锚定评分量表（BARS）作出的评分为准，"
        "系统不会自动淘汰任何人。",
        "AI suggestions are advisory; the interviewers' BARS ratings are the decision. "
        "Nobody is rejected automatically.",
    ),
    "generated": ("生成于", "Generated"),
}


def _t(key: str, lang: str) -> str:
    zh, en = T[key]
    return zh if lang == "zh" else en


@dataclass
class ReportData:
    summary: InterviewSummary
    interviewers: list[str]
    when: dt.datetime | None
    notes: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        s = self.summary
        return {
            "session_id": str(s.session_id),
            "candidate": s.candidate_name,
            "job": {"id": s.job_slug, "title": {"zh": s.job_title_zh, "en": s.job_title_en}},
            "when": self.when.isoformat() if self.when else None,
            "interviewers": self.interviewers,
            "match_percent": s.match,
            "match_threshold": s.match_threshold,
            "competencies": [
                {
                    "id": c.key,
                    "name": {"zh": c.name_zh, "en": c.name_en},
                    "weight": c.weight,
                    "required_level": c.required_level,
                    "interviewer_level": c.interviewer_level,
                    "meets_bar": c.meets_bar,
                    "ai_level": c.ai_level,
                    "ai_confidence": c.ai_confidence,
                    "disagreement": c.disagreement,
                    "notes": [
                        {"rater": r, "level": lv, "note": n}
                        for r, lv, n in self.notes.get(c.key, [])
                    ],
                    "evidence": self.evidence.get(c.key, []),
                }
                for c in s.lines
            ],
            "gaps": [c.key for c in s.gaps],
            "generated_by": f"RoundTwo {__version__}",
        }


def gather(session: Session, session_id: uuid.UUID) -> ReportData:
    summary = build_summary(session, session_id)
    interview = session.get(InterviewSession, session_id)
    assert interview is not None
    notes: dict[str, list[tuple[str, int, str]]] = {}
    raters: list[str] = []
    for r in session.exec(
        select(InterviewerRating)
        .where(InterviewerRating.session_id == session_id)
        .order_by(col(InterviewerRating.rater))
    ).all():
        notes.setdefault(r.competency_key, []).append((r.rater, r.level, r.note))
        if r.rater not in raters:
            raters.append(r.rater)
    evidence: dict[str, list[dict[str, Any]]] = {}
    for s in session.exec(select(AISuggestion).where(AISuggestion.session_id == session_id)).all():
        evidence[s.competency_key] = list(s.evidence)
    return ReportData(
        summary,
        raters or [interview.interviewer],
        interview.started_at or interview.scheduled_at,
        notes,
        evidence,
    )


def resolve_session(session: Session, ref: str) -> uuid.UUID:
    """A session id, or 'latest' for the most recent interview."""
    if ref == "latest":
        row = session.exec(
            select(InterviewSession).order_by(col(InterviewSession.scheduled_at).desc())
        ).first()
        if row is None:
            raise NotFoundError("There are no interviews yet (try `roundtwo demo`).")
        return row.id
    try:
        return uuid.UUID(ref)
    except ValueError as exc:
        raise NotFoundError(f"'{ref}' is not an interview id (a UUID) or 'latest'.") from exc


def unique_quotes(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per quoted sentence (a sentence can be evidence of several kinds)."""
    seen: set[str] = set()
    out = []
    for e in evidence:
        q = str(e.get("quote", "")).strip()
        if q and q not in seen:
            seen.add(q)
            out.append(e)
    return out


def clock(ms: Any) -> str:
    """mm:ss of a millisecond offset, or '' when there is none."""
    try:
        total = int(ms) // 1000
    except (TypeError, ValueError):
        return ""
    return f"{total // 60:02d}:{total % 60:02d}"


def write_json(data: ReportData, out: Path) -> None:
    _write(out, (json.dumps(data.to_json(), ensure_ascii=False, indent=2) + "\n").encode())


def _write(out: Path, payload: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(payload)
    except OSError as exc:
        raise DataDirError(f"Cannot write the report to {out} ({exc.strerror}).") from exc


PDF_STEPS = 5  # font, radar chart, bar chart, layout, file


def render_pdf(
    data: ReportData,
    lang: str,
    *,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
) -> bytes:
    """`progress(done, PDF_STEPS)` after each step; `cancel` is checked before each one
    (a cancelled export raises `CancelledError` and writes nothing)."""
    step = _stepper(progress, cancel)
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from app.reports import charts  # matplotlib: loaded only when a PDF is made
    from app.reports.fonts import register_cjk_font

    font = register_cjk_font()
    step(1)
    s = data.summary
    zh = lang == "zh"
    # CJK wrapping breaks anywhere (right for Chinese, wrong inside English words).
    base = ParagraphStyle(
        "base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK" if zh else None
    )
    small = ParagraphStyle(
        "small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")
    )
    h1 = ParagraphStyle("h1", parent=base, fontSize=17, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=3)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)

    story: list[Any] = [p(f"{_t('title', lang)} · {s.candidate_name}", h1)]
    when = data.when.astimezone().strftime("%Y-%m-%d %H:%M") if data.when else "—"
    story.append(
        p(
            f"{_t('job', lang)}: {s.job_title_zh if zh else s.job_title_en}　　"
            f"{_t('when', lang)}: {when}　　{_t('raters', lang)}: {', '.join(data.interviewers)}"
        )
    )
    m = s.match
    lp, rp = ("（", "）") if zh else (" (", ")")
    verdict = (
        "—" if m is None else f"{m:.1f}%{lp}{_t('threshold', lang)} {s.match_threshold:.0f}%{rp}"
    )
    story.append(p(f"{_t('match', lang)}: {verdict}", h2))

    header = [_t(k, lang) for k in ("competency", "weight", "bar", "rated", "ai", "result")]
    rows: list[list[Any]] = [[p(h) for h in header]]
    for c in s.lines:
        res = {True: _t("meets", lang), False: _t("below", lang), None: _t("unrated", lang)}[
            c.meets_bar
        ]
        if c.disagreement:
            res += " ⚑ " + _t("differs", lang)
        ai = (
            "—"
            if c.ai_level is None
            else (f"{c.ai_level:g}" + (f" ({c.ai_confidence:.0%})" if c.ai_confidence else ""))
        )
        rows.append(
            [
                p(c.name_zh if zh else c.name_en),
                p(f"{c.weight:.0%}"),
                p(f"≥ {c.required_level}"),
                p("—" if c.interviewer_level is None else f"{c.interviewer_level:g}"),
                p(ai),
                p(res),
            ]
        )
    table = Table(
        rows, colWidths=[46 * mm, 16 * mm, 16 * mm, 24 * mm, 28 * mm, 40 * mm], repeatRows=1
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, c in enumerate(s.lines, start=1):
        if c.meets_bar is False:
            style.append(("BACKGROUND", (5, i), (5, i), colors.HexColor("#fde2df")))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm)]

    radar = Image(io.BytesIO(charts.radar_png(s, lang)), width=78 * mm, height=78 * mm)
    step(2)
    bars_png = charts.bars_png(s, lang)
    step(3)
    bars = Image(
        io.BytesIO(bars_png), width=92 * mm, height=(0.45 * len(s.lines) + 1.0) * 17.6 * mm
    )
    story.append(Table([[radar, bars]], colWidths=[84 * mm, 96 * mm]))

    story.append(p(_t("gaps", lang), h2))
    if s.gaps:
        story.append(
            p(
                "，".join(
                    f"{c.name_zh if zh else c.name_en} {c.interviewer_level:g} → {c.required_level}"
                    for c in s.gaps
                )
                if zh
                else ", ".join(
                    f"{c.name_en} {c.interviewer_level:g} → {c.required_level}" for c in s.gaps
                )
            )
        )
    else:
        story.append(p(_t("nogaps", lang)))

    story.append(p(_t("evidence", lang), h2))
    for c in s.lines:
        name = c.name_zh if zh else c.name_en
        notes = data.notes.get(c.key, [])
        quotes = data.evidence.get(c.key, [])
        if not notes and not quotes:
            continue
        story.append(p(name, base))
        for rater, level, note in notes:
            if note:
                story.append(
                    p(
                        f"　{rater}（{level}）：{note}" if zh else f"  {rater} ({level}): {note}",
                        small,
                    )
                )
        for ev in unique_quotes(quotes)[:4]:
            stamp = clock(ev.get("start_ms"))
            quote = str(ev.get("quote", ""))
            story.append(p(f"　“{quote}” {stamp}", small))
    story += [
        Spacer(1, 5 * mm),
        p(_t("advisory", lang), small),
        p(
            f"{_t('generated', lang)} {dt.datetime.now().astimezone():%Y-%m-%d %H:%M} · "
            f"RoundTwo {__version__} · {s.session_id}",
            small,
        ),
    ]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{_t('title', lang)} {s.candidate_name}",
        author=f"RoundTwo {__version__}",
    )
    doc.build(story)
    step(4)
    return buf.getvalue()


def _stepper(
    progress: StepProgress | None, cancel: threading.Event | None
) -> Callable[[int], None]:
    check(cancel, "The PDF export")

    def step(done: int) -> None:
        if progress is not None:
            progress(done, PDF_STEPS)
        check(cancel, "The PDF export")

    return step


def write_pdf(
    data: ReportData,
    out: Path,
    lang: str,
    *,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
) -> None:
    payload = render_pdf(data, lang, progress=progress, cancel=cancel)
    _write(out, payload)
    if progress is not None:
        progress(PDF_STEPS, PDF_STEPS)
