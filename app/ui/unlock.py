"""The passphrase asked at start when an administrator chose passphrase mode (no keychain).

The database and recordings cannot be opened without it; a wrong passphrase is said on the
dialog and the person tries again; Cancel quits without touching any data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import Settings
from app.security.errors import PassphraseError
from app.security.keys import unlock_passphrase

MAX_ATTEMPTS = 5


class PassphraseDialog(QDialog):
    """Asks for the passphrase and checks it against the stored verifier (scrypt)."""

    def __init__(self, record: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record = record
        self.attempts = 0
        self.unlocked = False
        self.setWindowTitle("RoundTwo")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("unlockTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setObjectName("passphrase")
        self.problem = QLabel()
        self.problem.setObjectName("unlockProblem")
        self.problem.setStyleSheet("color: #b3261e;")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._try)
        self.buttons.rejected.connect(self.reject)
        for w in (self.title, self.explain, self.field, self.problem, self.buttons):
            layout.addWidget(w)
        self.retranslate()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Unlock RoundTwo"))
        self.explain.setText(
            self.tr(
                "An administrator chose passphrase mode for this computer (it has no usable "
                "system keychain). Candidate data and recordings are encrypted with a key made "
                "from the passphrase: enter it to open them. Nothing is read until it is right."
            )
        )
        self.field.setPlaceholderText(self.tr("Passphrase"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Unlock"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))

    def _try(self) -> None:
        self.attempts += 1
        try:
            unlock_passphrase(self._record, self.field.text())
        except PassphraseError:
            self.field.clear()
            left = MAX_ATTEMPTS - self.attempts
            if left <= 0:
                self.reject()
                return
            self.problem.setText(self.tr("The passphrase is wrong. %n attempt(s) left.", "", left))
            return
        self.unlocked = True
        self.accept()


def ask_passphrase(settings: Settings) -> None:
    """open_context's prompt in the GUI: a modal dialog; Cancel or too many wrong tries
    leave the passphrase locked, and open_context then reports what is missing."""
    dialog = PassphraseDialog(settings.recording_passphrase)
    dialog.exec()
