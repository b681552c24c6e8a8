"""Acceptance: Spearman of the suggestions with the graders' BARS levels on the held-out split.

The held-out lines of resources/eval/answers.jsonl are read only here. "Insufficient evidence"
counts as level 0 (below every level), as a person reading the suggestion would take it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from app.scoring.calibration import spearman
from app.scoring.evidence import AnswerInput
from app.scoring.scorer import Scorer

EVAL = Path(__file__).resolve().parents[2] / "resources" / "eval" / "answers.jsonl"
MIN_SPEARMAN = 0.6
log = logging.getLogger(__name__)


def _heldout() -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            if obj.get("split") == "heldout":
                rows.append(obj)
    return rows


def test_heldout_spearman_per_language(scorers: dict[str, Scorer], record_property) -> None:  # type: ignore[no-untyped-def]
    assert EVAL.is_file(), f"{EVAL} is missing: the acceptance set must be in the repo"
    rows = _heldout()
    levels: dict[str, tuple[list[float], list[float]]] = {"zh": ([], []), "en": ([], [])}
    for obj in rows:
        res = scorers[obj["job"]].score(
            AnswerInput(obj["id"], obj["question_id"], obj["lang"], obj["text"]),
            list(obj["grades"]),
        )
        for key, grade in obj["grades"].items():
            s = res.suggestions[key]
            levels[obj["lang"][:2]][0].append(0.0 if s.level is None else float(s.level))
            levels[obj["lang"][:2]][1].append(float(grade))
    result = {}
    for lang, (ai, human) in levels.items():
        assert len(ai) >= 20, f"too few held-out {lang} grades"
        rho = spearman(ai, human)
        result[lang] = rho
        record_property(f"spearman_{lang}", rho)
        log.warning("held-out Spearman %s = %.3f over %d grades", lang, rho, len(ai))
        print(f"held-out Spearman {lang}: {rho:.3f} (n={len(ai)})")
    for lang, rho in result.items():
        assert rho is not None and rho >= MIN_SPEARMAN, (lang, rho)
