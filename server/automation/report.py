"""The interview report PDF built on the hub from synced records (scores, bars, match,
interviewer notes, AI evidence quotes), laid out like the laptop's report (app/reports/pdf.py,
which the hub may not import). A Chinese TrueType font found by fontconfig is embedded (as on
the laptop); without one, reportlab's built-in CID font STSong-Light is used and the reader's
PDF viewer supplies the glyphs."""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app import __version__
from app.core.domain import CompetencyBar, match_percent
from server.automation import rules
from server.tables import SyncRecord

log = logging.getLogger(__name__)
FONT_NAME = "RoundTwoHubCJK"
PROBE = "二面面试报告胜任力"

T = {
    "title": ("面试报告", "Interview report"),
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
    "evidence": ("评分依据", "Evidence and notes"),
    "advisory": (
        "AI 建议仅供参考；以面试官依据行为锚定评分量表（BARS）作出的评分为准，"
        "系统不会自动淘汰任何人。",
        "AI suggestions are advisory; the interviewers' BARS ratings are the decision. "
        "Nobody is rejected automatically.",
    ),
    "generated": ("生成于", "Generated"),
}


@functools.cache
def cjk_font() -> str:
    """Register and return the font for the PDF (see the module docstring)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    exe = shutil.which("fc-match")
    if exe is not None:
        try:
            proc = subprocess.run(
                [exe, "-s", "-f", "%{file}|%{index}|%{fontformat}\n", "sans-serif:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            lines = proc.stdout.splitlines()[:20]
        except (OSError, subprocess.TimeoutExpired):
            lines = []
        for line in lines:
            parts = line.split("|")
            if len(parts) != 3 or parts[2] != "TrueType":
                continue
            try:
                font = TTFont(FONT_NAME, parts[0], subfontIndex=int(parts[1] or 0))
            except (TTFError, OSError, KeyError, ValueError):
                continue
            if all(ord(ch) in font.face.charToGlyph for ch in PROBE):
                pdfmetrics.registerFont(font)
                return FONT_NAME
    log.warning("no Chinese TrueType font found: the hub report uses STSong-Light (not embedded)")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _t(key: str, lang: str) -> str:
    zh, en = T[key]
    return zh if lang == "zh" else en


@dataclass
class Line:
    key: str
    name_zh: str
    name_en: str
    weight: float
    required_level: int
    interviewer_level: float | None
    ai_level: float | None

    @property
    def meets_bar(self) -> bool | None:
        if self.interviewer_level is None:
            return None
        return self.interviewer_level >= self.required_level


@dataclass
class HubReport:
    session_id: uuid.UUID
    candidate: str
    job_zh: str
    job_en: str
    threshold: float
    when: dt.datetime | None
    interviewers: list[str]
    lines: list[Line]
    match: float | None
    notes: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    quotes: dict[str, list[str]] = field(default_factory=dict)


def _records(s: Session, entity: str, **refs: uuid.UUID | None) -> list[SyncRecord]:
    q = select(SyncRecord).where(SyncRecord.entity == entity)
    for name, value in refs.items():
        q = q.where(getattr(SyncRecord, name) == value)
    q = q.where(col(SyncRecord.deleted).is_(False)).order_by(col(SyncRecord.server_seq))
    return list(s.exec(q).all())


def gather(s: Session, session: SyncRecord) -> HubReport:
    pl = session.payload
    job = rules.live(s, "job", session.job_ref)
    cand = rules.live(s, "candidate", session.candidate_ref)
    comps = sorted(
        _records(s, "competency", job_ref=session.job_ref),
        key=lambda r: int(r.payload.get("position", 0) or 0),
    )
    ratings = _records(s, "interviewerrating", session_ref=session.entity_id)
    suggestions = _records(s, "aisuggestion", session_ref=session.entity_id)
    levels: dict[str, list[int]] = {}
    notes: dict[str, list[tuple[str, int, str]]] = {}
    raters: list[str] = []
    for r in ratings:
        key, rater = str(r.payload.get("competency_key")), str(r.payload.get("rater", ""))
        level = int(r.payload.get("level", 0))
        levels.setdefault(key, []).append(level)
        notes.setdefault(key, []).append((rater, level, str(r.payload.get("note") or "")))
        if rater not in raters:
            raters.append(rater)
    ai: dict[str, float | None] = {}
    quotes: dict[str, list[str]] = {}
    for sg in suggestions:
        key = str(sg.payload.get("competency_key"))
        lv = sg.payload.get("level")
        ai[key] = None if lv is None else float(lv)
        seen: list[str] = []
        for ev in sg.payload.get("evidence") or []:
            q = str(ev.get("quote", "")).strip() if isinstance(ev, dict) else ""
            if q and q not in seen:
                seen.append(q)
        quotes[key] = seen[:4]
    lines = []
    for c in comps:
        cp = c.payload
        key = str(cp.get("key"))
        got = levels.get(key)
        lines.append(
            Line(
                key,
                str(cp.get("name_zh", key)),
                str(cp.get("name_en", key)),
                float(cp.get("weight", 0) or 0),
                int(cp.get("required_level", 0) or 0),
                None if not got else round(sum(got) / len(got), 1),
                ai.get(key),
            )
        )
    bars = [CompetencyBar(x.key, x.weight, x.required_level) for x in lines]
    match = match_percent(bars, {x.key: x.interviewer_level for x in lines})
    return HubReport(
        session_id=session.entity_id,
        candidate=str(cand.payload.get("name", "—")) if cand else "—",
        job_zh=str(job.payload.get("title_zh", "—")) if job else "—",
        job_en=str(job.payload.get("title_en", "—")) if job else "—",
        threshold=float(job.payload.get("match_threshold", 70.0) or 70.0) if job else 70.0,
        when=rules.parse_time(pl.get("started_at")) or rules.parse_time(pl.get("scheduled_at")),
        interviewers=raters or [str(pl.get("interviewer") or "—")],
        lines=lines,
        match=match,
        notes=notes,
        quotes=quotes,
    )


def render_pdf(data: HubReport, lang: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    zh = lang == "zh"
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

    story: list[Any] = [p(f"{_t('title', lang)} · {data.candidate}", h1)]
    when = data.when.strftime("%Y-%m-%d %H:%M UTC") if data.when else "—"
    story.append(
        p(
            f"{_t('job', lang)}: {data.job_zh if zh else data.job_en}　　"
            f"{_t('when', lang)}: {when}　　{_t('raters', lang)}: {', '.join(data.interviewers)}"
        )
    )
    m = data.match
    lp, rp = ("（", "）") if zh else (" (", ")")
    verdict = "—" if m is None else f"{m:.1f}%{lp}{_t('threshold', lang)} {data.threshold:.0f}%{rp}"
    story.append(p(f"{_t('match', lang)}: {verdict}", h2))
    header = [_t(k, lang) for k in ("competency", "weight", "bar", "rated", "ai", "result")]
    rows: list[list[Any]] = [[p(h) for h in header]]
    for c in data.lines:
        res = {True: _t("meets", lang), False: _t("below", lang), None: _t("unrated", lang)}[
            c.meets_bar
        ]
        rows.append(
            [
                p(c.name_zh if zh else c.name_en),
                p(f"{c.weight:.0%}"),
                p(f"≥ {c.required_level}"),
                p("—" if c.interviewer_level is None else f"{c.interviewer_level:g}"),
                p("—" if c.ai_level is None else f"{c.ai_level:g}"),
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
    for i, c in enumerate(data.lines, start=1):
        if c.meets_bar is False:
            style.append(("BACKGROUND", (5, i), (5, i), colors.HexColor("#fde2df")))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm), p(_t("evidence", lang), h2)]
    for c in data.lines:
        notes, quotes = data.notes.get(c.key, []), data.quotes.get(c.key, [])
        if not notes and not quotes:
            continue
        story.append(p(c.name_zh if zh else c.name_en))
        for rater, level, note in notes:
            if note:
                story.append(
                    p(
                        f"　{rater}（{level}）：{note}" if zh else f"  {rater} ({level}): {note}",
                        small,
                    )
                )
        for q in quotes:
            story.append(p(f"　“{q}”", small))
    story += [
        Spacer(1, 5 * mm),
        p(_t("advisory", lang), small),
        p(
            f"{_t('generated', lang)} {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
            f"RoundTwo hub {__version__} · {data.session_id}",
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
        title=f"{_t('title', lang)} {data.candidate}",
        author=f"RoundTwo hub {__version__}",
    )
    doc.build(story)
    return buf.getvalue()
