"""The passphrase dialog of passphrase mode: wrong passphrases are said and counted, the right
one unlocks, both languages render; and the real `roundtwo gui` opens an encrypted database
in passphrase mode (passphrase from the environment, as kiosks and tests give it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.security import keys
from app.ui.i18n import Translations
from app.ui.unlock import MAX_ATTEMPTS, PassphraseDialog

PASS = "correct horse battery staple"


@pytest.fixture
def record() -> str:
    keys.forget_all()
    yield keys.passphrase_record(PASS)
    keys.forget_all()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_dialog_renders_and_unlocks(qtbot, record: str, lang: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tr = Translations(QApplication.instance())  # type: ignore[arg-type]
    assert tr.apply(lang)
    try:
        dlg = PassphraseDialog(record)
        qtbot.addWidget(dlg)
        dlg.show()
        dlg.field.setText("not the passphrase")
        dlg._try()
        assert not dlg.unlocked and dlg.isVisible() and dlg.field.text() == ""
        problem = dlg.problem.text()
        assert str(MAX_ATTEMPTS - 1) in problem
        assert ("口令不正确" in problem) if lang == "zh_CN" else ("wrong" in problem)
        title = dlg.title.text()
        assert title == ("解锁二面" if lang == "zh_CN" else "Unlock RoundTwo")
        shot = tmp_path / f"unlock_{lang}.png"
        assert dlg.grab().save(str(shot))
        assert keys.unlocked_for(record) is None
        dlg.field.setText(PASS)
        dlg._try()
        assert dlg.unlocked and not dlg.isVisible()
        assert keys.unlocked_for(record) is not None
    finally:
        tr.apply("en")


def test_too_many_wrong_attempts_close_the_dialog(qtbot, record: str) -> None:  # type: ignore[no-untyped-def]
    dlg = PassphraseDialog(record)
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(MAX_ATTEMPTS):
        dlg.field.setText("wrong")
        dlg._try()
    assert not dlg.unlocked and not dlg.isVisible() and dlg.attempts == MAX_ATTEMPTS
    assert keys.unlocked_for(record) is None


def _gui(home: Path, passphrase: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ROUNDTWO_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env.pop("ROUNDTWO_PASSPHRASE", None)
    if passphrase is not None:
        env["ROUNDTWO_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "app", "gui", "--exit-after-show"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def test_gui_opens_an_encrypted_database_in_passphrase_mode(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"ROUNDTWO_PASSPHRASE": PASS}
    assert cli("privacy", "keys", "passphrase-mode", "--yes", env=env).returncode == 0
    assert cli("demo", env=env).returncode == 0
    assert (home / "roundtwo.db").read_bytes()[:16] != b"SQLite format 3\x00"
    shown = _gui(home, PASS)
    assert shown.returncode == 0 and "shown" in shown.stdout, shown.stderr
    wrong = _gui(home, PASS + "!")
    assert wrong.returncode != 0
    assert "passphrase is wrong" in wrong.stderr
