"""Agreement statistics and re-weighting from interviewer ratings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import InvalidInputError
from app.scoring.calibration import (
    Pair,
    calibration_report,
    icc_2_1,
    reweight,
    save_weights,
    spearman,
)
from app.scoring.scorer import Weights, level_from, load_weights


def test_spearman_matches_known_values() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # Ties get mean ranks: x ranks 1,2.5,2.5,4 against 1,2,3,4 -> 0.9487
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486833, abs=1e-6)
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1, 2], [1, 2]) is None


def test_icc_agreement_and_bias() -> None:
    same = [[3, 3], [5, 5], [8, 8], [2, 2]]
    assert icc_2_1(same) == pytest.approx(1.0)
    shifted = [[3, 5], [5, 7], [8, 10], [2, 4]]
    # Consistent but not in absolute agreement: ICC(2,1) penalises the 2-level offset.
    assert icc_2_1(shifted) is not None and icc_2_1(shifted) < 0.8  # type: ignore[operator]
    assert icc_2_1([[1, 2]]) is None


def test_report_per_competency_and_reweighting(tmp_path: Path) -> None:
    pairs = [Pair("a", x, x + 2) for x in (2, 3, 4, 5, 6, 7)] * 3 + [
        Pair("b", x, x) for x in (2, 4, 6, 8)
    ]
    rep = calibration_report(pairs)
    assert set(rep) == {"a", "b", "*"}
    assert rep["a"].exact == 0.0 and rep["a"].adjacent == 0.0 and rep["a"].mean_difference == -2
    assert rep["b"].exact == 1.0 and rep["b"].spearman == pytest.approx(1.0)
    w = reweight(pairs)
    base = Weights()
    f = {
        "own": 0.8,
        "specific": 0.5,
        "result": 0.5,
        "decision": 0.3,
        "star": 0.7,
        "reflection": 0.2,
        "scope": 0.0,
        "vague": 0.1,
        "relevance": 0.7,
        "counter": 0.0,
    }
    # 'a' was consistently 2 levels low: the re-weighted rule moves up, but shrunk (n=18).
    gain = level_from(f, w["a"]) - level_from(f, base)
    assert 0.8 < gain < 2.0
    assert level_from(f, w["b"]) == pytest.approx(level_from(f, base), abs=0.3)
    path = tmp_path / "w.json"
    save_weights(path, base, w)
    default, per = load_weights(path)
    assert default == base and per["a"] == w["a"]
    path.write_text(json.dumps({"default": {"bogus": 1}}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match="bogus"):
        load_weights(path)


def test_reading_answers_names_file_and_line(tmp_path: Path) -> None:
    from app.core.errors import NotFoundError
    from app.scoring.answers_io import read_answers

    with pytest.raises(NotFoundError, match=r"nope\.jsonl"):
        read_answers(tmp_path / "nope.jsonl")
    p = tmp_path / "a.jsonl"
    p.write_text(
        '{"id": "1", "question_id": "q01", "lang": "zh-CN", "text": "我负责。"}\n\n'
        '{"id": "1", "question_id": "q01", "lang": "en", "text": "again"}\n[1, 2]\n',
        encoding="utf-8",
    )
    good, bad = read_answers(p)
    assert [(n, a.lang) for n, a in good] == [(1, "zh")]
    assert [(b.line, "repeats" in b.message or "object" in b.message) for b in bad] == [
        (3, True),
        (4, True),
    ]
    assert str(p) in bad[0].error().message and "line 3" in bad[0].error().message
