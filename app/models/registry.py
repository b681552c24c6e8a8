"""Finds, verifies and opens the models named in the manifest; a bad model is 'unavailable'."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import DependencyError, NotFoundError, RoundTwoError
from app.models.manifest import Manifest, ModelSpec, load_manifest, model_cache_dir
from app.models.session import OnnxSession

log = logging.getLogger(__name__)

_HASH_CACHE: dict[tuple[str, int, int], str] = {}
_HASH_LOCK = threading.Lock()


def sha256_file(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime) so checks stay cheap."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _HASH_LOCK:
        if key in _HASH_CACHE:
            return _HASH_CACHE[key]
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    with _HASH_LOCK:
        _HASH_CACHE[key] = digest
    return digest


@dataclass(frozen=True)
class ModelStatus:
    id: str
    task: str
    available: bool
    path: Path | None
    reason: str  # one sentence when unavailable, "" when available


class ModelUnavailableError(DependencyError):
    """A model that is missing or does not match its pinned sha256."""


class ModelRegistry:
    """Resolves model paths, verifies digests and hands out sessions (one per caller)."""

    def __init__(self, manifest: Manifest | None = None, cache_dir: Path | None = None) -> None:
        self.manifest = manifest or load_manifest()
        self.cache_dir = cache_dir or model_cache_dir()

    def resolve(self, spec: ModelSpec) -> Path:
        if spec.source_kind == "file":
            return self.manifest.base_dir / spec.source_path
        if spec.source_kind == "cache":
            return self.cache_dir / spec.source_path
        if spec.source_kind == "user":
            return Path(spec.source_path).expanduser()
        # package: a file shipped inside an installed distribution
        try:
            dist = importlib.metadata.distribution(spec.source_package)
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelUnavailableError(
                f"Model '{spec.id}' comes from the package '{spec.source_package}', "
                "which is not installed."
            ) from exc
        return Path(str(dist.locate_file(spec.source_path)))

    def _weights_file(self, spec: ModelSpec, path: Path) -> Path:
        # A CTranslate2 model is a folder; its pinned digest is that of model.bin.
        return path / "model.bin" if spec.runtime == "ctranslate2" else path

    def status(self, model_id: str) -> ModelStatus:
        try:
            spec = self.manifest.get(model_id)
        except NotFoundError as exc:
            return ModelStatus(model_id, "?", False, None, exc.message)
        try:
            path = self.resolve(spec)
        except RoundTwoError as exc:
            return ModelStatus(spec.id, spec.task, False, None, exc.message)
        weights = self._weights_file(spec, path)
        if not weights.is_file():
            hint = " Run `roundtwo models build`." if spec.origin else ""
            return ModelStatus(
                spec.id, spec.task, False, path, f"Model '{spec.id}' is missing: {weights}.{hint}"
            )
        digest = sha256_file(weights)
        if digest != spec.sha256:
            return ModelStatus(
                spec.id,
                spec.task,
                False,
                path,
                f"Model '{spec.id}' at {weights} does not match its pinned sha256 "
                f"(found {digest[:12]}…, expected {spec.sha256[:12]}…).",
            )
        for name, want in spec.files.items():
            f = path / name
            if not f.is_file():
                return ModelStatus(spec.id, spec.task, False, path, f"Model '{spec.id}' lacks {f}.")
            if sha256_file(f) != want:
                return ModelStatus(
                    spec.id, spec.task, False, path, f"{f} does not match its pinned sha256."
                )
        return ModelStatus(spec.id, spec.task, True, path, "")

    def statuses(self) -> list[ModelStatus]:
        return [self.status(m) for m in self.manifest.ids()]

    def require(self, model_id: str) -> Path:
        st = self.status(model_id)
        if not st.available or st.path is None:
            raise ModelUnavailableError(st.reason)
        return st.path

    def session(self, model_id: str, *, intra_op_threads: int = 1) -> OnnxSession:
        spec = self.manifest.get(model_id)
        if spec.runtime != "onnx":
            raise ModelUnavailableError(f"Model '{model_id}' is not an ONNX model.")
        return OnnxSession(
            self.require(model_id),
            name=model_id,
            intra_op_threads=intra_op_threads,
            shapes={i.name: i.shape for i in spec.inputs},
        )

    def describe(self, model_id: str) -> dict[str, str]:
        """id, sha256 and version of a model, as recorded in analysis results."""
        spec = self.manifest.get(model_id)
        return {"id": spec.id, "sha256": spec.sha256, "version": spec.version}
