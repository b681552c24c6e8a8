"""`roundtwo --self-test` from the source tree: passes here, and names what it finds broken."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.selftest import (
    Check,
    CheckFailedError,
    CheckResult,
    check_database,
    check_portaudio,
    model_checks,
    run_checks,
    summary,
)
from tests.packaging.helpers import run, tampered_models


def test_failing_check_is_reported_and_the_rest_still_run(tmp_path: Path) -> None:
    def broken(_work: Path) -> str:
        raise CheckFailedError("The widget is missing.")

    def crashing(_work: Path) -> str:
        return str(1 / 0)

    seen: list[CheckResult] = []
    results = run_checks(
        [Check("a", broken), Check("b", crashing), Check("c", lambda _w: "fine")],
        tmp_path,
        seen.append,
    )
    assert [r.ok for r in results] == [False, False, True]
    assert seen == results
    assert results[0].detail == "The widget is missing."
    assert results[1].detail.startswith("ZeroDivisionError: division by zero at test_selftest.py:")
    assert results[0].line().startswith("FAIL  a ")
    text = summary(results)
    assert "1 of 3 checks passed" in text and "failed: a, b" in text


def test_missing_whisper_model_fails_its_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDTWO_MODEL_CACHE", str(tmp_path / "empty-cache"))
    checks = {c.name: c for c in model_checks()}
    with pytest.raises(CheckFailedError, match=r"Model 'whisper_base' is missing: .*model\.bin"):
        checks["model whisper_base"].run(tmp_path)


def test_unreadable_manifest_is_one_failing_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "manifest.yaml").write_text("models: [oops\n", encoding="utf-8")
    monkeypatch.setenv("ROUNDTWO_MODELS_DIR", str(tmp_path))
    checks = model_checks()
    assert [c.name for c in checks] == ["models (manifest.yaml)"]
    with pytest.raises(CheckFailedError, match="not valid YAML"):
        checks[0].run(tmp_path)


def test_database_check_migrates_a_fresh_file(tmp_path: Path) -> None:
    detail = check_database(tmp_path)
    assert (tmp_path / "home" / "roundtwo.db").is_file()
    assert detail.startswith("migrated to ")


def test_portaudio_check_loads_the_library(tmp_path: Path) -> None:
    assert "PortAudio V19" in check_portaudio(tmp_path)


def test_onnx_runner_check_runs_the_model(tmp_path: Path) -> None:
    checks = {c.name: c for c in model_checks()}
    assert "SileroVad ran on silence" in checks["model silero_vad"].run(tmp_path)


def test_media_check_reads_the_sample_and_names_a_missing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.selftest import CheckFailedError, check_media

    detail = check_media(tmp_path)
    assert detail.startswith("OpenCV read 5 frames 640x480; PyAV decoded ") and "16384" in detail
    monkeypatch.setenv("ROUNDTWO_RESOURCES", str(tmp_path))
    with pytest.raises(CheckFailedError, match=r"interview-sample\.mp4 is missing"):
        check_media(tmp_path)


@pytest.mark.slow
def test_self_test_passes_from_source(tmp_path: Path) -> None:
    work = tmp_path / "work"
    r = run([sys.executable, "-m", "app", "--self-test", "--workdir", str(work)], tmp_path / "h")
    assert r.returncode == 0, r.stdout + r.stderr
    names = ("model whisper_base", "model face_mesh", "database", "render", "portaudio", "media")
    for name in names:
        assert r.line(name).startswith("ok "), r.line(name)
    assert r.line("qt translations").endswith("'Home' -> '首页'")
    assert "checks passed (RoundTwo " in r.stdout.splitlines()[-1]
    png = work / "selftest-home.png"
    assert png.is_file() and png.stat().st_size > 5000


@pytest.mark.slow
def test_self_test_fails_and_names_a_model_with_a_wrong_digest(tmp_path: Path) -> None:
    models = tampered_models(tmp_path / "models", "iris")
    r = run(
        [sys.executable, "-m", "app", "--self-test"],
        tmp_path / "h",
        env={"ROUNDTWO_MODELS_DIR": str(models)},
    )
    assert r.returncode == 1, r.stdout + r.stderr
    line = r.line("model iris")
    assert line.startswith("FAIL ") and "does not match its pinned sha256" in line
    assert r.line("model face_mesh").startswith("ok ")
    assert r.stdout.splitlines()[-1].endswith("failed: model iris")
