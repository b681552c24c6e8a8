"""UI tests run offscreen (set in tests/conftest.py) with compiled translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    for ts in (REPO / "resources" / "translations").glob("*.ts"):
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([str(lrelease), "-silent", str(ts)], check=True, timeout=60)
