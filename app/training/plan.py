"""Training plan generator: interview levels vs the bar -> prioritised, scheduled, explained items.

Rules (resources/courses/README.md explains them for people):
- Remedial items for competencies below the bar (not the values category), most consequential
  (weight x gap) first; stretch items for competencies at least STRETCH_MARGIN above the bar;
  culture items when culture fit is below 100 %. Priority: remedial, then stretch, then culture.
- Culture fit % = 100 x sum(w * min(level / bar, 1)) / sum(w) over the job's values-category
  competencies (the job-match rule restricted to values); below 100 % means below the bar.
- A course suits a competency at level L when it lists the competency and min_level <= L <
  max_level. A gap with no suitable course is reported as uncovered, never dropped.
- Hours are scheduled in sessions of at most SESSION_HOURS, never more than the weekly cap in
  one week, starting on the plan's start date; what does not fit in the horizon is deferred.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.core.domain import CompetencyBar, CompetencyCategory, match_percent
from app.core.errors import InvalidInputError
from app.training.catalogue import FORMAT_LABELS, CourseLanguage, CourseSpec

STRETCH_MARGIN = 0.5
MAX_STRETCH_COMPETENCIES = 2
COURSES_PER_KIND = {"remedial": 2, "stretch": 1, "culture": 2}
SESSION_HOURS = 2.0
DEFAULT_WEEKLY_HOURS = 4.0
DEFAULT_HORIZON_DAYS = 90
DEFAULT_TIMEZONE = "Asia/Shanghai"
SESSION_START = dt.time(14, 0)
# Sessions go on Tuesday, Thursday, Monday, Wednesday, Friday in that order, to spread them.
SESSION_WEEKDAYS = (1, 3, 0, 2, 4)
MAX_EVIDENCE = 3
QUOTE_CHARS = 140
PHASES = (30, 60, 90)

ItemKind = Literal["remedial", "stretch", "culture"]
KIND_ORDER: dict[str, int] = {"remedial": 0, "stretch": 1, "culture": 2}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "remedial": ("补差", "remedial"),
    "stretch": ("拔高", "stretch"),
    "culture": ("文化/价值观", "culture/values"),
}


class Bilingual(BaseModel):
    model_config = ConfigDict(frozen=True)
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


class Evidence(BaseModel):
    """A quote from the interview that motivated an item."""

    source: Literal["rating", "answer", "ai"]
    text: str
    who: str = ""
    question_key: str | None = None
    start_ms: int | None = None


class CompetencyBaseline(BaseModel):
    key: str
    name_zh: str
    name_en: str
    category: str
    weight: float
    required_level: int
    level: float | None
    anchors: dict[str, Bilingual] = Field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    @property
    def gap(self) -> float:
        return 0.0 if self.level is None else max(0.0, self.required_level - self.level)


class SessionSlot(BaseModel):
    start: dt.datetime  # aware, in the plan's time zone
    hours: float


class PlanHeader(BaseModel):
    type: Literal["header"] = "header"
    version: int = 1
    candidate_name: str
    job_slug: str
    job_title: Bilingual
    session_id: str | None
    language: str
    created_at: dt.datetime
    interviewed_at: dt.datetime | None = None
    start_date: dt.date
    timezone: str
    weekly_hours_cap: float
    horizon_days: int
    culture_fit_percent: float | None
    competencies: list[CompetencyBaseline]


class PlanItem(BaseModel):
    type: Literal["item"] = "item"
    id: str
    priority: int
    kind: ItemKind
    competency_key: str
    level: float
    required_level: int
    target_level: int
    weight: float
    score: float
    course: CourseSpec
    reason: Bilingual
    evidence: list[Evidence] = Field(default_factory=list)
    sessions: list[SessionSlot] = Field(default_factory=list)
    due: dt.date
    phase: int
    status: Literal["open", "completed", "closed"] = "open"
    closed_by: str | None = None
    completed_at: dt.datetime | None = None


class UncoveredGap(BaseModel):
    """A gap (or culture shortfall) the catalogue has no suitable course for."""

    type: Literal["uncovered"] = "uncovered"
    kind: ItemKind
    competency_key: str
    level: float
    required_level: int
    reason: Bilingual
    evidence: list[Evidence] = Field(default_factory=list)


class DeferredCourse(BaseModel):
    """A suitable course that did not fit within the horizon at the weekly hour cap."""

    type: Literal["deferred"] = "deferred"
    kind: ItemKind
    competency_key: str
    course: CourseSpec
    reason: Bilingual


class ProgressEvent(BaseModel):
    type: Literal["event"] = "event"
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    kind: Literal["completion", "checkin", "reassessment"]
    at: dt.datetime
    by: str = ""
    note: str = ""
    item_id: str | None = None
    competency_key: str | None = None
    level: int | None = Field(default=None, ge=0, le=10)
    anchor: Bilingual | None = None


Entry = Annotated[
    PlanHeader | PlanItem | UncoveredGap | DeferredCourse | ProgressEvent,
    Field(discriminator="type"),
]
_ENTRIES: TypeAdapter[list[Entry]] = TypeAdapter(list[Entry])


@dataclass
class PlanDocument:
    """The whole plan as stored in TrainingPlan.items: one header, then typed entries."""

    header: PlanHeader
    items: list[PlanItem] = field(default_factory=list)
    uncovered: list[UncoveredGap] = field(default_factory=list)
    deferred: list[DeferredCourse] = field(default_factory=list)
    events: list[ProgressEvent] = field(default_factory=list)

    def to_entries(self) -> list[dict[str, Any]]:
        parts: list[BaseModel] = [
            self.header,
            *self.items,
            *self.uncovered,
            *self.deferred,
            *self.events,
        ]
        return [p.model_dump(mode="json") for p in parts]

    @classmethod
    def from_entries(cls, entries: Sequence[dict[str, Any]]) -> PlanDocument:
        parsed = _ENTRIES.validate_python(list(entries))
        headers = [e for e in parsed if isinstance(e, PlanHeader)]
        if len(headers) != 1:
            raise InvalidInputError(
                f"The stored training plan has {len(headers)} header entries instead of one."
            )
        return cls(
            header=headers[0],
            items=[e for e in parsed if isinstance(e, PlanItem)],
            uncovered=[e for e in parsed if isinstance(e, UncoveredGap)],
            deferred=[e for e in parsed if isinstance(e, DeferredCourse)],
            events=[e for e in parsed if isinstance(e, ProgressEvent)],
        )

    def competency(self, key: str) -> CompetencyBaseline:
        for c in self.header.competencies:
            if c.key == key:
                return c
        known = ", ".join(c.key for c in self.header.competencies)
        raise InvalidInputError(f"The plan's job has no competency '{key}' (known: {known}).")

    def item(self, item_id: str) -> PlanItem:
        for it in self.items:
            if it.id == item_id:
                return it
        known = ", ".join(i.id for i in self.items) or "none"
        raise InvalidInputError(f"The plan has no item '{item_id}' (items: {known}).")


@dataclass(frozen=True)
class PlanOptions:
    start_date: dt.date
    weekly_hours_cap: float = DEFAULT_WEEKLY_HOURS
    horizon_days: int = DEFAULT_HORIZON_DAYS
    timezone: str = DEFAULT_TIMEZONE

    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def check(self) -> None:
        if not 0.5 <= self.weekly_hours_cap <= 40:
            raise InvalidInputError(
                f"The weekly hour cap {self.weekly_hours_cap:g} must be between 0.5 and 40 hours."
            )
        if not 7 <= self.horizon_days <= 365:
            raise InvalidInputError(
                f"The plan horizon {self.horizon_days} days must be between 7 and 365 days."
            )
        self.zone()


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"Unknown time zone '{name}' (use an IANA name such as Asia/Shanghai)."
        ) from None


@dataclass(frozen=True)
class PlanInput:
    """Everything the generator needs, already read from the store (or built by a test)."""

    candidate_name: str
    job_slug: str
    job_title: Bilingual
    session_id: str | None
    language: str
    competencies: list[CompetencyBaseline]
    evidence: dict[str, list[Evidence]]
    interviewed_at: dt.datetime | None = None


# --- culture fit ------------------------------------------------------------------------------


def culture_fit_percent(competencies: Sequence[CompetencyBaseline]) -> float | None:
    """Culture fit %: the job-match rule restricted to the values-category competencies."""
    values = [c for c in competencies if c.category == CompetencyCategory.VALUES.value]
    return match_percent(
        [CompetencyBar(c.key, c.weight, c.required_level) for c in values],
        {c.key: c.level for c in values},
    )


# --- choosing courses -------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def stretch_target(level: float) -> int:
    """A stretch part is done when a re-assessment reaches the next whole BARS level."""
    return min(10, math.floor(level) + 1)


def _pick_courses(
    courses: Sequence[CourseSpec],
    key: str,
    level: float,
    target: int,
    lang: str,
    n: int,
    used: set[str],
) -> list[CourseSpec]:
    suitable = [c for c in courses if c.suits(key, level) and c.key not in used]

    def rank(c: CourseSpec) -> tuple[int, int, int, float, str]:
        speaks = c.language.value == lang[:2] or c.language is CourseLanguage.BILINGUAL
        # In the candidate's language first, then courses that reach the target, then those
        # aimed closest to where the learner is now, then the shortest.
        return (
            0 if speaks else 1,
            0 if c.max_level >= target else 1,
            abs(c.min_level - math.floor(level)),
            c.hours,
            c.key,
        )

    return sorted(suitable, key=rank)[:n]


def _reason(
    kind: str, c: CompetencyBaseline, course: CourseSpec, fit: float | None, target: int
) -> Bilingual:
    level = c.level or 0.0
    fmt_zh, fmt_en = FORMAT_LABELS[course.format]
    course_zh = (
        f"《{course.title_zh}》（{fmt_zh}，{course.hours:g} 学时，"
        f"适用 {course.min_level}–{course.max_level} 级）"
    )
    course_en = (
        f"{course.title_en} ({fmt_en}, {course.hours:g} h, "
        f"for levels {course.min_level}–{course.max_level})"
    )
    if kind == "remedial":
        score = c.weight * c.gap
        return Bilingual(
            zh=(
                f"{c.name_zh}面试评定 {_fmt(level)} 级，低于岗位要求 {c.required_level} 级"
                f"（差 {_fmt(c.gap)} 级 × 权重 {c.weight:.0%} = 优先分 {score:.2f}）。"
                f"推荐{course_zh}，帮助达到岗位要求。"
            ),
            en=(
                f"{c.name_en} was rated {_fmt(level)} against the job's bar of "
                f"{c.required_level} (gap {_fmt(c.gap)} x weight {c.weight:.0%} = priority "
                f"{score:.2f}). Recommended to reach the bar: {course_en}."
            ),
        )
    if kind == "stretch":
        return Bilingual(
            zh=(
                f"{c.name_zh}面试评定 {_fmt(level)} 级，高于岗位要求 {c.required_level} 级，"
                f"是优势项。推荐{course_zh}，把优势发展到 {target} 级并带动团队。"
            ),
            en=(
                f"{c.name_en} was rated {_fmt(level)}, above the bar of {c.required_level}: "
                f"a strength. To build it towards level {target} for the team: {course_en}."
            ),
        )
    fit_text = "—" if fit is None else f"{fit:.0f}%"
    return Bilingual(
        zh=(
            f"文化契合度 {fit_text}（{c.name_zh} {_fmt(level)} 级 / 要求 {c.required_level} 级），"
            f"未达到岗位要求。推荐{course_zh}，帮助理解并践行公司价值观。"
        ),
        en=(
            f"Culture fit is {fit_text} ({c.name_en} {_fmt(level)} against a bar of "
            f"{c.required_level}), below the job's bar. To understand and practise the "
            f"company's values: {course_en}."
        ),
    )


def _uncovered_reason(kind: str, c: CompetencyBaseline) -> Bilingual:
    level = c.level or 0.0
    return Bilingual(
        zh=(
            f"{c.name_zh}（{_fmt(level)} 级，要求 {c.required_level} 级）在课程目录中没有适用于"
            f"该级别的课程；请培训负责人补充课程或安排导师。"
        ),
        en=(
            f"{c.name_en} ({_fmt(level)}, bar {c.required_level}) has no course in the "
            "catalogue for this level; L&D should add one or assign a mentor."
        ),
    )


# --- scheduling -------------------------------------------------------------------------------


class _Calendar:
    """Week-by-week capacity, filled in priority order."""

    def __init__(self, options: PlanOptions) -> None:
        self.options = options
        self.tz = options.zone()
        self.used: dict[int, float] = {}
        self.count: dict[int, int] = {}
        self.day_hours: dict[tuple[int, int], float] = {}
        self.weeks = max(1, options.horizon_days // 7)

    def place(self, hours: float) -> list[SessionSlot] | None:
        """Sessions for `hours`, or None (nothing reserved) if they do not fit the horizon."""
        remaining = hours
        plan: list[tuple[int, float]] = []
        used = dict(self.used)
        week = 0
        while remaining > 1e-9:
            while week < self.weeks and self.options.weekly_hours_cap - used.get(week, 0.0) < 0.25:
                week += 1
            if week >= self.weeks:
                return None
            take = min(SESSION_HOURS, remaining, self.options.weekly_hours_cap - used.get(week, 0))
            plan.append((week, take))
            used[week] = used.get(week, 0.0) + take
            remaining -= take
        slots = []
        for week, take in plan:
            n = self.count.get(week, 0)
            self.count[week] = n + 1
            self.used[week] = self.used.get(week, 0.0) + take
            weekday = SESSION_WEEKDAYS[n % len(SESSION_WEEKDAYS)]
            day = self.options.start_date + dt.timedelta(days=7 * week + weekday)
            offset = self.day_hours.get((week, weekday), 0.0)
            self.day_hours[(week, weekday)] = offset + take
            start = dt.datetime.combine(day, SESSION_START, tzinfo=self.tz) + dt.timedelta(
                hours=offset
            )
            slots.append(SessionSlot(start=start, hours=round(take, 2)))
        return slots


def phase_of(start: dt.date, due: dt.date) -> int:
    days = (due - start).days + 1
    for p in PHASES:
        if days <= p:
            return p
    return int(math.ceil(days / 30.0) * 30)


# --- the generator ----------------------------------------------------------------------------


def generate_plan(
    data: PlanInput, courses: Sequence[CourseSpec], options: PlanOptions, now: dt.datetime
) -> PlanDocument:
    """Build the plan document: items in priority order, scheduled within the hour cap."""
    options.check()
    if options.start_date.weekday() != 0:
        # Weeks run Monday to Sunday so the weekly cap means the same as on a calendar.
        options = replace(options, start_date=next_monday(options.start_date))
    fit = culture_fit_percent(data.competencies)
    header = PlanHeader(
        candidate_name=data.candidate_name,
        job_slug=data.job_slug,
        job_title=data.job_title,
        session_id=data.session_id,
        language=data.language,
        created_at=now,
        interviewed_at=data.interviewed_at,
        start_date=options.start_date,
        timezone=options.timezone,
        weekly_hours_cap=options.weekly_hours_cap,
        horizon_days=options.horizon_days,
        culture_fit_percent=fit,
        competencies=list(data.competencies),
    )
    doc = PlanDocument(header=header)
    rated = [c for c in data.competencies if c.level is not None]
    values = CompetencyCategory.VALUES.value
    remedial = sorted(
        (c for c in rated if c.category != values and c.gap > 0),
        key=lambda c: (-c.weight * c.gap, c.key),
    )
    stretch = sorted(
        (
            c
            for c in rated
            if c.category != values and (c.level or 0) - c.required_level >= STRETCH_MARGIN
        ),
        key=lambda c: (-c.weight * ((c.level or 0) - c.required_level), c.key),
    )[:MAX_STRETCH_COMPETENCIES]
    culture = (
        sorted(
            (c for c in rated if c.category == values and c.gap > 0),
            key=lambda c: (-c.weight * c.gap, c.key),
        )
        if fit is not None and fit < 100.0
        else []
    )
    cal = _Calendar(options)
    used: set[str] = set()
    priority = 0
    plan: list[tuple[ItemKind, list[CompetencyBaseline]]] = [
        ("remedial", remedial),
        ("stretch", stretch),
        ("culture", culture),
    ]
    for kind, group in plan:
        for c in group:
            level = c.level if c.level is not None else 0.0
            target = stretch_target(level) if kind == "stretch" else c.required_level
            chosen = _pick_courses(
                courses, c.key, level, target, data.language, COURSES_PER_KIND[kind], used
            )
            if not chosen:
                doc.uncovered.append(
                    UncoveredGap(
                        kind=kind,
                        competency_key=c.key,
                        level=level,
                        required_level=c.required_level,
                        reason=_uncovered_reason(kind, c),
                        evidence=data.evidence.get(c.key, [])[:MAX_EVIDENCE],
                    )
                )
                continue
            for course in chosen:
                used.add(course.key)
                reason = _reason(kind, c, course, fit, target)
                slots = cal.place(course.hours)
                if slots is None:
                    doc.deferred.append(
                        DeferredCourse(
                            kind=kind,
                            competency_key=c.key,
                            course=course,
                            reason=Bilingual(
                                zh=(
                                    f"在每周 {options.weekly_hours_cap:g} 学时上限内，"
                                    f"{options.horizon_days} 天内排不下；{reason.zh}"
                                ),
                                en=(
                                    f"Does not fit in {options.horizon_days} days at "
                                    f"{options.weekly_hours_cap:g} h a week. {reason.en}"
                                ),
                            ),
                        )
                    )
                    continue
                priority += 1
                due = slots[-1].start.date()
                doc.items.append(
                    PlanItem(
                        id=f"{kind[0]}{priority:02d}-{course.key}"[:64],
                        priority=priority,
                        kind=kind,
                        competency_key=c.key,
                        level=level,
                        required_level=c.required_level,
                        target_level=target,
                        weight=c.weight,
                        score=round(c.weight * (c.gap if kind != "stretch" else 0.0), 4),
                        course=course,
                        reason=reason,
                        evidence=data.evidence.get(c.key, [])[:MAX_EVIDENCE],
                        sessions=slots,
                        due=due,
                        phase=phase_of(options.start_date, due),
                    )
                )
    return doc


def weekly_hours(doc: PlanDocument) -> dict[tuple[int, int], float]:
    """Scheduled hours per ISO (year, week): what the weekly cap constrains."""
    out: dict[tuple[int, int], float] = {}
    for it in doc.items:
        for s in it.sessions:
            iso = s.start.isocalendar()
            out[(iso.year, iso.week)] = out.get((iso.year, iso.week), 0.0) + s.hours
    return out


def next_monday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)
