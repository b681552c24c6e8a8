"""Progress: completions, check-ins, re-assessments closing parts of the plan, stalled plans."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import InvalidInputError
from app.training.catalogue import load_catalogue_yaml
from app.training.plan import PlanDocument, PlanOptions, generate_plan
from app.training.progress import (
    STALL_DAYS,
    plan_state,
    record_checkin,
    record_completion,
    record_reassessment,
    trajectories,
)
from tests.training.helpers import NOW, SEED_BARS, START, plan_input, seed_levels


@pytest.fixture
def doc() -> PlanDocument:
    return generate_plan(
        plan_input(seed_levels(), SEED_BARS), load_catalogue_yaml(), PlanOptions(START), NOW
    )


def _items(doc: PlanDocument, key: str) -> list[str]:
    return [i.id for i in doc.items if i.competency_key == key]


def test_reassessment_above_the_bar_closes_that_part_of_the_plan(doc: PlanDocument) -> None:
    at = NOW + dt.timedelta(days=40)
    event = record_reassessment(doc, "data-analysis", 9, at, by="李娜", note="独立完成欺诈分析")
    closed = {i.id for i in doc.items if i.status == "closed"}
    assert closed == set(_items(doc, "data-analysis")) and closed
    assert all(i.closed_by == event.id for i in doc.items if i.status == "closed")
    # Other parts stay open; the event uses the job's BARS anchor for the level given.
    assert all(i.status == "open" for i in doc.items if i.competency_key != "data-analysis")
    assert (
        event.anchor is not None
        and event.anchor.zh == doc.competency("data-analysis").anchors["8"].zh
    )
    traj = {t.key: t for t in trajectories(doc)}["data-analysis"]
    assert [p.level for p in traj.points] == [7.0, 9.0]
    assert traj.reached is True and traj.required_level == 8


def test_reassessment_below_the_bar_keeps_the_items_open(doc: PlanDocument) -> None:
    record_reassessment(doc, "data-analysis", 7, NOW + dt.timedelta(days=30), by="李娜")
    assert all(doc.item(i).status == "open" for i in _items(doc, "data-analysis"))
    traj = {t.key: t for t in trajectories(doc)}["data-analysis"]
    assert traj.reached is False and [p.source for p in traj.points] == [
        "interview",
        "reassessment",
    ]


def test_reassessment_exactly_at_the_bar_closes_culture_items(doc: PlanDocument) -> None:
    culture = [i for i in doc.items if i.kind == "culture"]
    assert culture
    record_reassessment(doc, "values-fit", 8, NOW + dt.timedelta(days=60), by="王磊")
    assert all(i.status == "closed" for i in culture)


def test_stretch_closes_at_the_next_level_not_at_the_bar(doc: PlanDocument) -> None:
    stretch = [i for i in doc.items if i.kind == "stretch"]
    assert stretch and stretch[0].target_level == 9  # 8.5 -> next whole level
    record_reassessment(doc, "communication", 8, NOW + dt.timedelta(days=20), by="王磊")
    assert stretch[0].status == "open"
    record_reassessment(doc, "communication", 9, NOW + dt.timedelta(days=50), by="王磊")
    assert doc.item(stretch[0].id).status == "closed"


def test_completing_every_item_completes_the_plan(doc: PlanDocument) -> None:
    for n, item in enumerate(doc.items):
        record_completion(doc, item.id, NOW + dt.timedelta(days=5 + n), by="周子涵")
    state = plan_state(doc, NOW + dt.timedelta(days=200))
    assert state.status == "completed" and state.open_items == 0 and not state.stalled
    with pytest.raises(InvalidInputError, match="already completed"):
        record_completion(doc, doc.items[0].id, NOW + dt.timedelta(days=60))


def test_stalled_plan_is_flagged_with_an_injected_clock(doc: PlanDocument) -> None:
    first_due = min(i.due for i in doc.items)
    # Before anything is due the plan is not stalled, however quiet it is.
    early = dt.datetime.combine(first_due, dt.time(9), tzinfo=dt.UTC)
    assert not plan_state(doc, early).stalled
    # Overdue items and STALL_DAYS without any progress event: stalled.
    late = dt.datetime.combine(first_due, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(
        days=STALL_DAYS + 1
    )
    assert (late - doc.header.created_at).days >= STALL_DAYS
    state = plan_state(doc, late)
    assert state.stalled and state.overdue
    assert state.stall_reason is not None and "overdue" in state.stall_reason.en
    assert "停滞" in state.stall_reason.zh


def test_a_recent_checkin_keeps_an_overdue_plan_from_stalling(doc: PlanDocument) -> None:
    first_due = min(i.due for i in doc.items)
    late = dt.datetime.combine(first_due, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(days=30)
    record_checkin(doc, late - dt.timedelta(days=3), by="王磊", note="SQL 课程进度落后，已调整时间")
    state = plan_state(doc, late)
    assert state.overdue and not state.stalled
    assert plan_state(doc, late + dt.timedelta(days=STALL_DAYS)).stalled


@pytest.mark.parametrize(
    ("key", "level", "message"),
    [
        ("data-analysis", 11, "whole BARS level 0-10"),
        ("data-analysis", -1, "whole BARS level 0-10"),
        ("cooking", 8, "no competency 'cooking'"),
    ],
)
def test_bad_reassessments_are_refused(
    doc: PlanDocument, key: str, level: int, message: str
) -> None:
    before = doc.to_entries()
    with pytest.raises(InvalidInputError, match=message):
        record_reassessment(doc, key, level, NOW, by="王磊")
    assert doc.to_entries() == before


def test_checkin_needs_a_manager_and_a_note(doc: PlanDocument) -> None:
    with pytest.raises(InvalidInputError, match="manager's name"):
        record_checkin(doc, NOW, by=" ", note="ok")
    with pytest.raises(InvalidInputError, match="no item 'x99'"):
        record_checkin(doc, NOW, by="王磊", note="ok", item_id="x99")


def test_a_quiet_plan_with_nothing_due_yet_is_not_stalled() -> None:
    later_start = START + dt.timedelta(weeks=8)
    doc = generate_plan(
        plan_input(seed_levels(), SEED_BARS), load_catalogue_yaml(), PlanOptions(later_start), NOW
    )
    before_start = dt.datetime.combine(later_start, dt.time(0), tzinfo=dt.UTC)
    state = plan_state(doc, before_start)
    assert (before_start - doc.header.created_at).days > STALL_DAYS
    assert not state.overdue and not state.stalled and state.stall_reason is None
