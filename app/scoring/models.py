"""The scoring text models: manifest, sha256 check, one-thread ONNX sessions, clear degradation."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.paths import resources_dir

log = logging.getLogger(__name__)

MODELS_ENV = "ROUNDTWO_MODELS"
MANIFEST_NAME = "scoring-manifest.json"
MODEL_NAMES = ("star", "ownership", "similarity")


def models_dir() -> Path:
    """`ROUNDTWO_MODELS` if set, else `onnx_models/` beside the bundled resources."""
    override = os.environ.get(MODELS_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return resources_dir().parent / "onnx_models"


@dataclass(frozen=True)
class ModelStatus:
    name: str
    available: bool
    note: str


class TextModel:
    """One ONNX session over pre-tokenised strings (see `app.scoring.text.model_input`)."""

    def __init__(self, name: str, path: Path, labels: Sequence[str]) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # Sessions run beside the live vision models: one intra-op thread each, no spinning.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.name = name
        self.labels = list(labels)
        self._session = ort.InferenceSession(
            str(path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()

    def run(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Class probabilities [N, labels], or the TF-IDF matrix for the similarity model."""
        if not texts:
            width = len(self.labels) if self.labels else 0
            return np.zeros((0, width), dtype=np.float32)
        feed = {self._input: np.array(list(texts), dtype=object).reshape(-1, 1)}
        with self._lock:
            outputs = self._session.run(None, feed)
        out = outputs[1] if self.labels else outputs[0]
        return np.asarray(out, dtype=np.float32)


@dataclass
class ScoringModels:
    """What loaded and what did not; a missing model leaves its feature visibly unavailable."""

    star: TextModel | None = None
    ownership: TextModel | None = None
    similarity: TextModel | None = None
    statuses: list[ModelStatus] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [s.note for s in self.statuses if not s.available]

    def available(self, name: str) -> bool:
        return getattr(self, name) is not None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_models(directory: Path | None = None) -> ScoringModels:
    """Load every scoring model named in the manifest; never raises for a missing/bad file."""
    d = directory or models_dir()
    manifest_path = d / MANIFEST_NAME
    result = ScoringModels()
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries: dict[str, Any] = manifest["models"]
    except FileNotFoundError:
        note = f"scoring model manifest {manifest_path} is missing: rule-based evidence only"
        log.warning(note)
        result.statuses = [ModelStatus(n, False, note) for n in MODEL_NAMES]
        return result
    except (ValueError, KeyError, TypeError) as exc:
        note = f"scoring model manifest {manifest_path} cannot be read ({exc}): rule-based only"
        log.warning(note)
        result.statuses = [ModelStatus(n, False, note) for n in MODEL_NAMES]
        return result
    for name in MODEL_NAMES:
        status = _load_one(d, name, entries.get(name), result)
        result.statuses.append(status)
        if not status.available:
            log.warning(status.note)
    return result


def _load_one(d: Path, name: str, entry: Any, into: ScoringModels) -> ModelStatus:
    if not isinstance(entry, dict) or "file" not in entry or "sha256" not in entry:
        return ModelStatus(name, False, f"model '{name}' is not in {d / MANIFEST_NAME}")
    path = d / str(entry["file"])
    if not path.is_file():
        return ModelStatus(name, False, f"model file {path} for '{name}' is missing")
    digest = _sha256(path)
    if digest != entry["sha256"]:
        return ModelStatus(
            name,
            False,
            f"model file {path} for '{name}' has sha256 {digest[:12]}…, "
            f"expected {str(entry['sha256'])[:12]}… (damaged or replaced); not used",
        )
    try:
        model = TextModel(name, path, [str(x) for x in entry.get("labels", [])])
    except Exception as exc:  # onnxruntime raises its own types for corrupt graphs
        return ModelStatus(name, False, f"model file {path} for '{name}' cannot be loaded: {exc}")
    setattr(into, name, model)
    return ModelStatus(name, True, f"{name}: {path.name}")


_default_lock = threading.Lock()
_default: ScoringModels | None = None


def default_models() -> ScoringModels:
    """The process-wide models from `models_dir()`, loaded once."""
    global _default
    with _default_lock:
        if _default is None:
            _default = load_models()
        return _default
