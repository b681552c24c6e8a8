"""The Qt half of `roundtwo --self-test`: Qt translations load and one screen renders offscreen."""

from __future__ import annotations

import os
from pathlib import Path

from app.selftest import TRANSLATION_LANGUAGE, Check, CheckFailedError

RENDER_SIZE = (1024, 640)


def _application():  # type: ignore[no-untyped-def]
    # Without a display Qt aborts the whole process: fall back to the offscreen platform.
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not has_display and not os.environ.get("QT_QPA_PLATFORM", "").strip():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["roundtwo"])
    app.setApplicationName("RoundTwo")
    return app


def check_translations(_work: Path) -> str:
    from PySide6.QtCore import QCoreApplication

    from app.ui.i18n import Translations

    app = _application()
    tr = Translations(app)
    try:
        if not tr.apply(TRANSLATION_LANGUAGE):
            raise CheckFailedError(
                f"The {TRANSLATION_LANGUAGE} catalogue did not load (see the log for its path)."
            )
        home = QCoreApplication.translate("MainWindow", "Home")
        if home == "Home":
            raise CheckFailedError(
                f"The {TRANSLATION_LANGUAGE} catalogue loaded but does not translate 'Home'."
            )
    finally:
        tr.apply("en")
    return f"{TRANSLATION_LANGUAGE} loaded by Qt: 'Home' -> '{home}'"


def _throwaway_home(home: Path) -> Path:
    """A data directory for the render check that needs no OS keychain (the check must pass
    on a machine without one): passphrase mode with a random passphrase unlocked here."""
    import secrets

    from app.core.settings import Settings, save_settings
    from app.security.keys import passphrase_record, unlock_passphrase

    home.mkdir(parents=True, exist_ok=True)
    phrase = secrets.token_urlsafe(24)
    settings = Settings(
        recording_encryption="passphrase", recording_passphrase=passphrase_record(phrase)
    )
    unlock_passphrase(settings.recording_passphrase, phrase)
    save_settings(home / "settings.json", settings)
    return home


def check_render(work: Path) -> str:
    from PySide6.QtWidgets import QApplication

    from app.context import open_context
    from app.ui.app import build_window

    app = _application()
    out = work / "selftest-home.png"
    with open_context(_throwaway_home(work / "render-home")) as ctx:
        win, _tr = build_window(ctx, app)
        try:
            win.resize(*RENDER_SIZE)
            win.show()
            QApplication.processEvents()
            image = win.grab().toImage()
            if not image.save(str(out)):
                raise CheckFailedError(f"The rendered screen could not be saved to {out}.")
        finally:
            win.close()
            QApplication.processEvents()
    # A blank (one-colour) picture means nothing was drawn.
    step = max(1, image.width() // 64)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    if len(colours) < 3:
        raise CheckFailedError(f"The rendered screen {out} is blank ({len(colours)} colours).")
    platform = QApplication.platformName()
    return f"home screen {image.width()}x{image.height()} on '{platform}' saved to {out}"


def checks() -> list[Check]:
    return [Check("qt translations", check_translations), Check("render", check_render)]
