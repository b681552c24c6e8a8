"""The plan generator: priorities, reasons, the weekly hour cap, uncovered gaps, culture fit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from app.core.errors import InvalidInputError
from app.training.catalogue import CourseSpec, load_catalogue_yaml
from app.training.plan import (
    Evidence,
    PlanDocument,
    PlanOptions,
    culture_fit_percent,
    generate_plan,
    weekly_hours,
)
from tests.training.helpers import NOW, SEED_BARS, START, plan_input, seed_levels


@pytest.fixture(scope="module")
def courses() -> list[CourseSpec]:
    return load_catalogue_yaml()


def _seed_plan(courses: list[CourseSpec], cap: float = 4.0) -> PlanDocument:
    evidence = {
        "data-analysis": [
            Evidence(source="rating", text="只会用透视表，SQL 写得很慢。", who="李娜")
        ],
        "values-fit": [Evidence(source="answer", text="按领导的安排来推进。", question_key="q08")],
    }
    data = plan_input(seed_levels(), SEED_BARS, evidence=evidence)
    return generate_plan(data, courses, PlanOptions(START, weekly_hours_cap=cap), NOW)


def test_seed_example_gets_remedial_stretch_culture_in_that_order(courses) -> None:  # type: ignore[no-untyped-def]
    doc = _seed_plan(courses)
    assert doc.header.culture_fit_percent == 75.0
    kinds = [i.kind for i in doc.items]
    assert set(kinds) == {"remedial", "stretch", "culture"}
    # Priority order: every remedial item before every stretch item before every culture item.
    assert kinds == sorted(kinds, key=["remedial", "stretch", "culture"].index)
    assert [i.priority for i in doc.items] == list(range(1, len(doc.items) + 1))
    by_kind = {k: [i for i in doc.items if i.kind == k] for k in set(kinds)}
    assert {i.competency_key for i in by_kind["remedial"]} == {"data-analysis"}
    assert {i.competency_key for i in by_kind["stretch"]} == {"communication"}
    assert {i.competency_key for i in by_kind["culture"]} == {"values-fit"}
    # Remedial data-analysis courses are the ones the catalogue says suit level 7 and reach 8.
    for item in by_kind["remedial"]:
        assert item.course.suits("data-analysis", 7.0) and item.course.max_level >= 8
    assert any("sql" in i.course.key for i in by_kind["remedial"])
    # Each item carries its reason in both languages, with the numbers that motivated it.
    for item in doc.items:
        assert item.reason.zh and item.reason.en
        assert f"{item.level:.1f}" in item.reason.zh and f"{item.level:.1f}" in item.reason.en
        assert str(item.required_level) in item.reason.en
    assert "75%" in by_kind["culture"][0].reason.zh and "75%" in by_kind["culture"][0].reason.en
    assert "above the bar" in by_kind["stretch"][0].reason.en
    assert "below" not in by_kind["stretch"][0].reason.en
    # The interview evidence travels with the item it motivated.
    assert by_kind["remedial"][0].evidence[0].text.startswith("只会用透视表")
    assert by_kind["culture"][0].evidence[0].question_key == "q08"
    assert doc.uncovered == [] and doc.deferred == []


@pytest.mark.parametrize("cap", [2.0, 4.0, 6.0])
def test_weekly_hours_never_exceed_the_cap_and_follow_priority(courses, cap: float) -> None:  # type: ignore[no-untyped-def]
    doc = _seed_plan(courses, cap)
    per_week = weekly_hours(doc)
    assert per_week and max(per_week.values()) <= cap + 1e-9
    for item in doc.items:
        assert sum(s.hours for s in item.sessions) == pytest.approx(item.course.hours)
        assert all(s.start.date() >= START for s in item.sessions)
        assert item.due == item.sessions[-1].start.date()
        assert item.phase in (30, 60, 90)
    firsts = [i.sessions[0].start for i in doc.items]
    assert firsts == sorted(firsts)
    # Sessions are at 14:00 in the plan's zone, and no two overlap.
    spans = sorted(
        (s.start, s.start + dt.timedelta(hours=s.hours)) for i in doc.items for s in i.sessions
    )
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert {str(s.start.tzinfo) for i in doc.items for s in i.sessions} == {"Asia/Shanghai"}


def test_a_tight_cap_defers_courses_instead_of_dropping_them(courses) -> None:  # type: ignore[no-untyped-def]
    data = plan_input(seed_levels(), SEED_BARS)
    doc = generate_plan(
        data, courses, PlanOptions(START, weekly_hours_cap=1.0, horizon_days=28), NOW
    )
    scheduled = sum(i.course.hours for i in doc.items)
    assert scheduled <= 4.0
    assert doc.deferred, "courses beyond the horizon must be reported"
    assert all("1 h a week" in d.reason.en for d in doc.deferred)
    kinds = [i.kind for i in doc.items] + [d.kind for d in doc.deferred]
    assert "remedial" in kinds and "culture" in kinds


def test_gap_without_a_suitable_course_is_reported_not_planned(courses) -> None:  # type: ignore[no-untyped-def]
    levels = seed_levels()
    levels["compliance"] = 3.0  # below the lowest compliance course in the catalogue
    assert not any(c.suits("compliance", 3.0) for c in courses)
    doc = generate_plan(plan_input(levels, SEED_BARS), courses, PlanOptions(START), NOW)
    assert "compliance" not in {i.competency_key for i in doc.items}
    assert [u.competency_key for u in doc.uncovered] == ["compliance"]
    gap = doc.uncovered[0]
    assert gap.kind == "remedial" and gap.level == 3.0 and gap.required_level == 7
    assert "合规" in gap.reason.zh and "no course" in gap.reason.en
    # The other gaps are still planned, and compliance (weight 0.15 x gap 4) would outrank them.
    assert {i.competency_key for i in doc.items if i.kind == "remedial"} == {"data-analysis"}


def test_remedial_items_are_ordered_by_weight_times_gap(courses) -> None:  # type: ignore[no-untyped-def]
    levels = seed_levels()
    levels.update({"data-analysis": 6.5, "risk-judgement": 5.0, "teamwork": 4.0})
    doc = generate_plan(plan_input(levels, SEED_BARS), courses, PlanOptions(START, 10.0), NOW)
    order: list[str] = []
    for i in doc.items:
        if i.kind == "remedial" and i.competency_key not in order:
            order.append(i.competency_key)
    # risk-judgement 0.20 x 2 = 0.40 > data-analysis 0.25 x 1.5 = 0.375 > teamwork 0.10 x 2 = 0.20
    # (by the gap alone teamwork would come second)
    assert order == ["risk-judgement", "data-analysis", "teamwork"]
    scores = [i.score for i in doc.items if i.kind == "remedial"]
    assert scores == sorted(scores, reverse=True)


def test_culture_fit_is_the_match_rule_on_values_competencies() -> None:
    data = plan_input(seed_levels(), SEED_BARS)
    assert culture_fit_percent(data.competencies) == 75.0
    at_bar = plan_input({**seed_levels(), "values-fit": 8.0}, SEED_BARS)
    assert culture_fit_percent(at_bar.competencies) == 100.0
    unrated = plan_input({k: v for k, v in seed_levels().items() if k != "values-fit"})
    assert culture_fit_percent(unrated.competencies) is None


def test_no_culture_items_when_fit_meets_the_bar(courses) -> None:  # type: ignore[no-untyped-def]
    data = plan_input({**seed_levels(), "values-fit": 8.0}, SEED_BARS)
    doc = generate_plan(data, courses, PlanOptions(START), NOW)
    assert "culture" not in {i.kind for i in doc.items}
    assert doc.header.culture_fit_percent == 100.0


def test_plan_document_round_trips_through_the_stored_list(courses) -> None:  # type: ignore[no-untyped-def]
    doc = _seed_plan(courses)
    entries = doc.to_entries()
    assert entries[0]["type"] == "header"
    again = PlanDocument.from_entries(entries)
    assert again.to_entries() == entries
    assert again.items[0].sessions[0].start == doc.items[0].sessions[0].start


def test_bad_options_are_refused(courses) -> None:  # type: ignore[no-untyped-def]
    data = plan_input(seed_levels(), SEED_BARS)
    with pytest.raises(InvalidInputError, match="weekly hour cap"):
        generate_plan(data, courses, PlanOptions(START, weekly_hours_cap=0), NOW)
    with pytest.raises(InvalidInputError, match="Unknown time zone 'Mars/Base'"):
        generate_plan(data, courses, PlanOptions(START, timezone="Mars/Base"), NOW)


def test_a_midweek_start_moves_to_the_next_monday(courses) -> None:  # type: ignore[no-untyped-def]
    data = plan_input(seed_levels(), SEED_BARS)
    doc = generate_plan(data, courses, PlanOptions(dt.date(2026, 12, 2)), NOW)
    assert doc.header.start_date == dt.date(2026, 12, 7)
    assert min(s.start.date() for i in doc.items for s in i.sessions) >= dt.date(2026, 12, 7)
