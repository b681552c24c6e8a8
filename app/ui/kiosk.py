"""Kiosk window for recruiting fairs: full screen, the candidate alone: consent, then each
question with a countdown and a recording (one re-record), queued for batch analysis; only
the interviewer's PIN closes it."""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.compliance import load_compliance_profile
from app.core.domain import ConsentPurpose
from app.core.errors import RoundTwoError
from app.core.notice import Notice, consent_notice
from app.kiosk import KioskConfig, KioskRun, check_pin
from app.ui.i18n import Translations
from app.ui.widgets import banner, clear_layout, heading, note


def _big(label: QLabel, size: int) -> QLabel:
    f = label.font()
    f.setPointSize(size)
    label.setFont(f)
    label.setWordWrap(True)
    return label


class KioskWindow(QWidget):
    closed = Signal()

    def __init__(
        self, ctx: AppContext, tr: Translations, config: KioskConfig, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.i18n, self.config = ctx, tr, config
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("kiosk")
        self.setStyleSheet("#kiosk { background: #f7f9fc; }")
        self.run: KioskRun | None = None
        self.notice: Notice | None = None
        self.camera: Any = None
        self.microphone: Any = None
        self.unlocked = False
        self.think_until = 0.0

        self.stack = QStackedWidget()
        self.banner = banner()
        self.exit_btn = QPushButton()
        self.exit_btn.setFlat(True)
        self.exit_btn.clicked.connect(self.ask_exit)
        top = QHBoxLayout()
        self.job_label = _big(heading(), 16)
        top.addWidget(self.job_label, 1)
        top.addWidget(self.exit_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 24, 40, 24)
        lay.addLayout(top)
        lay.addWidget(self.banner)
        lay.addWidget(self.stack, 1)

        # 1. welcome + consent
        self.welcome = QWidget()
        wl = QVBoxLayout(self.welcome)
        self.welcome_title = _big(heading(), 22)
        self.welcome_text = _big(note(), 13)
        self.name = QLineEdit()
        self.contact = QLineEdit()
        for w in (self.name, self.contact):
            w.setMinimumHeight(36)
            w.setFont(QFont(w.font().family(), 14))
        form = QFormLayout()
        self.name_label, self.contact_label = QLabel(), QLabel()
        form.addRow(self.name_label, self.name)
        form.addRow(self.contact_label, self.contact)
        self.consent_body = QWidget()
        self.consent_sections = QVBoxLayout(self.consent_body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.consent_body)
        self.choices: dict[ConsentPurpose, QCheckBox] = {}
        self.begin_btn = QPushButton()
        self.begin_btn.setMinimumHeight(48)
        wl.addWidget(self.welcome_title)
        wl.addWidget(self.welcome_text)
        wl.addLayout(form)
        wl.addWidget(scroll, 1)
        wl.addWidget(self.begin_btn)
        self.begin_btn.clicked.connect(self.begin)

        # 2. one question
        self.question_page = QWidget()
        ql = QVBoxLayout(self.question_page)
        self.q_no = _big(heading(), 14)
        self.q_text = _big(QLabel(), 22)
        self.countdown = _big(heading(), 40)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setObjectName("countdown")
        self.preview = QLabel()
        self.preview.setMinimumSize(320, 180)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #111; color: #ccc;")
        self.hint = _big(note(), 13)
        self.record_btn, self.stop_btn = QPushButton(), QPushButton()
        self.retake_btn, self.next_btn = QPushButton(), QPushButton()
        buttons = QHBoxLayout()
        for b in (self.record_btn, self.stop_btn, self.retake_btn, self.next_btn):
            b.setMinimumHeight(48)
            buttons.addWidget(b)
        mid = QHBoxLayout()
        mid.addWidget(self.preview, 3)
        mid.addWidget(self.countdown, 2)
        ql.addWidget(self.q_no)
        ql.addWidget(self.q_text)
        ql.addLayout(mid, 1)
        ql.addWidget(self.hint)
        ql.addLayout(buttons)
        self.record_btn.clicked.connect(self.start_recording)
        self.stop_btn.clicked.connect(self.stop_recording)
        self.retake_btn.clicked.connect(self.retake)
        self.next_btn.clicked.connect(self.next_question)

        # 3. thanks
        self.thanks = QWidget()
        tl = QVBoxLayout(self.thanks)
        self.thanks_text = _big(heading(), 24)
        self.thanks_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.again_btn = QPushButton()
        self.again_btn.setMinimumHeight(48)
        tl.addStretch(1)
        tl.addWidget(self.thanks_text)
        tl.addWidget(self.again_btn)
        tl.addStretch(1)
        self.again_btn.clicked.connect(self.reset)

        for page in (self.welcome, self.question_page, self.thanks):
            self.stack.addWidget(page)
        self.tick = QTimer(self, interval=250, timeout=self._tick)
        self.retranslate()
        self.reset()

    # --- text -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        with self.ctx.db.read() as s:
            from app.storage import repo

            job = repo.get_job(s, self.config.job_slug)
        zh = self.i18n.content_lang == "zh"
        self.job_label.setText(job.title_zh if zh else job.title_en)
        self.exit_btn.setText(self.tr("Staff: exit"))
        self.welcome_title.setText(self.tr("Welcome! Answer a few questions on your own."))
        timing = (
            self.tr("Each answer has a time limit shown on screen.")
            if self.config.timed
            else self.tr("Take the time you need for each answer.")
        )
        self.welcome_text.setText(
            self.tr(
                "You will see one question at a time and a short countdown before the camera "
                "records your answer. You may record each answer again once."
            )
            + " "
            + timing
        )
        self.name_label.setText(self.tr("Your name"))
        self.contact_label.setText(self.tr("Phone or e-mail"))
        self.begin_btn.setText(self.tr("I agree to the choices above — start"))
        self.record_btn.setText(self.tr("Start recording now"))
        self.stop_btn.setText(self.tr("Done with this answer"))
        self.retake_btn.setText(self.tr("Record again (once)"))
        self.next_btn.setText(self.tr("Next question ▶"))
        self.thanks_text.setText(self.tr("Thank you! Your answers were saved for the hiring team."))
        self.again_btn.setText(self.tr("Next candidate"))

    def _notice(self) -> None:
        clear_layout(self.consent_sections)
        self.choices.clear()
        profile = load_compliance_profile(self.config.compliance_profile)
        self.notice = consent_notice(profile, self.i18n.content_lang, self.ctx.settings.hub_url)
        for sec in self.notice.sections:
            box = QGroupBox(sec.title)
            inner = QVBoxLayout(box)
            text = QLabel(sec.text)
            text.setWordWrap(True)
            inner.addWidget(text)
            if sec.purpose is not None:
                check = QCheckBox(self.tr("I agree"))
                inner.addWidget(check)
                self.choices[sec.purpose] = check
            self.consent_sections.addWidget(box)
        self.consent_sections.addStretch(1)

    # --- flow -----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Ready for the next candidate: empty form, nothing of the previous one on screen."""
        self._release()
        self.run = None
        self.name.clear()
        self.contact.clear()
        self.banner.hide()
        self._notice()
        self.stack.setCurrentWidget(self.welcome)

    def begin(self) -> None:
        assert self.notice is not None
        run = KioskRun(
            self.ctx.db, self.config, self.ctx.paths.recordings, recording_key=self._recording_key
        )
        try:
            run.begin(
                self.name.text(),
                {p: c.isChecked() for p, c in self.choices.items()},
                notice_version=self.notice.version,
                notice_lang=self.notice.lang,
                contact=self.contact.text().strip(),
            )
        except RoundTwoError as exc:
            self._say(exc.user_message())
            return
        self.banner.hide()
        self.run = run
        self.stack.setCurrentWidget(self.question_page)
        self._show_question()

    def _show_question(self) -> None:
        run = self.run
        assert run is not None
        lang = self.i18n.content_lang
        q = run.current.question
        self.q_no.setText(
            self.tr("Question %1 of %2")
            .replace("%1", str(run.index + 1))
            .replace("%2", str(len(run.answers)))
        )
        self.q_text.setText(q.text.get(lang))
        limit = self.config.answer_limit_s(q)
        self.hint.setText(
            self.tr("Think about your answer; recording starts when the countdown ends.")
            + " "
            + (
                self.tr("Time for the answer: %1 min.").replace("%1", f"{limit / 60:g}")
                if limit
                else self.tr("No time limit.")
            )
        )
        self.preview.clear()
        self.preview.setText(self.tr("The camera starts with the recording."))
        self.think_until = time.monotonic() + self.config.think_s
        self.countdown.setText(str(self.config.think_s))
        self.tick.start()
        self._buttons()

    def _recording_key(self) -> object:
        """The recordings' encryption key (no keychain: a clear error, shown as a banner)."""
        from app.security.keys import recording_key

        return recording_key(self.ctx.settings, self.ctx.paths.settings)

    def _buttons(self) -> None:
        run = self.run
        recording = run is not None and run.capture is not None
        answered = run is not None and not run.done and run.current.answer_id is not None
        self.record_btn.setEnabled(run is not None and not recording and not answered)
        self.stop_btn.setEnabled(recording)
        self.retake_btn.setEnabled(bool(run and not recording and run.can_retake()))
        self.next_btn.setEnabled(answered and not recording)

    def start_recording(self) -> None:
        run = self.run
        if run is None or run.capture is not None:
            return
        from app.capture.camera import CameraSource
        from app.capture.microphone import MicSource

        try:
            self.camera = CameraSource(self.ctx.settings.camera, loop=True)
            mic = self.ctx.settings.microphone.strip()
            self.microphone = None if mic.lower() == "none" else MicSource(mic or None)
            run.start_answer(self.camera, self.microphone)
        except RoundTwoError as exc:
            self._say(exc.user_message())
            self.camera = self.microphone = None
            self._buttons()
            return
        self.tick.start()
        self._buttons()

    def stop_recording(self) -> None:
        run = self.run
        if run is None or run.capture is None:
            return
        try:
            run.stop_answer()
        except RoundTwoError as exc:
            self._say(exc.user_message())
        self.camera = self.microphone = None
        self.preview.clear()
        self.preview.setText(self.tr("Saved. Record again once, or go on."))
        self.countdown.setText("✓")
        self.tick.stop()
        self._buttons()

    def retake(self) -> None:
        if self.run is None:
            return
        try:
            self.run.retake()
        except RoundTwoError as exc:
            self._say(exc.user_message())
            return
        self._show_question()

    def next_question(self) -> None:
        if self.run is None:
            return
        try:
            self.run.next_question()
        except RoundTwoError as exc:
            self._say(exc.user_message())
            return
        if self.run.done:
            self.tick.stop()
            self.stack.setCurrentWidget(self.thanks)
        else:
            self._show_question()

    def _tick(self) -> None:
        run = self.run
        if run is None or run.done:
            return
        if run.capture is None:
            if run.current.answer_id is None:
                left_think = self.think_until - time.monotonic()
                if left_think <= 0:
                    self.start_recording()
                else:
                    self.countdown.setText(str(math.ceil(left_think)))
            return
        frame = self.camera.slot.latest() if self.camera is not None else None
        if frame is not None:
            from app.ui.room import frame_to_image

            self.preview.setPixmap(
                QPixmap.fromImage(frame_to_image(frame.image)).scaled(
                    self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio
                )
            )
        left = run.remaining_s()
        if left is None:
            self.countdown.setText("● REC")
        else:
            self.countdown.setText(f"● {int(left) // 60:d}:{int(left) % 60:02d}")
            if left <= 0:
                self.stop_recording()

    def _say(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    # --- leaving --------------------------------------------------------------------------------
    def try_exit(self, pin: str) -> bool:
        """Close only with the interviewer's PIN; a candidate mid-answer is saved first."""
        if not check_pin(pin, self.config.pin_hash):
            self._say(self.tr("Wrong PIN."))
            return False
        self.unlocked = True
        self._release()
        self.close()
        return True

    def ask_exit(self) -> None:
        pin, ok = QInputDialog.getText(
            self, self.tr("Staff: exit"), self.tr("Interviewer PIN"), QLineEdit.EchoMode.Password
        )
        if ok:
            self.try_exit(pin)

    def _release(self) -> None:
        self.tick.stop()
        if self.run is not None:
            try:
                self.run.finish()
            except RoundTwoError as exc:
                self._say(exc.user_message())
        self.camera = self.microphone = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.unlocked:
            event.ignore()  # Alt+F4 by a candidate: the kiosk stays
            return
        self.closed.emit()
        super().closeEvent(event)
