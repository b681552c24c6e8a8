"""Settings: language (applied at once), hub address, devices, AI display, profile, data dir."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.core.settings import save_settings
from app.ui.i18n import LANGUAGES, Translations
from app.ui.widgets import Page, heading, note


class SettingsPage(Page):
    language_changed = Signal(str)

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.title = heading()
        self.language = QComboBox()
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.user = QLineEdit()
        self.hub = QLineEdit()
        self.camera = QLineEdit()
        self.microphone = QLineEdit()
        self.ai_live = QCheckBox()
        self.profile = QLabel()
        self.data_dir = QLabel(str(ctx.paths.home))
        self.data_dir.setWordWrap(True)
        self.save = QPushButton()
        self.message = note()
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(8)]
        for label, widget in zip(
            self.labels,
            (
                self.language,
                self.user,
                self.hub,
                self.camera,
                self.microphone,
                self.ai_live,
                self.profile,
                self.data_dir,
            ),
            strict=True,
        ):
            self.form.addRow(label, widget)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(self.form)
        lay.addWidget(self.save)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.load()
        self.language.currentIndexChanged.connect(self._language_picked)
        self.save.clicked.connect(self.store)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Settings"))
        texts = [
            self.tr("Language"),
            self.tr("Your name (on ratings)"),
            self.tr("Hub address"),
            self.tr("Camera (index or video file)"),
            self.tr("Microphone"),
            self.tr("AI suggestions"),
            self.tr("Compliance profile"),
            self.tr("Data directory"),
        ]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.language.blockSignals(True)
        self.language.setCurrentIndex(max(self.language.findData(self.i18n.language), 0))
        self.language.blockSignals(False)
        self.hub.setPlaceholderText(self.tr("empty: work offline"))
        self.microphone.setPlaceholderText(self.tr("system default"))
        self.ai_live.setText(self.tr("Show during the interview (default: only afterwards)"))
        self.profile.setText(
            self.ctx.settings.compliance_profile
            + "  "
            + self.tr("(set by your organisation; read-only)")
        )
        self.save.setText(self.tr("Save"))

    def load(self) -> None:
        s = self.ctx.settings
        self.language.setCurrentIndex(max(self.language.findData(s.language), 0))
        self.user.setText(s.user_name)
        self.hub.setText(s.hub_url)
        self.camera.setText(s.camera)
        self.microphone.setText(s.microphone)
        self.ai_live.setChecked(s.show_ai_live)

    def _language_picked(self) -> None:
        code = self.language.currentData()
        self.ctx.settings.language = code
        self.language_changed.emit(code)
        self.store()

    def store(self) -> None:
        s = self.ctx.settings
        s.user_name = self.user.text().strip()
        s.hub_url = self.hub.text().strip()
        s.camera = self.camera.text().strip() or "0"
        s.microphone = self.microphone.text().strip()
        s.show_ai_live = self.ai_live.isChecked()
        try:
            save_settings(self.ctx.paths.settings, s)
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return
        self.message.setText(self.tr("Saved."))
