"""`roundtwo --self-test`: proves an install (source tree or frozen bundle) can do its job."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app import __version__
from app.core.errors import RoundTwoError
from app.core.paths import HOME_ENV, resources_dir

log = logging.getLogger(__name__)

TRANSLATION_LANGUAGE = "zh_CN"


class CheckFailedError(Exception):
    """A check found a problem; the message is the one-sentence reason shown to the user."""


# A check gets the self-test's work directory and returns a one-line detail, or raises.
CheckFn = Callable[[Path], str]


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFn


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAIL':<5} {self.name:<28} {self.detail}"


def _tiny_rgb() -> np.ndarray:
    """A small deterministic RGB image with some structure (not all zeros)."""
    y, x = np.mgrid[0:96, 0:128]
    img = np.stack([(x * 2) % 256, (y * 3) % 256, ((x + y) * 5) % 256], axis=-1)
    return img.astype(np.uint8)


def _run_onnx_runner(registry: object, model_id: str, task: str) -> str:
    """Create the runner the app uses for `task` and run it once on a tiny input."""
    from app.models import audio, vision
    from app.models.registry import ModelRegistry

    assert isinstance(registry, ModelRegistry)
    session = registry.session(model_id)
    rgb = _tiny_rgb()
    if task == "face-detection":
        faces = vision.FaceDetector(session).detect(rgb)
        return f"FaceDetector ran on 128x96 ({len(faces)} faces)"
    if task == "face-landmarks":
        mesh = vision.FaceMesh(session).run(rgb, vision.Roi(64, 48, 80))
        return f"FaceMesh ran ({mesh.points.shape[0]} points)"
    if task == "iris-landmarks":
        # The eye heads read the face mesh's feature map, so the mesh runs first.
        mesh = vision.FaceMesh(registry.session("face_mesh")).run(rgb, vision.Roi(64, 48, 80))
        iris = vision.EyeLandmarks(session).run(mesh)
        return f"EyeLandmarks ran ({iris.left_iris.shape[0]} iris points per eye)"
    if task == "hand-landmarks":
        hand = vision.HandLandmarks(session).run(rgb, vision.Roi(64, 48, 80))
        return f"HandLandmarks ran ({hand.points.shape[0]} points)"
    if task == "voice-activity":
        prob = audio.SileroVad(session)(np.zeros(audio.CHUNK, dtype=np.float32))
        return f"SileroVad ran on silence (speech probability {prob:.2f})"
    # A model the app has no dedicated runner for: the session's warmup ran it on zeros.
    return f"ONNX session ran on zeros ({len(session.output_names)} outputs)"


def _model_check(model_id: str) -> CheckFn:
    def check(_work: Path) -> str:
        from app.models.registry import ModelRegistry

        registry = ModelRegistry()
        status = registry.status(model_id)
        if not status.available or status.path is None:
            raise CheckFailedError(status.reason)
        spec = registry.manifest.get(model_id)
        if spec.runtime == "ctranslate2":
            from app.models.asr import WhisperAsr

            asr = WhisperAsr(status.path, cpu_threads=1)
            segments = asr.transcribe(np.zeros(16000, dtype=np.float32), lang="en", beam_size=1)
            return f"WhisperAsr ran on 1 s of silence ({len(segments)} segments) from {status.path}"
        return f"{_run_onnx_runner(registry, model_id, spec.task)} from {status.path}"

    return check


def model_checks() -> list[Check]:
    """One check per model in the manifest; an unreadable manifest is itself a failing check."""
    from app.models.manifest import default_manifest_path, load_manifest

    try:
        manifest = load_manifest()
    except RoundTwoError as exc:
        message = exc.message

        def broken(_work: Path) -> str:
            raise CheckFailedError(message)

        return [Check(f"models ({default_manifest_path().name})", broken)]
    return [Check(f"model {m.id}", _model_check(m.id)) for m in manifest.models]


def check_scoring_models(_work: Path) -> str:
    from app.scoring.models import MODEL_NAMES, load_models

    models = load_models()
    if models.notes:
        raise CheckFailedError("; ".join(models.notes) + ".")
    for name in MODEL_NAMES:
        model = getattr(models, name)
        model.run(["I planned the launch and we shipped it on time."])
    return f"{', '.join(MODEL_NAMES)} loaded and ran on one sentence"


def check_chinese_text(_work: Path) -> str:
    """jieba's dictionary and OpenCC's tables are data files a bundle can easily miss."""
    from app.models.asr import to_simplified
    from app.scoring.text import tokenize

    words = tokenize("我负责会员体系改版，复购率提升了百分之五", "zh")
    if len(words) < 4:
        raise CheckFailedError(f"jieba split a Chinese sentence into {words!r} only.")
    simplified = to_simplified("會員體系改版")
    if simplified != "会员体系改版":
        raise CheckFailedError(
            f"OpenCC did not convert traditional to simplified Chinese (got {simplified!r})."
        )
    return f"jieba: {len(words)} words; OpenCC t2s: 會員體系 -> {simplified[:4]}"


def check_database(work: Path) -> str:
    import secrets

    from sqlalchemy import text

    from app.storage import migrate
    from app.storage.db import SQLITE_HEADER, Database

    path = work / "home" / "roundtwo.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Encrypted as every installation's database is (SQLCipher), with a throwaway key.
    db = Database(path, key=secrets.token_bytes(32)).open()
    try:
        with db.read() as s:
            conn = s.connection()
            revision = migrate.current_revision(conn)
            tables = conn.execute(
                text("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            ).scalar_one()
            cipher = conn.execute(text("PRAGMA cipher_version")).scalar()
            fts = conn.execute(text("SELECT count(*) FROM candidate_fts")).scalar_one()
    finally:
        db.close()
    head = migrate.head_revision()
    if revision != head:
        raise CheckFailedError(f"The database {path} is at schema {revision}, not {head}.")
    if not cipher or path.read_bytes()[:16] == SQLITE_HEADER:
        raise CheckFailedError(f"The database {path} was not encrypted (SQLCipher missing).")
    return f"migrated to {head} ({tables} tables, FTS {fts} rows), SQLCipher {cipher}, at {path}"


def check_translation_files(_work: Path) -> str:
    qm = resources_dir() / "translations" / f"roundtwo_{TRANSLATION_LANGUAGE}.qm"
    if not qm.is_file() or qm.stat().st_size == 0:
        raise CheckFailedError(
            f"The translation catalogue {qm} is missing (run make translations)."
        )
    return f"{qm.name} present ({qm.stat().st_size} bytes)"


def check_portaudio(_work: Path) -> str:
    try:
        import sounddevice as sd
    except OSError as exc:  # sounddevice raises OSError when PortAudio cannot be loaded
        raise CheckFailedError(f"The PortAudio library could not be loaded ({exc}).") from exc
    version = str(sd.get_portaudio_version()[1]).split(",")[0]
    devices = len(sd.query_devices())
    library = getattr(sd, "_libname", "?")
    return f"{version} from {library}; {devices} audio devices"


SAMPLE_VIDEO = "samples/media/interview-sample.mp4"


def check_media(_work: Path) -> str:
    """The sample interview decoded by OpenCV (camera and file capture) and by PyAV
    (recordings, audio) in one process: the bundle gives both the one FFmpeg PyAV ships."""
    import av
    import cv2

    path = resources_dir() / SAMPLE_VIDEO
    if not path.is_file():
        raise CheckFailedError(f"The sample interview {path} is missing.")
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        frames = [cap.read()[1] for _ in range(5)]
    finally:
        cap.release()
    if any(f is None or f.size == 0 for f in frames):
        raise CheckFailedError(f"OpenCV could not read video frames from {path.name}.")
    height, width = frames[0].shape[:2]
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise CheckFailedError(f"{path.name} has no audio stream for PyAV to decode.")
        samples = 0
        for frame in container.decode(audio=0):
            samples += frame.samples
            if samples >= 16000:
                break
    if samples == 0:
        raise CheckFailedError(f"PyAV decoded no audio from {path.name}.")
    return f"OpenCV read 5 frames {width}x{height}; PyAV decoded {samples} audio samples"


def core_checks() -> list[Check]:
    """The checks that need no Qt (the GUI adds its own: translations load, offscreen render)."""
    return [
        *model_checks(),
        Check("scoring models", check_scoring_models),
        Check("chinese text", check_chinese_text),
        Check("database", check_database),
        Check("translation files", check_translation_files),
        Check("portaudio", check_portaudio),
        Check("media", check_media),
    ]


def run_checks(
    checks: Sequence[Check], work: Path, report: Callable[[CheckResult], None]
) -> list[CheckResult]:
    """Run every check (a failing one never stops the rest); report each as it finishes."""
    results = []
    for check in checks:
        try:
            detail = check.run(work)
            result = CheckResult(check.name, True, detail)
        except CheckFailedError as exc:
            result = CheckResult(check.name, False, str(exc))
        except RoundTwoError as exc:
            result = CheckResult(check.name, False, exc.message)
        except Exception as exc:
            log.debug("self-test check %s crashed", check.name, exc_info=True)
            where = traceback.extract_tb(exc.__traceback__)[-1:]
            at = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
            result = CheckResult(check.name, False, f"{type(exc).__name__}: {exc}{at}")
        results.append(result)
        report(result)
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roundtwo --self-test",
        description="Load every model, open a database, render a screen offscreen, check "
        "translations and PortAudio; exit 0 if everything works, 1 otherwise.",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the data directory and the rendered PNG here (default: a temporary "
        "directory that is removed afterwards)",
    )
    return parser


def summary(results: Sequence[CheckResult]) -> str:
    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "source"
    passed = sum(r.ok for r in results)
    failed = [r.name for r in results if not r.ok]
    tail = f"; failed: {', '.join(failed)}" if failed else ""
    return (
        f"self-test: {passed} of {len(results)} checks passed "
        f"(RoundTwo {__version__}, {frozen}){tail}"
    )


def main(
    argv: Sequence[str],
    *,
    extra_checks: Callable[[], list[Check]] | None = None,
    report: Callable[[CheckResult], None],
) -> tuple[int, list[CheckResult]]:
    """Run the self-test in a fresh data directory; (exit code, results)."""
    args = build_parser().parse_args(list(argv))
    keep = args.workdir is not None
    work = args.workdir.resolve() if keep else Path(tempfile.mkdtemp(prefix="roundtwo-selftest-"))
    work.mkdir(parents=True, exist_ok=True)
    # Everything the checks open (settings, logs, database) lives in the temporary home.
    previous_home = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(work / "home")
    try:
        checks = core_checks()
        if extra_checks is not None:
            checks += extra_checks()
        results = run_checks(checks, work, report)
    finally:
        if previous_home is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = previous_home
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return (0 if results and all(r.ok for r in results) else 1), results
