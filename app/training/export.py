"""Plan exports: JSON (the document plus its derived state), PDF (embedded CJK font), iCalendar."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path
from typing import Any

from app.core.errors import InvalidInputError
from app.training.catalogue import FORMAT_LABELS
from app.training.plan import KIND_LABELS, PlanDocument, PlanItem, zone
from app.training.progress import plan_state, trajectories

EXPORT_SUFFIXES = (".json", ".pdf", ".ics")


def plan_json(doc: PlanDocument, now: dt.datetime, plan_id: str | None = None) -> dict[str, Any]:
    state = plan_state(doc, now)
    return {
        "plan_id": plan_id,
        "header": doc.header.model_dump(mode="json"),
        "items": [i.model_dump(mode="json") for i in doc.items],
        "uncovered": [u.model_dump(mode="json") for u in doc.uncovered],
        "deferred": [d.model_dump(mode="json") for d in doc.deferred],
        "events": [e.model_dump(mode="json") for e in doc.events],
        "state": {
            "status": state.status,
            "stalled": state.stalled,
            "stall_reason": state.stall_reason.model_dump() if state.stall_reason else None,
            "overdue": state.overdue,
            "last_activity": state.last_activity.isoformat(),
            "open_items": state.open_items,
            "done_items": state.done_items,
        },
        "trajectory": [
            {
                "competency": t.key,
                "name": t.name.model_dump(),
                "required_level": t.required_level,
                "latest": t.latest,
                "reached": t.reached,
                "points": [
                    {
                        "at": p.at.isoformat() if p.at else None,
                        "level": p.level,
                        "source": p.source,
                    }
                    for p in t.points
                ],
            }
            for t in trajectories(doc)
        ],
    }


def write_export(
    doc: PlanDocument,
    out: Path,
    now: dt.datetime,
    *,
    lang: str = "zh",
    plan_id: str | None = None,
    font: Path | None = None,
) -> Path:
    """Write the plan in the format its suffix names (.json, .pdf or .ics)."""
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InvalidInputError(
            f"Cannot export a plan to '{out.name}': use a .json, .pdf or .ics file name."
        )
    if not out.parent.is_dir():
        raise InvalidInputError(f"The folder {out.parent} for the export does not exist.")
    if suffix == ".json":
        text = json.dumps(plan_json(doc, now, plan_id), ensure_ascii=False, indent=2)
        _atomic_write(out, text.encode("utf-8"))
    elif suffix == ".pdf":
        _atomic_write(out, plan_pdf(doc, now, lang=lang, font=font))
    else:
        _atomic_write(out, plan_ics(doc, plan_id or "plan", lang=lang))
    return out


def _atomic_write(out: Path, data: bytes) -> None:
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)


# --- iCalendar --------------------------------------------------------------------------------


def plan_ics(doc: PlanDocument, plan_id: str, *, lang: str = "zh") -> bytes:
    """One VEVENT per scheduled session of every open item, in the plan's time zone."""
    from icalendar import Calendar, Event

    tz = zone(doc.header.timezone)
    zh = lang.startswith("zh")
    cal = Calendar()
    cal.add("prodid", "-//RoundTwo//Training plan//ZH-EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add(
        "x-wr-calname", f"{'培训计划' if zh else 'Training plan'} · {doc.header.candidate_name}"
    )
    cal.add("x-wr-timezone", doc.header.timezone)
    stamp = doc.header.created_at.astimezone(dt.UTC)
    for item in doc.items:
        if item.status != "open":
            continue
        for n, s in enumerate(item.sessions, 1):
            ev = Event()
            ev.add("uid", f"{plan_id}-{item.id}-{n}@roundtwo")
            ev.add("dtstamp", stamp)
            start = s.start.astimezone(tz)
            ev.add("dtstart", start)
            ev.add("dtend", start + dt.timedelta(hours=s.hours))
            title = item.course.title_zh if zh else item.course.title_en
            ev.add("summary", f"{title} ({n}/{len(item.sessions)})")
            ev.add("description", f"{item.reason.zh}\n\n{item.reason.en}")
            ev.add("categories", [KIND_LABELS[item.kind][0 if zh else 1]])
            cal.add_component(ev)
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


# --- PDF --------------------------------------------------------------------------------------


def _t(zh: bool, zh_text: str, en_text: str) -> str:
    return zh_text if zh else en_text


def _level(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}"


