"""Building the command line must not import the heavy parts (every call pays for it)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = (
    "matplotlib",
    "onnxruntime",
    "fastapi",
    "uvicorn",
    "av",
    "jieba",
    "sklearn",
    "cv2",
    "reportlab",
    "pandas",
    "faster_whisper",
    "ctranslate2",
    "recordlinkage",
    "openpyxl",
    "PySide6",
)


def test_parser_build_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom app.cli.main import build_parser\nbuild_parser()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "", f"imported while building the parser: {out.stdout}"


def test_a_broken_command_module_does_not_break_the_others(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = tmp_path / "src"
    shutil.copytree(REPO / "app", root / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "resources", root / "resources")
    (root / "app" / "cli" / "cmd_zzbroken.py").write_text("import no_such_module_xyz\n")
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "ROUNDTWO_HOME": str(tmp_path / "h")}
    ok = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0 and "roundtwo" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "app", "zzbroken"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 69 and "could not be loaded" in bad.stderr
    assert "Traceback" not in bad.stderr
