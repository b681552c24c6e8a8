"""`roundtwo training ...`: plans from interview gaps, progress records, the course catalogue."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from app.context import AppContext, open_context
from app.core.errors import InvalidInputError
from app.storage.types import utcnow
from app.training import catalogue, export, progress, store
from app.training.plan import (
    DEFAULT_HORIZON_DAYS,
    DEFAULT_TIMEZONE,
    DEFAULT_WEEKLY_HOURS,
    KIND_LABELS,
    PlanDocument,
    PlanOptions,
    next_monday,
    zone,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    training = sub.add_parser("training", help="training plans from interview gaps, and progress")
    tsub = training.add_subparsers(dest="training_command", metavar="SUBCOMMAND", required=True)

    plan = tsub.add_parser(
        "plan", help="create (or show) the training plan for an interview session or candidate"
    )
    plan.add_argument("ref", metavar="SESSION_OR_CANDIDATE", help="session id, candidate id/name")
    plan.add_argument(
        "--out", type=Path, default=None, help="write plan.json, plan.pdf or plan.ics"
    )
    plan.add_argument("--lang", choices=["zh", "en"], default=None)
    plan.add_argument("--start", default=None, help="first day, YYYY-MM-DD (default next Monday)")
    plan.add_argument(
        "--hours-per-week", type=float, default=DEFAULT_WEEKLY_HOURS, help="weekly hour cap"
    )
    plan.add_argument("--days", type=int, default=DEFAULT_HORIZON_DAYS, help="plan horizon")
    plan.add_argument("--tz", default=DEFAULT_TIMEZONE, help="IANA time zone for the sessions")
    plan.add_argument(
        "--regenerate",
        action="store_true",
        help="replace the current plan (it is kept, superseded)",
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(handler=cmd_plan)

    show = tsub.add_parser("status", help="progress, trajectory against the bar, stall flag")
    show.add_argument("ref", metavar="PLAN_SESSION_OR_CANDIDATE")
    show.add_argument("--lang", choices=["zh", "en"], default=None)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_status)

    done = tsub.add_parser("complete", help="record that a plan item was completed")
    done.add_argument("ref", metavar="PLAN_SESSION_OR_CANDIDATE")
    done.add_argument("item", metavar="ITEM_ID")
    done.add_argument("--by", default="")
    done.add_argument("--note", default="")
    done.add_argument("--at", default=None, help="when (ISO date/time, default now)")
    done.set_defaults(handler=cmd_complete)

    chk = tsub.add_parser("checkin", help="record a manager check-in")
    chk.add_argument("ref", metavar="PLAN_SESSION_OR_CANDIDATE")
    chk.add_argument("--by", required=True, help="the manager")
    chk.add_argument("--note", required=True)
    chk.add_argument("--item", default=None, help="the item discussed (optional)")
    chk.add_argument("--competency", default=None, help="the competency discussed (optional)")
    chk.add_argument("--at", default=None)
    chk.set_defaults(handler=cmd_checkin)

    ra = tsub.add_parser("reassess", help="record a re-assessment on the job's BARS (0-10)")
    ra.add_argument("ref", metavar="PLAN_SESSION_OR_CANDIDATE")
    ra.add_argument("competency", metavar="COMPETENCY")
    ra.add_argument("level", metavar="LEVEL", help="whole BARS level 0-10")
    ra.add_argument("--by", required=True, help="who assessed")
    ra.add_argument("--note", default="")
    ra.add_argument("--at", default=None)
    ra.set_defaults(handler=cmd_reassess)

    courses = tsub.add_parser("courses", help="list the course catalogue or import courses")
    courses.add_argument("--import", dest="import_file", type=Path, default=None, metavar="FILE")
    courses.add_argument("--lang", choices=["zh", "en"], default=None)
    courses.add_argument("--json", action="store_true")
    courses.set_defaults(handler=cmd_courses)


def _lang(args: argparse.Namespace, ctx: AppContext) -> str:
    lang: str | None = getattr(args, "lang", None)
    return lang or ("zh" if ctx.settings.language.startswith("zh") else "en")


def _when(text: str | None, tz_name: str = DEFAULT_TIMEZONE) -> dt.datetime:
    if text is None:
        return utcnow()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(
            f"--at {text!r} is not an ISO date or date-time (e.g. 2026-12-01 or 2026-12-01T10:00)."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz_name))
    return value


def _print_plan(doc: PlanDocument, plan_id: str, lang: str, now: dt.datetime) -> None:
    zh = lang == "zh"
    h = doc.header
    state = progress.plan_state(doc, now)
    names = {c.key: c.name(lang) for c in h.competencies}
    print(
        f"{'培训计划' if zh else 'Training plan'} {plan_id}: {h.candidate_name} · "
        f"{h.job_title.get(lang)}"
    )
    fit = "—" if h.culture_fit_percent is None else f"{h.culture_fit_percent:.0f}%"
    cap = h.weekly_hours_cap
    print(
        f"开始 {h.start_date} · 每周 ≤{cap:g} 学时 · {h.timezone} · 文化契合度 {fit}"
        if zh
        else f"starts {h.start_date} · ≤{cap:g} h/week · {h.timezone} · culture fit {fit}"
    )
    for item in doc.items:
        kind = KIND_LABELS[item.kind][0 if zh else 1]
        print(
            f"{item.priority:>2}. [{kind}] {item.id}  {item.course.title(lang)}  "
            f"({names.get(item.competency_key, item.competency_key)}, {item.course.hours:g}h, "
            f"{'截止' if zh else 'due'} {item.due}, {item.status})"
        )
        print(f"    {item.reason.get(lang)}")
    for u in doc.uncovered:
        print(("！无合适课程: " if zh else "! no suitable course: ") + u.reason.get(lang))
    for d in doc.deferred:
        print(("延后: " if zh else "deferred: ") + d.reason.get(lang))
    if state.stalled and state.stall_reason is not None:
        print("⚠ " + state.stall_reason.get(lang))


def cmd_plan(args: argparse.Namespace) -> int:
    now = utcnow()
    with open_context() as ctx:
        lang = _lang(args, ctx)
        tz = zone(args.tz)
        if args.start:
            try:
                start = dt.date.fromisoformat(args.start)
            except ValueError:
                raise InvalidInputError(
                    f"--start {args.start!r} is not a date (YYYY-MM-DD)."
                ) from None
        else:
            start = next_monday(now.astimezone(tz).date())
        options = PlanOptions(
            start_date=start,
            weekly_hours_cap=args.hours_per_week,
            horizon_days=args.days,
            timezone=args.tz,
        )
        stored = ctx.db.write(
            lambda s: store.create_or_get_plan(
                s, args.ref, options, now, regenerate=args.regenerate
            )
        )
        if args.out is not None:
            export.write_export(stored.doc, args.out, now, lang=lang, plan_id=str(stored.id))
        if args.json:
            print(
                json.dumps(
                    export.plan_json(stored.doc, now, str(stored.id)), ensure_ascii=False, indent=2
                )
            )
        else:
            if not stored.created:
                print(
                    "（已有计划；用 --regenerate 重新生成）"
                    if lang == "zh"
                    else "(existing plan; use --regenerate to make a new one)"
                )
            _print_plan(stored.doc, str(stored.id), lang, now)
            if args.out is not None:
                print(("已导出: " if lang == "zh" else "written: ") + str(args.out))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    now = utcnow()
    with open_context() as ctx:
        lang = _lang(args, ctx)
        with ctx.db.read() as s:
            stored = store.load_plan(s, args.ref)
        if args.json:
            data = export.plan_json(stored.doc, now, str(stored.id))
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        zh = lang == "zh"
        _print_plan(stored.doc, str(stored.id), lang, now)
        print()
        print("胜任力轨迹（对照岗位要求）:" if zh else "Trajectory against the bar:")
        for t in progress.trajectories(stored.doc):
            path = " → ".join(f"{p.level:g}" for p in t.points) or "—"
            mark = {True: "✓", False: "✗", None: "?"}[t.reached]
            print(
                f"  {mark} {t.name.get(lang)}: {path}  "
                f"({'要求' if zh else 'bar'} {t.required_level})"
            )
    return 0


def _record(args: argparse.Namespace, change: Any) -> int:
    with open_context() as ctx:
        lang = _lang(args, ctx)
        now = utcnow()
        stored = ctx.db.write(lambda s: store.update_plan(s, args.ref, change, now))
        state = progress.plan_state(stored.doc, now)
        event = stored.doc.events[-1]
        closed = [i.id for i in stored.doc.items if i.closed_by == event.id]
        zh = lang == "zh"
        print(("已记录 " if zh else "recorded ") + f"{event.kind} {event.id}")
        if closed:
            print(("已达标，关闭: " if zh else "bar reached, closed: ") + ", ".join(closed))
        print(
            (f"计划状态: {state.status}，未完成 {state.open_items} 项")
            if zh
            else f"plan status: {state.status}, {state.open_items} open item(s)"
        )
    return 0


def cmd_complete(args: argparse.Namespace) -> int:
    return _record(
        args,
        lambda doc: progress.record_completion(
            doc, args.item, _when(args.at, doc.header.timezone), args.by, args.note
        ),
    )


def cmd_checkin(args: argparse.Namespace) -> int:
    return _record(
        args,
        lambda doc: progress.record_checkin(
            doc,
            _when(args.at, doc.header.timezone),
            args.by,
            args.note,
            item_id=args.item,
            competency_key=args.competency,
        ),
    )


def cmd_reassess(args: argparse.Namespace) -> int:
    try:
        level = int(args.level)
    except ValueError:
        raise InvalidInputError(f"Level {args.level!r} is not a whole BARS level (0-10).") from None
    return _record(
        args,
        lambda doc: progress.record_reassessment(
            doc, args.competency, level, _when(args.at, doc.header.timezone), args.by, args.note
        ),
    )


def cmd_courses(args: argparse.Namespace) -> int:
    with open_context() as ctx:
        lang = _lang(args, ctx)
        zh = lang == "zh"
        if args.import_file is not None:
            with ctx.db.read() as s:
                known = catalogue.known_competency_keys(s)
            # Validate the whole file before writing anything, so a bad row changes nothing.
            specs = catalogue.read_course_file(args.import_file, known)
            result = ctx.db.write(lambda s: catalogue.store_courses(s, specs))
            print(
                f"导入 {args.import_file}: 新增 {len(result.added)}，更新 {len(result.updated)}，"
                f"未变 {len(result.unchanged)}"
                if zh
                else f"imported {args.import_file}: {len(result.added)} added, "
                f"{len(result.updated)} updated, {len(result.unchanged)} unchanged"
            )
            return 0
        ctx.db.write(catalogue.ensure_bundled_courses)
        with ctx.db.read() as s:
            courses = catalogue.list_courses(s)
        if args.json:
            print(json.dumps([c.as_ref() for c in courses], ensure_ascii=False, indent=2))
            return 0
        for c in courses:
            fmt = catalogue.FORMAT_LABELS[c.format][0 if zh else 1]
            print(
                f"{c.key:32} {c.title(lang)}  [{', '.join(c.competencies)} "
                f"{c.min_level}-{c.max_level}; {fmt}; {c.hours:g}h; {c.language.value}; "
                f"{c.provider}]"
            )
    return 0
