"""The project-trained ONNX text models: held-out accuracy, integrity checks, degradation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.scoring.evidence import AnswerInput
from app.scoring.models import MANIFEST_NAME, ScoringModels, load_models, models_dir
from app.scoring.scorer import Scorer
from app.scoring.text import model_input
from tests.scoring.examples import SPECIFIC

MIN_STAR_ACCURACY = 0.75
MIN_OWN_ACCURACY = 0.85
MAX_BYTES = 5 * 1024 * 1024


def _rows(name: str) -> list[dict[str, str]]:
    path = models_dir() / "scoring-data" / f"{name}.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_heldout_split_is_made_of_unseen_templates() -> None:
    train, test = _rows("train"), _rows("test")
    assert len(test) >= 200 and len(train) >= 600
    assert not {r["template"] for r in train} & {r["template"] for r in test}
    for label in ("situation", "task", "action", "result", "reflection", "other"):
        for lang in ("zh", "en"):
            assert sum(1 for r in train if r["star"] == label and r["lang"] == lang) >= 50


def test_star_model_heldout_accuracy_through_onnxruntime(models: ScoringModels) -> None:
    """Re-measure on the held-out sentences with the shipped ONNX file, not sklearn."""
    assert models.star is not None
    test = _rows("test")
    probs = models.star.run([model_input(r["text"], r["lang"]) for r in test])
    pred = [models.star.labels[i] for i in np.argmax(probs, axis=1)]
    acc = float(np.mean([p == r["star"] for p, r in zip(pred, test, strict=True)]))
    recorded = json.loads((models_dir() / "scoring-metrics.json").read_text("utf-8"))
    assert acc >= MIN_STAR_ACCURACY
    assert acc == pytest.approx(recorded["models"]["star"]["accuracy"], abs=0.02)
    for lang in ("zh", "en"):
        rows = [(p, r) for p, r in zip(pred, test, strict=True) if r["lang"] == lang]
        assert np.mean([p == r["star"] for p, r in rows]) >= MIN_STAR_ACCURACY - 0.05


def test_ownership_model_heldout_accuracy(models: ScoringModels) -> None:
    assert models.ownership is not None
    test = [r for r in _rows("test") if r["own"]]
    probs = models.ownership.run([model_input(r["text"], r["lang"]) for r in test])
    pred = [models.ownership.labels[i] for i in np.argmax(probs, axis=1)]
    acc = float(np.mean([p == r["own"] for p, r in zip(pred, test, strict=True)]))
    assert acc >= MIN_OWN_ACCURACY


def test_model_files_are_small_and_listed_with_their_hashes() -> None:
    manifest = json.loads((models_dir() / MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest["models"]) == {"star", "ownership", "similarity"}
    for entry in manifest["models"].values():
        assert (models_dir() / entry["file"]).stat().st_size < MAX_BYTES
        assert len(entry["sha256"]) == 64


def _copy_models(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    manifest = json.loads((models_dir() / MANIFEST_NAME).read_text("utf-8"))
    shutil.copy(models_dir() / MANIFEST_NAME, d / MANIFEST_NAME)
    for entry in manifest["models"].values():
        shutil.copy(models_dir() / entry["file"], d / entry["file"])
    return d


def test_tampered_model_is_refused_with_a_clear_note(tmp_path: Path, profiles) -> None:  # type: ignore[no-untyped-def]
    d = _copy_models(tmp_path)
    star = d / "scoring-star.onnx"
    star.write_bytes(star.read_bytes()[:-10] + b"0123456789")
    (d / "scoring-similarity.onnx").unlink()
    m = load_models(d)
    assert m.star is None and m.similarity is None and m.ownership is not None
    assert any("sha256" in n and "scoring-star.onnx" in n for n in m.notes)
    assert any("missing" in n and "scoring-similarity.onnx" in n for n in m.notes)
    job, qid, lang, text = SPECIFIC[3]
    res = Scorer(profiles[job], m).score(AnswerInput("a", qid, lang, text))
    assert res.analysis.model_notes
    for s in res.suggestions.values():
        assert s.level is not None and s.evidence  # rule-based evidence still works
        assert any("unavailable" in n for n in s.notes)
        assert "similarity" not in s.features


def test_missing_manifest_degrades_to_rules(tmp_path: Path, profiles) -> None:  # type: ignore[no-untyped-def]
    m = load_models(tmp_path)
    assert m.star is None and m.ownership is None and m.similarity is None
    assert all("manifest" in n for n in m.notes)
    job, qid, lang, text = SPECIFIC[2]
    full = Scorer(profiles[job], m).score(AnswerInput("a", qid, lang, text))
    assert all(s.level is not None for s in full.suggestions.values())