def plan_pdf(
    doc: PlanDocument, now: dt.datetime, *, lang: str = "zh", font: Path | None = None
) -> bytes:
    """An A4 plan for the manager and L&D, in one language, with the CJK font embedded."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from app.reports.fonts import register_cjk_font

    font_name = register_cjk_font(font)
    zh = lang.startswith("zh")
    h = doc.header
    state = plan_state(doc, now)

    def style(name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font_name,
            fontSize=size,
            leading=size * 1.45,
            alignment=TA_LEFT,
            wordWrap="CJK",
            **kw,
        )

    title_s = style("title", 17, spaceAfter=4)
    h2 = style(
        "h2",
        12.5,
        spaceBefore=10,
        spaceAfter=4,
        textColor=colors.HexColor("#1F3A5F"),
        keepWithNext=1,
    )
    h3 = style("h3", 10.5, spaceBefore=6, spaceAfter=2, keepWithNext=1)
    body = style("body", 9)
    small = style("small", 8, textColor=colors.HexColor("#444444"))
    quote_s = style("quote", 8, leftIndent=8, textColor=colors.HexColor("#333333"))
    cell = style("cell", 8.5)
    alert = style("alert", 9.5, textColor=colors.HexColor("#B00020"))

    def p(text: str, st: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), st)

    buf = io.BytesIO()
    page = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=_t(zh, "培训计划", "Training plan") + f" · {h.candidate_name}",
        author="RoundTwo",
        lang="zh-CN" if zh else "en",
    )
    width = page.width
    story: list[Any] = []
    story.append(
        p(_t(zh, "入职培训计划", "Onboarding training plan") + f" · {h.candidate_name}", title_s)
    )
    fit = "—" if h.culture_fit_percent is None else f"{h.culture_fit_percent:.0f}%"
    meta = [
        (_t(zh, "岗位", "Job"), h.job_title.get(lang)),
        (
            _t(zh, "面试日期", "Interviewed"),
            h.interviewed_at.astimezone(zone(h.timezone)).date().isoformat()
            if h.interviewed_at
            else "—",
        ),
        (_t(zh, "计划开始", "Plan starts"), h.start_date.isoformat()),
        (
            _t(zh, "学时上限", "Hour cap"),
            _t(
                zh,
                f"每周 {h.weekly_hours_cap:g} 学时，{h.horizon_days} 天",
                f"{h.weekly_hours_cap:g} h per week, {h.horizon_days} days",
            ),
        ),
        (_t(zh, "时区", "Time zone"), h.timezone),
        (_t(zh, "文化契合度", "Culture fit"), fit),
        (
            _t(zh, "状态", "Status"),
            {
                "active": _t(zh, "进行中", "active"),
                "completed": _t(zh, "已完成", "completed"),
            }[state.status]
            + _t(
                zh,
                f"（已完成/关闭 {state.done_items}，未完成 {state.open_items}）",
                f" ({state.done_items} done or closed, {state.open_items} open)",
            ),
        ),
    ]
    mt = Table(
        [[p(k, small), p(v, body)] for k, v in meta],
        colWidths=[30 * mm, width - 30 * mm],
        hAlign="LEFT",
    )
    mt.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    story.append(mt)
    if state.stalled and state.stall_reason is not None:
        story.append(Spacer(1, 4))
        story.append(p(state.stall_reason.get(lang), alert))

    # Competencies against the bar, with the latest re-assessment.
    story.append(p(_t(zh, "胜任力与岗位要求", "Competencies against the job's bar"), h2))
    head = [
        _t(zh, "胜任力", "Competency"),
        _t(zh, "权重", "Weight"),
        _t(zh, "面试", "Interview"),
        _t(zh, "最新", "Latest"),
        _t(zh, "要求", "Bar"),
        _t(zh, "结论", "Result"),
    ]
    rows: list[list[Any]] = [[p(x, cell) for x in head]]
    for c, t in zip(h.competencies, trajectories(doc), strict=True):
        verdict = {
            True: _t(zh, "达标", "meets"),
            False: _t(zh, "未达标", "below"),
            None: _t(zh, "未评", "not rated"),
        }[t.reached]
        rows.append(
            [
                p(c.name(lang), cell),
                p(f"{c.weight:.0%}", cell),
                p(_level(c.level), cell),
                p(_level(t.latest), cell),
                p(f"≥{c.required_level}", cell),
                p(verdict, cell),
            ]
        )
    ct = Table(
        rows,
        colWidths=[width - 110 * mm, 18 * mm, 20 * mm, 20 * mm, 18 * mm, 34 * mm],
        repeatRows=1,
        hAlign="LEFT",
    )
    ct.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#B8C4D0")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(ct)

    # Items by phase, each with its reason, sessions and the interview evidence.
    story.append(p(_t(zh, "培训项目（按优先级）", "Plan items (in priority order)"), h2))
    if not doc.items:
        story.append(p(_t(zh, "没有需要安排的课程。", "No course needs to be scheduled."), body))
    phases = sorted({i.phase for i in doc.items})
    for ph in phases:
        label = _t(zh, f"第 {ph - 29}–{ph} 天", f"Days {ph - 29}–{ph}")
        if ph == 30:
            label = _t(zh, "前 30 天", "First 30 days")
        story.append(p(label, h3))
        for item in [i for i in doc.items if i.phase == ph]:
            story.append(KeepTogether(_item_block(item, lang, p, body, small, quote_s, h.timezone)))

    if doc.uncovered:
        story.append(
            p(
                _t(
                    zh,
                    "没有合适课程的差距（需人工安排）",
                    "Gaps without a suitable course (need attention)",
                ),
                h2,
            )
        )
        for u in doc.uncovered:
            story.append(p("• " + u.reason.get(lang), body))
    if doc.deferred:
        story.append(p(_t(zh, "超出学时上限、延后安排的课程", "Deferred by the hour cap"), h2))
        for d in doc.deferred:
            story.append(p("• " + d.reason.get(lang), body))

    story.append(p(_t(zh, "进展记录", "Progress log"), h2))
    if not doc.events:
        story.append(p(_t(zh, "尚无记录。", "Nothing recorded yet."), body))
    else:
        kinds = {
            "completion": _t(zh, "完成", "completion"),
            "checkin": _t(zh, "经理面谈", "manager check-in"),
            "reassessment": _t(zh, "复评", "re-assessment"),
        }
        log_rows: list[list[Any]] = [
            [
                p(_t(zh, "日期", "Date"), cell),
                p(_t(zh, "类型", "Type"), cell),
                p(_t(zh, "记录人", "By"), cell),
                p(_t(zh, "内容", "Detail"), cell),
            ]
        ]
        names = {c.key: c.name(lang) for c in h.competencies}
        for e in sorted(doc.events, key=lambda e: e.at):
            detail = e.note
            if e.kind == "reassessment" and e.competency_key:
                detail = (
                    f"{names.get(e.competency_key, e.competency_key)} → {e.level}"
                    + (
                        f"：{e.anchor.get(lang)}"
                        if e.anchor and zh
                        else f": {e.anchor.get(lang)}"
                        if e.anchor
                        else ""
                    )
                    + (f"（{e.note}）" if zh and e.note else f" ({e.note})" if e.note else "")
                )
            elif e.item_id:
                detail = f"{e.item_id}" + (
                    f"：{e.note}" if zh and e.note else f": {e.note}" if e.note else ""
                )
            log_rows.append(
                [
                    p(e.at.astimezone(zone(h.timezone)).date().isoformat(), cell),
                    p(kinds[e.kind], cell),
                    p(e.by, cell),
                    p(detail, cell),
                ]
            )
        lt = Table(log_rows, colWidths=[24 * mm, 33 * mm, 22 * mm, width - 79 * mm], repeatRows=1)
        lt.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF5")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#B8C4D0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(lt)

    footer_text = _t(
        zh,
        "RoundTwo 二面 · 培训计划由面试官评定与岗位要求生成，供经理与培训负责人参考",
        "RoundTwo · generated from the interviewers' ratings and the job's bar, "
        "for the manager and L&D",
    )

    def decorate(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(font_name, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(18 * mm, 10 * mm, footer_text)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{document.page}")
        canvas.restoreState()

    page.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def _item_block(
    item: PlanItem, lang: str, p: Any, body: Any, small: Any, quote_s: Any, tz_name: str
) -> list[Any]:
    zh = lang.startswith("zh")
    c = item.course
    fmt = FORMAT_LABELS[c.format][0 if zh else 1]
    kind = KIND_LABELS[item.kind][0 if zh else 1]
    status = {
        "open": _t(zh, "待完成", "open"),
        "completed": _t(zh, "已完成", "completed"),
        "closed": _t(zh, "已达标关闭", "closed: bar reached"),
    }[item.status]
    lang_label = {
        "zh": _t(zh, "中文", "Chinese"),
        "en": _t(zh, "英文", "English"),
        "bilingual": _t(zh, "中英双语", "bilingual"),
    }[c.language.value]
    title = c.title_zh if zh else c.title_en
    head = f"{item.priority}. [{kind}] {title}"
    due = item.due.isoformat()
    facts = _t(
        zh,
        f"{fmt} · {c.hours:g} 学时 · {lang_label} · {c.provider} · 截止 {due} · {status}",
        f"{fmt} · {c.hours:g} h · {lang_label} · {c.provider} · due {due} · {status}",
    )
    tz = zone(tz_name)
    sessions = ", ".join(
        f"{s.start.astimezone(tz):%Y-%m-%d %H:%M} ({s.hours:g}h)" for s in item.sessions
    )
    out = [
        p(head, body),
        p(facts, small),
        p(_t(zh, "原因：", "Why: ") + item.reason.get(lang), body),
        p(_t(zh, "日程：", "Sessions: ") + sessions, small),
    ]
    if item.evidence:
        out.append(p(_t(zh, "面试证据：", "Interview evidence:"), small))
        src = {
            "rating": _t(zh, "评分备注", "rating note"),
            "answer": _t(zh, "回答", "answer"),
            "ai": _t(zh, "AI 证据", "AI evidence"),
        }
        for ev in item.evidence:
            who = ev.who or (ev.question_key or "")
            quoted = f"「{ev.text}」" if zh else f"“{ev.text}”"
            out.append(p(f"{quoted} — {src[ev.source]} {who}".rstrip(), quote_s))
    from reportlab.platypus import Spacer

    out.append(Spacer(1, 5))
    return out
