"""Interface language: our own .qm catalogue plus Qt's, switchable while the app runs."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core.paths import resources_dir

log = logging.getLogger(__name__)

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def translations_dir() -> Path:
    return resources_dir() / "translations"


class Translations:
    """Installs the translators for one language; English is the source language."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = "en"

    def apply(self, language: str) -> bool:
        """Switch language; False (and a log line) if the catalogue is missing."""
        for t in self._installed:
            self._app.removeTranslator(t)
        self._installed.clear()
        self.language = language
        if language == "en":
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
            return True
        QLocale.setDefault(QLocale(language))
        ok = True
        ours = QTranslator(self._app)
        qm = translations_dir() / f"roundtwo_{language}.qm"
        if ours.load(str(qm)):
            self._app.installTranslator(ours)
            self._installed.append(ours)
        else:
            log.warning("translation %s not found; run `make translations`", qm)
            ok = False
        qt_own = QTranslator(self._app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_own.load(f"qtbase_{language}", qt_dir):
            self._app.installTranslator(qt_own)
            self._installed.append(qt_own)
        return ok

    @property
    def content_lang(self) -> str:
        """Which half of bilingual content (job profiles) to show: 'zh' or 'en'."""
        return "zh" if self.language.startswith("zh") else "en"
