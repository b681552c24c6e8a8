"""UI tests run offscreen (set in tests/conftest.py) with compiled translations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from app.context import open_context
from app.samples import load_sample_interview
from app.ui.app import build_window
from tests.conftest import REPO


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    for ts in (REPO / "resources" / "translations").glob("*.ts"):
        qm = ts.with_suffix(".qm")
        if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
            subprocess.run([str(lrelease), "-silent", str(ts)], check=True, timeout=60)


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    c.db.write(load_sample_interview)
    yield c
    c.close()


@pytest.fixture
def window(qtbot, ctx):  # type: ignore[no-untyped-def]
    ctx.settings.language = "en"
    win, tr = build_window(ctx, QApplication.instance())
    qtbot.addWidget(win)
    yield win, tr
    # Leave the application as we found it: no translator installed, no widgets that
    # still point at this test's (soon closed) database.
    tr.apply("en")
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
