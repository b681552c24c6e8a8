"""Progress on a plan: completions, manager check-ins, BARS re-assessments, trajectory, stalls.

A re-assessment at or above a competency's target closes that competency's open items
(target = the job's bar for remedial and culture items, the next whole level for stretch).
A plan is stalled when it is active, at least one open item is past its due date, and
nothing has been recorded for STALL_DAYS days (counted from the plan's creation or its
latest progress event, whichever is later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core.errors import InvalidInputError
from app.training.plan import Bilingual, CompetencyBaseline, PlanDocument, ProgressEvent, zone

STALL_DAYS = 14


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise InvalidInputError(f"The time {at.isoformat()} has no time zone.")
    return at


def anchor_for(c: CompetencyBaseline, level: int) -> Bilingual | None:
    """The BARS anchor that describes `level`: the highest anchored level not above it."""
    anchored = sorted((int(k), v) for k, v in c.anchors.items() if int(k) <= level)
    return anchored[-1][1] if anchored else None


def record_completion(
    doc: PlanDocument, item_id: str, at: dt.datetime, by: str = "", note: str = ""
) -> ProgressEvent:
    item = doc.item(item_id)
    if item.status != "open":
        raise InvalidInputError(f"Plan item '{item_id}' is already {item.status}.")
    event = ProgressEvent(kind="completion", at=_aware(at), by=by, note=note, item_id=item_id)
    item.status = "completed"
    item.completed_at = at
    doc.events.append(event)
    return event


def record_checkin(
    doc: PlanDocument,
    at: dt.datetime,
    by: str,
    note: str,
    item_id: str | None = None,
    competency_key: str | None = None,
) -> ProgressEvent:
    if not by.strip():
        raise InvalidInputError("A manager check-in needs the manager's name (field 'by').")
    if not note.strip():
        raise InvalidInputError("A manager check-in needs a note saying what was discussed.")
    if item_id is not None:
        doc.item(item_id)
    if competency_key is not None:
        doc.competency(competency_key)
    event = ProgressEvent(
        kind="checkin",
        at=_aware(at),
        by=by,
        note=note,
        item_id=item_id,
        competency_key=competency_key,
    )
    doc.events.append(event)
    return event


def record_reassessment(
    doc: PlanDocument, competency_key: str, level: int, at: dt.datetime, by: str, note: str = ""
) -> ProgressEvent:
    """A new BARS rating (whole level 0..10) for one competency; closes its items if reached."""
    c = doc.competency(competency_key)
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 10:
        raise InvalidInputError(
            f"Re-assessment level {level!r} for '{competency_key}' must be a whole BARS level 0-10."
        )
    if not by.strip():
        raise InvalidInputError("A re-assessment needs the assessor's name (field 'by').")
    event = ProgressEvent(
        kind="reassessment",
        at=_aware(at),
        by=by,
        note=note,
        competency_key=competency_key,
        level=level,
        anchor=anchor_for(c, level),
    )
    doc.events.append(event)
    for item in doc.items:
        reached = level >= item.target_level
        if item.competency_key == competency_key and item.status == "open" and reached:
            item.status = "closed"
            item.closed_by = event.id
    return event


# --- derived views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryPoint:
    at: dt.datetime | None
    level: float
    source: str  # interview | reassessment


@dataclass
class Trajectory:
    key: str
    name: Bilingual
    required_level: int
    points: list[TrajectoryPoint] = field(default_factory=list)

    @property
    def latest(self) -> float | None:
        return self.points[-1].level if self.points else None

    @property
    def reached(self) -> bool | None:
        latest = self.latest
        return None if latest is None else latest >= self.required_level


def trajectories(doc: PlanDocument) -> list[Trajectory]:
    """Per competency of the job: the interview level, then each re-assessment, vs the bar."""
    out: list[Trajectory] = []
    for c in doc.header.competencies:
        t = Trajectory(c.key, Bilingual(zh=c.name_zh, en=c.name_en), c.required_level)
        if c.level is not None:
            t.points.append(TrajectoryPoint(doc.header.interviewed_at, c.level, "interview"))
        for e in sorted(doc.events, key=lambda e: e.at):
            if e.kind == "reassessment" and e.competency_key == c.key and e.level is not None:
                t.points.append(TrajectoryPoint(e.at, float(e.level), "reassessment"))
        out.append(t)
    return out


@dataclass(frozen=True)
class PlanState:
    status: str  # active | completed
    stalled: bool
    stall_reason: Bilingual | None
    overdue: list[str]
    last_activity: dt.datetime
    open_items: int
    done_items: int


def plan_state(doc: PlanDocument, now: dt.datetime) -> PlanState:
    """Where the plan stands at `now` (an injectable clock, so tests control time)."""
    now = _aware(now)
    # Due dates are calendar days in the plan's own time zone.
    today = now.astimezone(zone(doc.header.timezone)).date()
    open_items = [i for i in doc.items if i.status == "open"]
    overdue = [i.id for i in open_items if i.due < today]
    last = max([doc.header.created_at, *(e.at for e in doc.events)])
    idle_days = (now - last).total_seconds() / 86400.0
    status = "completed" if not open_items else "active"
    stalled = status == "active" and bool(overdue) and idle_days >= STALL_DAYS
    reason = None
    if stalled:
        reason = Bilingual(
            zh=(
                f"计划停滞：{len(overdue)} 项已过期未完成，且已 {int(idle_days)} 天没有任何进展记录"
                f"（阈值 {STALL_DAYS} 天）。"
            ),
            en=(
                f"Stalled: {len(overdue)} item(s) are overdue and nothing has been recorded for "
                f"{int(idle_days)} days (threshold {STALL_DAYS} days)."
            ),
        )
    return PlanState(
        status=status,
        stalled=stalled,
        stall_reason=reason,
        overdue=overdue,
        last_activity=last,
        open_items=len(open_items),
        done_items=len(doc.items) - len(open_items),
    )
