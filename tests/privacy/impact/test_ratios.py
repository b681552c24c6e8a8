"""Impact ratios against a hand-computed example (LL144 style), including intersections,
the small-group rule, unknown/declined counted apart, and the scoring-rate median."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from server.impact import Person, group_table, population_report, sex_of

F = Fraction

# One job, 221 applicants. (sex, race, applicants n, selected k) per cell:
CELLS = [
    ("female", "asian", 40, 10),
    ("female", "white", 40, 20),
    ("male", "asian", 60, 30),
    ("male", "white", 60, 36),
    ("female", "black", 5, 1),  # a small group: n = 5 < 30
    (None, None, 10, 3),  # no demographic data at all: unknown
    ("declined", "declined", 6, 2),  # answered "prefer not to say"
]


def people_of(cells: list[tuple[Any, Any, int, int]]) -> list[Person]:
    out = []
    for sex, race, n, k in cells:
        out += [Person(sex, race, selected=i < k) for i in range(n)]
    return out


PEOPLE = people_of(CELLS)


def _groups(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["category"]: g for g in table["groups"]}


def test_selection_impact_ratios_match_the_hand_computed_example() -> None:
    rep = population_report(PEOPLE)
    assert (
        rep["applicants"] == 221 and rep["selection"]["selected"] == 10 + 20 + 30 + 36 + 1 + 3 + 2
    )

    # --- sex -------------------------------------------------------------------------------
    # female: n = 40 + 40 + 5 = 85, selected = 10 + 20 + 1 = 31 -> rate 31/85 ≈ 0.3647
    # male:   n = 60 + 60 = 120,   selected = 30 + 36 = 66     -> rate 66/120 = 11/20 = 0.55
    # highest = male; female impact ratio = (31/85) / (11/20) = 620/935 = 124/187 ≈ 0.663 < 0.8
    sex = rep["selection"]["sex"]
    g = _groups(sex)
    assert (g["female"]["n"], g["female"]["count"]) == (85, 31)
    assert (g["male"]["n"], g["male"]["count"]) == (120, 66)
    assert g["female"]["rate"] == pytest.approx(float(F(31, 85)))
    assert g["male"]["rate"] == pytest.approx(float(F(11, 20)))
    assert sex["highest"] == "male" and g["male"]["impact_ratio"] == pytest.approx(1.0)
    assert g["female"]["impact_ratio"] == pytest.approx(float(F(124, 187)))
    assert g["female"]["four_fifths_flag"] and not g["male"]["four_fifths_flag"]
    # unknown (10) and declined (6) are counted apart and are in no rate
    assert (sex["unknown"], sex["declined"], sex["total"]) == (10, 6, 221)
    # chi-square (2x2, no continuity correction) = N (ad - bc)^2 / (r1 r2 c1 c2)
    #   a=31 b=54 (female yes/no), c=66 d=54 (male), N=205, columns 97 / 108
    #   = 205 * (31*54 - 54*66)^2 / (85 * 120 * 97 * 108) = 90405/13192 ≈ 6.853, dof 1
    chi = sex["chi_square"]
    assert chi["statistic"] == pytest.approx(float(F(90405, 13192))) and chi["dof"] == 1
    assert chi["p"] < 0.01

    # --- race/ethnicity ----------------------------------------------------------------------
    # asian: 40/100 = 0.40; white: 56/100 = 0.56 (highest); black: 1/5, n = 5 < 30 -> small
    # asian impact ratio = 0.40 / 0.56 = 5/7 ≈ 0.714 < 0.8
    race = rep["selection"]["race_ethnicity"]
    r = _groups(race)
    assert race["highest"] == "white"
    assert r["asian"]["impact_ratio"] == pytest.approx(float(F(5, 7)))
    assert r["asian"]["four_fifths_flag"]
    # The small group is reported with its counts and rate but not compared.
    assert r["black"]["small"] and (r["black"]["n"], r["black"]["count"]) == (5, 1)
    assert r["black"]["rate"] == pytest.approx(0.2) and r["black"]["impact_ratio"] is None
    assert not r["black"]["four_fifths_flag"] and r["black"]["fisher_p"] is None
    assert any("'black' has 5 people" in w for w in race["warnings"])

    # --- intersections (sex x race) ----------------------------------------------------------
    # female×asian 10/40 = 1/4, female×white 20/40 = 1/2, male×asian 30/60 = 1/2,
    # male×white 36/60 = 3/5 (highest), female×black 1/5 (n = 5: small)
    # female×asian impact ratio = (1/4) / (3/5) = 5/12 ≈ 0.417 -> flagged
    # female×white and male×asian = (1/2) / (3/5) = 5/6 ≈ 0.833 -> not flagged
    inter = rep["selection"]["intersection"]
    x = _groups(inter)
    assert inter["highest"] == "male × white"
    assert x["female × asian"]["impact_ratio"] == pytest.approx(float(F(5, 12)))
    assert x["female × asian"]["four_fifths_flag"]
    assert x["female × white"]["impact_ratio"] == pytest.approx(float(F(5, 6)))
    assert x["male × asian"]["impact_ratio"] == pytest.approx(float(F(5, 6)))
    assert not x["female × white"]["four_fifths_flag"]
    assert x["female × black"]["small"] and x["female × black"]["impact_ratio"] is None
    assert (inter["unknown"], inter["declined"]) == (10, 6)
    # Fisher exact, two-sided, against the highest group: 10/40 vs 36/60 is significant,
    # 20/40 vs 36/60 is not.
    assert x["female × asian"]["fisher_p"] < 0.01
    assert x["female × white"]["fisher_p"] > 0.05
    assert x["male × white"]["fisher_p"] is None


def test_the_two_percent_rule_also_marks_a_group_small() -> None:
    # 40 of 2,500 is 1.6 % of the pool: under 2 %, so small even though n >= 30.
    people = people_of([("female", "asian", 40, 20), ("male", "asian", 2460, 1000)])
    g = _groups(group_table(people, sex_of, lambda p: p.selected))
    assert g["female"]["small"] and g["female"]["impact_ratio"] is None
    assert not g["male"]["small"] and g["male"]["impact_ratio"] == pytest.approx(1.0)


def test_scoring_rates_use_the_median_of_the_whole_pool() -> None:
    # Scores 1..9; the unknown person's 9 counts towards the median (5) but is in no rate.
    # female scores 1, 2, 3, 8 -> above 5: {8}    -> 1/4
    # male   scores 4, 5, 6, 7 -> above 5: {6, 7} -> 2/4 = 1/2 (highest; 5 is not above 5)
    # female scoring impact ratio = (1/4) / (1/2) = 1/2
    people = [Person("female", "asian", False, s) for s in (1, 2, 3, 8)]
    people += [Person("male", "white", False, s) for s in (4, 5, 6, 7)]
    people += [Person(None, None, False, 9.0), Person("male", "white", True, None)]
    rep = population_report(people, min_n=1)
    scoring = rep["scoring"]
    assert scoring["median"] == 5 and scoring["scored"] == 9
    g = _groups(scoring["sex"])
    assert (g["female"]["n"], g["female"]["count"]) == (4, 1)  # the unscored man is not counted
    assert (g["male"]["n"], g["male"]["count"]) == (4, 2)
    assert g["female"]["impact_ratio"] == pytest.approx(0.5) and g["female"]["four_fifths_flag"]
    assert scoring["sex"]["unknown"] == 1
