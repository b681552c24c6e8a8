from __future__ import annotations

import pytest

from app.core.domain import CompetencyBar, match_percent, meets_bar

BARS = [
    CompetencyBar("data-analysis", 0.4, 8),
    CompetencyBar("communication", 0.3, 8),
    CompetencyBar("values-fit", 0.3, 6),
]


def test_all_bars_met_is_100() -> None:
    assert match_percent(BARS, {"data-analysis": 9, "communication": 8, "values-fit": 6}) == 100.0


def test_a_gap_costs_its_weighted_share_and_excess_does_not_compensate() -> None:
    # data analysis 7 vs 8 -> 0.875 of 0.4; communication 10 vs 8 is capped at 1.
    got = match_percent(BARS, {"data-analysis": 7, "communication": 10, "values-fit": 6})
    assert got == pytest.approx(100 * (0.4 * 7 / 8 + 0.3 + 0.3), abs=0.05)


def test_unrated_competencies_leave_the_denominator() -> None:
    assert match_percent(BARS, {"communication": 4}) == 50.0
    assert match_percent(BARS, {}) is None


def test_out_of_scale_level_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        match_percent(BARS, {"communication": 11})


def test_meets_bar() -> None:
    assert meets_bar(BARS[0], 8) is True
    assert meets_bar(BARS[0], 7.9) is False
    assert meets_bar(BARS[0], None) is None
