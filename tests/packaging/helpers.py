"""Shared pieces of the packaging tests: the bundle path, a tampered model folder, a runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

BUNDLE_DIR = REPO / "dist" / "RoundTwo"
BUNDLE_EXE = BUNDLE_DIR / "RoundTwo"
# `make bundle-test` sets this: the frozen-app tests run (and a missing bundle fails).
REQUIRE_ENV = "ROUNDTWO_REQUIRE_BUNDLE"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def line(self, name: str) -> str:
        """The self-test's line for the check called `name`."""
        for line in self.stdout.splitlines():
            parts = line.split(None, 1)
            if len(parts) == 2 and parts[1].startswith(name + " "):
                return line
        raise AssertionError(f"no line for check {name!r} in:\n{self.stdout}\n{self.stderr}")


def run(cmd: list[str], home: Path, env: dict[str, str] | None = None, timeout: float = 600) -> Run:
    # The frozen app cannot load the tests' file keychain (it is not bundled): it sees what
    # a fresh headless machine has, no keychain at all.
    drop = ("ROUNDTWO_", "PYTHON_KEYRING_BACKEND")
    full = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    full.update({"ROUNDTWO_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"})
    full.update(env or {})
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=full, cwd=home.parent, timeout=timeout, check=False
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def tampered_models(dst: Path, model_id: str, models_dir: Path | None = None) -> Path:
    """A copy of onnx_models/ whose manifest pins a wrong sha256 for `model_id`."""
    import yaml

    src = models_dir or REPO / "onnx_models"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("reference", "scoring-data"))
    manifest = dst / "manifest.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for m in data["models"]:
        if m["id"] == model_id:
            m["sha256"] = "0" * 64
            break
    else:
        raise AssertionError(f"{model_id} is not in {manifest}")
    manifest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return dst
