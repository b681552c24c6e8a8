"""The frozen app in dist/RoundTwo (built by `make bundle`): self-test, failure, GUI start."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.packaging.helpers import BUNDLE_DIR, BUNDLE_EXE, REQUIRE_ENV, run, tampered_models

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle() -> Path:
    # Only `make bundle-test` (which builds first) runs these: a dist/ left over from an
    # older build must not make `make test` fail or pass for the wrong reason.
    if not os.environ.get(REQUIRE_ENV):
        pytest.skip(f"the frozen app is tested by `make bundle-test` ({REQUIRE_ENV}=1)")
    if not BUNDLE_EXE.is_file():
        pytest.fail(f"{BUNDLE_EXE} is missing: `make bundle` did not produce it")
    return BUNDLE_EXE


def test_frozen_self_test_passes(bundle: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    r = run([str(bundle), "--self-test", "--workdir", str(work)], tmp_path / "h")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "frozen bundle" in r.stdout.splitlines()[-1]
    # Everything came from inside the bundle, not from the source tree or the user cache.
    internal = str(BUNDLE_DIR / "_internal")
    assert internal in r.line("model face_mesh")
    assert internal + "/model_cache/whisper-base-ct2" in r.line("model whisper_base")
    assert internal in r.line("portaudio")
    assert "'offscreen'" in r.line("render")
    assert (work / "selftest-home.png").stat().st_size > 5000


def test_frozen_self_test_fails_on_a_wrong_model_digest(bundle: Path, tmp_path: Path) -> None:
    models = tampered_models(
        tmp_path / "models", "face_detect_full", BUNDLE_DIR / "_internal" / "onnx_models"
    )
    r = run([str(bundle), "--self-test"], tmp_path / "h", env={"ROUNDTWO_MODELS_DIR": str(models)})
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.line("model face_detect_full").startswith("FAIL ")
    assert "does not match its pinned sha256" in r.line("model face_detect_full")
    assert r.stdout.splitlines()[-1].endswith("failed: model face_detect_full")


def test_frozen_self_test_fails_without_the_whisper_model(bundle: Path, tmp_path: Path) -> None:
    r = run(
        [str(bundle), "--self-test"],
        tmp_path / "h",
        env={"ROUNDTWO_MODEL_CACHE": str(tmp_path / "empty")},
    )
    assert r.returncode == 1
    assert "Model 'whisper_base' is missing" in r.line("model whisper_base")


def test_frozen_gui_starts_and_cli_reports_its_version(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "h"
    refused = run([str(bundle), "gui", "--exit-after-show"], home, timeout=300)
    assert refused.returncode == 69, refused.stdout + refused.stderr  # no keychain here
    assert "no OS keychain" in refused.stderr and not (home / "roundtwo.db").exists()
    secret = {"ROUNDTWO_PASSPHRASE": "frozen app test passphrase"}
    admin = run([str(bundle), "privacy", "keys", "passphrase-mode", "--yes"], home, env=secret)
    assert admin.returncode == 0, admin.stderr
    r = run([str(bundle), "gui", "--exit-after-show"], home, env=secret, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^shown \d+$", r.stdout, re.MULTILINE), r.stdout
    assert (home / "roundtwo.db").read_bytes()[:16] != b"SQLite format 3\x00"  # SQLCipher
    from app import __version__

    v = run([str(bundle), "--version"], tmp_path / "h")
    assert v.stdout.strip() == f"roundtwo {__version__}"


def test_frozen_cli_deduplicates_and_analyzes_like_the_source(bundle: Path, tmp_path: Path) -> None:
    """The bundle's own linkage (no recordlinkage/scikit-learn/SciPy inside), OpenCV on PyAV's
    FFmpeg and the models give what the source tree gives on the bundled samples."""
    import json
    import sys

    from tests.conftest import REPO

    secret = {"ROUNDTWO_PASSPHRASE": "frozen app test passphrase"}
    csv = REPO / "resources/samples/legacy-candidates.csv"
    video = REPO / "resources/samples/media/interview-sample.mp4"
    results = {}
    for kind, cmd in (("frozen", [str(bundle)]), ("source", [sys.executable, "-m", "app"])):
        home = tmp_path / kind / "h"
        home.parent.mkdir()
        admin = run([*cmd, "privacy", "keys", "passphrase-mode", "--yes"], home, env=secret)
        assert admin.returncode == 0, admin.stderr
        report = tmp_path / kind / "r.json"
        imp = run(
            [*cmd, "import", str(csv), "--entity", "candidates", "--report", str(report)],
            home,
            env=secret,
        )
        assert imp.returncode == 0, imp.stdout + imp.stderr
        out = tmp_path / kind / "analysis"
        an = run([*cmd, "analyze", str(video), "--out", str(out)], home, env=secret)
        assert an.returncode == 0, an.stdout + an.stderr
        analysis = json.loads((out / "analysis.json").read_text("utf-8"))
        results[kind] = (json.loads(report.read_text("utf-8"))["counts"], analysis)
    (frozen_counts, frozen), (source_counts, source) = results["frozen"], results["source"]
    assert frozen_counts == source_counts and frozen_counts["merged"] > 0, frozen_counts
    assert [s["text"] for s in frozen["transcript"]] == [s["text"] for s in source["transcript"]]
    assert frozen["signals"].keys() == source["signals"].keys()


def test_frozen_demo_report_pdf_has_its_charts(bundle: Path, tmp_path: Path) -> None:
    """matplotlib draws the charts and Pillow writes their PNGs inside the bundle (Pillow's
    AVIF, WebP and colour-management parts are left out)."""
    import subprocess

    home = tmp_path / "h"
    secret = {"ROUNDTWO_PASSPHRASE": "frozen app test passphrase"}
    assert (
        run([str(bundle), "privacy", "keys", "passphrase-mode", "--yes"], home, secret).returncode
        == 0
    )
    demo = run([str(bundle), "demo"], home, env=secret)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    pdf = tmp_path / "report.pdf"
    rep = run([str(bundle), "report", "latest", "--pdf", str(pdf)], home, env=secret)
    assert rep.returncode == 0, rep.stdout + rep.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    charts = [ln for ln in images.stdout.splitlines()[2:] if " image " in ln]
    assert len(charts) >= 2, images.stdout  # the radar and the bar chart


def test_bundle_leaves_out_unused_qt_and_dev_packages(bundle: Path) -> None:
    internal = BUNDLE_DIR / "_internal"
    names = {p.name for p in internal.rglob("*")}
    for unwanted in (
        "libQt6WebEngineCore.so.6",
        "libQt6Pdf.so.6",
        "libQt6VirtualKeyboard.so.6",
        "libqgtk3.so",
        "libgtk-3.so.0",
        "libQt63DCore.so.6",
        "hf_xet",
        "server",
        "fastapi",
        "QtCharts.abi3.so",
        "pytest",
        "mypy",
        "tkinter",
        "_tkinter.cpython-311-x86_64-linux-gnu.so",
        "recordlinkage",
        "sklearn",
        "scipy",
        "scipy.libs",
        "pandas",
        "_avif.cpython-311-x86_64-linux-gnu.so",
    ):
        assert unwanted not in names, unwanted
    # OpenCV shares PyAV's FFmpeg and NumPy's OpenBLAS (bundle_filters.share_*).
    ocv = internal / "opencv_python_headless.libs"
    ffmpeg = [p for p in ocv.iterdir() if re.match(r"lib(avcodec|avformat|avutil|sw\w+)-", p.name)]
    assert ffmpeg and all(p.is_symlink() and p.resolve().parent.name == "av.libs" for p in ffmpeg)
    [blas] = ocv.glob("libopenblas*")
    assert blas.stat().st_size < 100_000, "OpenCV's own OpenBLAS was bundled, not the shim"
    assert not list(ocv.glob("libgfortran*"))
    assert (internal / "THIRD_PARTY_LICENSES").is_file()
    assert (internal / "libportaudio.so.2").is_file()
    assert (internal / "app" / "storage" / "migrations" / "versions").is_dir()
    qt_translations = sorted(p.name for p in internal.rglob("*.qm"))
    assert qt_translations == ["qtbase_zh_CN.qm", "roundtwo_zh_CN.qm"], qt_translations
