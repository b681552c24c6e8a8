"""The model manifest (onnx_models/manifest.yaml): what each model is, where it comes from."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from app.core.errors import InvalidInputError, NotFoundError
from app.core.paths import APP_NAME, resources_dir

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MODEL_CACHE_ENV = "ROUNDTWO_MODEL_CACHE"
MODELS_DIR_ENV = "ROUNDTWO_MODELS_DIR"
SOURCE_KINDS = ("file", "package", "cache", "user")
RUNTIMES = ("onnx", "ctranslate2")


class ManifestError(InvalidInputError):
    """The manifest cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class InputSpec:
    name: str
    shape: tuple[int, ...]
    layout: str = ""
    color: str = ""
    value_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class ModelSpec:
    """One manifest entry."""

    id: str
    task: str
    runtime: str
    source_kind: str
    source_path: str
    sha256: str
    licence: str
    quantization: str
    inputs: tuple[InputSpec, ...]
    outputs: tuple[str, ...]
    labels: tuple[str, ...]
    origin: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    source_package: str = ""

    @property
    def version(self) -> str:
        """The version of the original this model was made from (package==version)."""
        if "package" in self.origin:
            return f"{self.origin['package']}=={self.origin.get('version', '?')}"
        parts = self.origin.get("parts") or []
        if parts:
            return "+".join(f"{p['package']}=={p['version']}" for p in parts)
        return "user-supplied"


@dataclass(frozen=True)
class Manifest:
    path: Path
    models: tuple[ModelSpec, ...]

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def get(self, model_id: str) -> ModelSpec:
        for m in self.models:
            if m.id == model_id:
                return m
        raise NotFoundError(f"The model manifest {self.path} has no model '{model_id}'.")

    def ids(self) -> list[str]:
        return [m.id for m in self.models]


def models_dir() -> Path:
    """The folder of the manifest and committed models: env override, bundle or source tree."""
    override = os.environ.get(MODELS_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return resources_dir().parent / "onnx_models"


def default_manifest_path() -> Path:
    return models_dir() / "manifest.yaml"


def model_cache_dir() -> Path:
    """Where built models too big to commit live (the Whisper model): env override or cache."""
    override = os.environ.get(MODEL_CACHE_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "models"


def _req(entry: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise ManifestError(f"{path}: {where} is missing the field '{key}'.")
    return entry[key]


def _inputs(raw: Any, where: str, path: Path) -> tuple[InputSpec, ...]:
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: {where}.inputs must be a list.")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ManifestError(f"{path}: {where}.inputs[{i}] must be a mapping.")
        rng = item.get("range")
        try:
            shape = tuple(int(d) for d in item.get("shape", []))
            value_range = (float(rng[0]), float(rng[1])) if rng else None
        except (TypeError, ValueError, IndexError) as exc:
            raise ManifestError(f"{path}: {where}.inputs[{i}] has a bad shape/range.") from exc
        out.append(
            InputSpec(
                name=str(_req(item, "name", f"{where}.inputs[{i}]", path)),
                shape=shape,
                layout=str(item.get("layout", "")),
                color=str(item.get("color", "")),
                value_range=value_range,
            )
        )
    return tuple(out)


def parse_manifest(data: Any, path: Path) -> Manifest:
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise ManifestError(f"{path}: expected a mapping with a 'models' list.")
    if data.get("version") != 1:
        raise ManifestError(f"{path}: unsupported manifest version {data.get('version')!r}.")
    models: list[ModelSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["models"]):
        where = f"models[{i}]"
        if not isinstance(entry, dict):
            raise ManifestError(f"{path}: {where} must be a mapping.")
        mid = str(_req(entry, "id", where, path))
        where = f"model '{mid}'"
        if mid in seen:
            raise ManifestError(f"{path}: {where} is listed twice.")
        seen.add(mid)
        source = _req(entry, "source", where, path)
        if not isinstance(source, dict):
            raise ManifestError(f"{path}: {where}.source must be a mapping.")
        kind = str(_req(source, "kind", f"{where}.source", path))
        if kind not in SOURCE_KINDS:
            raise ManifestError(
                f"{path}: {where}.source.kind is '{kind}', "
                f"expected one of {', '.join(SOURCE_KINDS)}."
            )
        runtime = str(_req(entry, "runtime", where, path))
        if runtime not in RUNTIMES:
            raise ManifestError(f"{path}: {where}.runtime '{runtime}' is not supported.")
        sha = str(_req(entry, "sha256", where, path)).lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ManifestError(f"{path}: {where}.sha256 is not a 64-digit hex digest.")
        files = entry.get("files") or {}
        if not isinstance(files, dict):
            raise ManifestError(f"{path}: {where}.files must be a mapping of name to sha256.")
        origin = entry.get("origin") or {}
        if not isinstance(origin, dict):
            raise ManifestError(f"{path}: {where}.origin must be a mapping.")
        models.append(
            ModelSpec(
                id=mid,
                task=str(_req(entry, "task", where, path)),
                runtime=runtime,
                source_kind=kind,
                source_path=str(_req(source, "path", f"{where}.source", path)),
                source_package=str(source.get("package", "")),
                sha256=sha,
                licence=str(_req(entry, "licence", where, path)),
                quantization=str(entry.get("quantization", "none")),
                inputs=_inputs(entry.get("inputs", []), where, path),
                outputs=tuple(str(o) for o in entry.get("outputs", [])),
                labels=tuple(str(label) for label in entry.get("labels", [])),
                origin=origin,
                files={str(k): str(v).lower() for k, v in files.items()},
            )
        )
    return Manifest(path, tuple(models))


def load_manifest(path: Path | None = None) -> Manifest:
    path = path or default_manifest_path()
    if not path.is_file():
        raise NotFoundError(
            f"The model manifest {path} is missing.",
            hint=f"Reinstall RoundTwo or set {MODELS_DIR_ENV} to the onnx_models folder.",
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML ({exc}).") from exc
    return parse_manifest(data, path)
