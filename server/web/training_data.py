"""Training view per department (org unit), from synced `trainingplan` records: who is below
the job's bar on which competency now, and which courses close gaps fastest.

A plan record's payload is the laptop's TrainingPlan row; its `items` hold typed entries
(app.training.plan.PlanDocument.to_entries): one `header` (baseline levels and bars), `item`s
(courses), and progress `event`s (completion, checkin, reassessment). The hub reads them as
plain JSON: it may not import app.training.

Current level = the latest re-assessment of the competency, else the interview level.
Course speed: for every completed item whose competency was re-assessed at or after the
completion, gain = that re-assessment's level - the item's starting level, and
weeks = (re-assessment time - course start) / 7 days, where the course starts at its first
scheduled session (else when the plan was created); at least one day counts. A course's
score is the mean of gain / weeks over its completions (levels per week). Completed items
without a later re-assessment are counted as "awaiting re-assessment", not as zero gain.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from server.identity import Principal
from server.tables import OrgUnit, SyncRecord
from server.web.dashboard_data import scope_clause

MIN_WEEKS = 1.0 / 7.0  # one day


@dataclass(frozen=True)
class Gap:
    person: str
    job_zh: str
    job_en: str
    key: str
    name_zh: str
    name_en: str
    level: float
    required: int
    source: str  # interview | reassessment
    plan_id: uuid.UUID

    @property
    def gap(self) -> float:
        return round(self.required - self.level, 1)


@dataclass
class CourseSpeed:
    key: str
    title_zh: str
    title_en: str
    competency_key: str
    hours: float | None
    rates: list[float] = field(default_factory=list)
    gains: list[float] = field(default_factory=list)
    weeks: list[float] = field(default_factory=list)
    pending: int = 0

    @property
    def n(self) -> int:
        return len(self.rates)

    @property
    def rate(self) -> float | None:
        return round(statistics.fmean(self.rates), 3) if self.rates else None

    @property
    def mean_gain(self) -> float | None:
        return round(statistics.fmean(self.gains), 2) if self.gains else None

    @property
    def mean_weeks(self) -> float | None:
        return round(statistics.fmean(self.weeks), 2) if self.weeks else None


@dataclass
class UnitView:
    unit_id: uuid.UUID
    unit_name: str
    plans: int = 0
    people: int = 0
    gaps: list[Gap] = field(default_factory=list)
    courses: list[CourseSpeed] = field(default_factory=list)


@dataclass
class TrainingView:
    units: list[UnitView] = field(default_factory=list)


def _time(v: Any) -> dt.datetime | None:
    if not isinstance(v, str) or not v:
        return None
    try:
        t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


@dataclass
class _Plan:
    header: dict[str, Any]
    items: list[dict[str, Any]]
    events: list[dict[str, Any]]


def _parse(payload: dict[str, Any]) -> _Plan | None:
    entries = payload.get("items")
    if not isinstance(entries, list):
        return None
    typed = [e for e in entries if isinstance(e, dict)]
    headers = [e for e in typed if e.get("type") == "header"]
    if len(headers) != 1:
        return None
    return _Plan(
        headers[0],
        [e for e in typed if e.get("type") == "item"],
        [e for e in typed if e.get("type") == "event"],
    )


def _reassessments(plan: _Plan) -> dict[str, list[tuple[dt.datetime, float]]]:
    out: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for e in plan.events:
        at, level, key = _time(e.get("at")), _num(e.get("level")), e.get("competency_key")
        if e.get("kind") == "reassessment" and at and level is not None and isinstance(key, str):
            out[key].append((at, level))
    for v in out.values():
        v.sort()
    return out


def _completed_at(plan: _Plan, item: dict[str, Any]) -> dt.datetime | None:
    at = _time(item.get("completed_at"))
    if at is not None:
        return at
    done = [
        t
        for e in plan.events
        if e.get("kind") == "completion"
        and e.get("item_id") == item.get("id")
        and (t := _time(e.get("at"))) is not None
    ]
    return min(done) if done else None


def _title(job: Any, lang: str) -> str:
    return str(job.get(lang) or "") if isinstance(job, dict) else ""


def department_view(s: Session, who: Principal, unit: uuid.UUID | None) -> TrainingView:
    conds = scope_clause(who, unit)
    records = s.exec(
        select(SyncRecord)
        .where(SyncRecord.entity == "trainingplan", *conds)
        .order_by(col(SyncRecord.server_seq))
    ).all()
    unit_names = {
        u.id: u.name for u in s.exec(select(OrgUnit).where(OrgUnit.org_id == who.org_id)).all()
    }
    names = {
        r.entity_id: str(r.payload.get("name") or "")
        for r in s.exec(select(SyncRecord).where(SyncRecord.entity == "candidate", *conds)).all()
    }
    views: dict[uuid.UUID, UnitView] = {}
    speeds: dict[uuid.UUID, dict[str, CourseSpeed]] = defaultdict(dict)
    people: dict[uuid.UUID, set[str]] = defaultdict(set)
    for rec in records:
        if rec.payload.get("status") == "superseded":
            continue
        plan = _parse(rec.payload)
        if plan is None:
            continue
        view = views.setdefault(
            rec.org_unit_id, UnitView(rec.org_unit_id, unit_names.get(rec.org_unit_id, "?"))
        )
        view.plans += 1
        h = plan.header
        person = (names.get(rec.candidate_ref) if rec.candidate_ref is not None else None) or str(
            h.get("candidate_name") or str(rec.entity_id)[:8]
        )
        people[rec.org_unit_id].add(str(rec.candidate_ref or person))
        reassessed = _reassessments(plan)
        for c in h.get("competencies") or []:
            if not isinstance(c, dict) or not isinstance(c.get("key"), str):
                continue
            key, required = c["key"], _num(c.get("required_level"))
            level, source = _num(c.get("level")), "interview"
            if reassessed.get(key):
                level, source = reassessed[key][-1][1], "reassessment"
            if level is None or required is None or level >= required:
                continue
            view.gaps.append(
                Gap(
                    person,
                    _title(h.get("job_title"), "zh"),
                    _title(h.get("job_title"), "en"),
                    key,
                    str(c.get("name_zh") or key),
                    str(c.get("name_en") or key),
                    level,
                    int(required),
                    source,
                    rec.entity_id,
                )
            )
        created = _time(h.get("created_at"))
        for item in plan.items:
            course = item.get("course")
            key = item.get("competency_key")
            if not isinstance(course, dict) or not isinstance(course.get("key"), str):
                continue
            done = _completed_at(plan, item)
            if done is None or not isinstance(key, str):
                continue
            speed = speeds[rec.org_unit_id].setdefault(
                course["key"],
                CourseSpeed(
                    course["key"],
                    str(course.get("title_zh") or course["key"]),
                    str(course.get("title_en") or course["key"]),
                    key,
                    _num(course.get("hours")),
                ),
            )
            after = [(at, lv) for at, lv in reassessed.get(key, []) if at >= done]
            start_level = _num(item.get("level"))
            starts = [
                t
                for sl in item.get("sessions") or []
                if isinstance(sl, dict) and (t := _time(sl.get("start"))) is not None
            ]
            start = min(starts) if starts else created
            if not after or start_level is None or start is None:
                speed.pending += 1
                continue
            at, level = after[0]
            weeks = max(MIN_WEEKS, (at - start).total_seconds() / (7 * 86400.0))
            gain = level - start_level
            speed.gains.append(gain)
            speed.weeks.append(weeks)
            speed.rates.append(gain / weeks)
    for unit_id, view in views.items():
        view.people = len(people[unit_id])
        view.gaps.sort(key=lambda g: (-g.gap, g.person, g.key))
        view.courses = sorted(
            speeds[unit_id].values(),
            key=lambda c: (c.rate is None, -(c.rate or 0.0), -c.n, c.key),
        )
    return TrainingView(sorted(views.values(), key=lambda v: v.unit_name))
