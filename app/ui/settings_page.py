"""Settings: language (applied at once), hub address, camera/microphone with a live preview and
level meter, AI display, compliance profile (admins only), data dir, models status, and the
kiosk (start it; analyse its queued answers)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.core.settings import save_settings
from app.ui.i18n import LANGUAGES, Translations
from app.ui.widgets import Page, cell, heading, note, table
from app.ui.work import run_long


def input_devices() -> list[str]:
    """Names of PortAudio input devices (empty without PortAudio or a sound card)."""
    try:
        import sounddevice as sd

        return [
            str(d["name"]) for d in sd.query_devices() if int(d.get("max_input_channels", 0)) > 0
        ]
    except Exception:  # no PortAudio library: the list is simply empty
        return []


def is_admin(ctx: AppContext) -> bool:
    """Admin = this laptop is enrolled with the hub under an admin account."""
    from app.core.domain import Role
    from app.sync.client import CredentialStore

    try:
        creds = CredentialStore(ctx.paths.home).only()
    except (RoundTwoError, OSError, ValueError):
        return False
    return creds is not None and creds.role == Role.ADMIN.value


class SettingsPage(Page):
    language_changed = Signal(str)
    kiosk_requested = Signal(object)  # KioskConfig

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.admin = False  # known once the page is first shown (reads the hub credentials)
        self.title = heading()
        self.language = QComboBox()
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.user = QLineEdit()
        self.hub = QLineEdit()
        self.camera = QLineEdit()
        self.microphone = QComboBox()
        self.microphone.setEditable(True)
        self.ai_live = QCheckBox()
        self.profile = QComboBox()
        self.profile_note = note()
        self.data_dir = QLabel(str(ctx.paths.home))
        self.data_dir.setWordWrap(True)
        self.data_dir.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save = QPushButton()
        self.message = note()
        self.form = QFormLayout()
        self.labels = [QLabel() for _ in range(8)]
        profile_box = QWidget()
        pl = QVBoxLayout(profile_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.profile)
        pl.addWidget(self.profile_note)
        for label, widget in zip(
            self.labels,
            (
                self.language,
                self.user,
                self.hub,
                self.camera,
                self.microphone,
                self.ai_live,
                profile_box,
                self.data_dir,
            ),
            strict=True,
        ):
            self.form.addRow(label, widget)

        # Device preview: the camera picture and the microphone level, live.
        self.preview_box = QGroupBox()
        self.preview_video = QLabel()
        self.preview_video.setFixedSize(320, 180)
        self.preview_video.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_video.setStyleSheet("background: #111; color: #ccc;")
        self.level = QProgressBar()
        self.level.setRange(-60, 0)
        self.level.setValue(-60)
        self.level.setTextVisible(False)
        self.level_label = QLabel()
        self.preview_btn = QPushButton()
        self.preview_msg = note()
        pv = QHBoxLayout(self.preview_box)
        pv.addWidget(self.preview_video)
        side = QVBoxLayout()
        side.addWidget(self.preview_btn)
        meter = QHBoxLayout()
        meter.addWidget(self.level_label)
        meter.addWidget(self.level, 1)
        side.addLayout(meter)
        side.addWidget(self.preview_msg)
        side.addStretch(1)
        pv.addLayout(side, 1)
        self.preview_camera: Any = None
        self.preview_mic: Any = None
        self.preview_frames = 0
        self.preview_timer = QTimer(self, interval=66, timeout=self._preview_tick)

        # Models: checked on demand (hashing the weights takes a few seconds).
        self.models_box = QGroupBox()
        self.models = table(3)
        self.models.setObjectName("modelsStatus")
        self.models_btn = QPushButton()
        mv = QVBoxLayout(self.models_box)
        mv.addWidget(self.models)
        mv.addWidget(self.models_btn)

        # Kiosk.
        self.kiosk_box = QGroupBox()
        self.kiosk_job = QComboBox()
        self.kiosk_timed = QCheckBox()
        self.kiosk_timed.setChecked(True)
        self.kiosk_pin = QLineEdit()
        self.kiosk_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.kiosk_pin.setMaxLength(12)
        self.kiosk_btn = QPushButton()
        self.queue_btn = QPushButton()
        self.kiosk_msg = note()
        kf = QFormLayout(self.kiosk_box)
        self.kiosk_labels = [QLabel() for _ in range(3)]
        kf.addRow(self.kiosk_labels[0], self.kiosk_job)
        kf.addRow(self.kiosk_labels[1], self.kiosk_timed)
        kf.addRow(self.kiosk_labels[2], self.kiosk_pin)
        kb = QHBoxLayout()
        kb.addWidget(self.kiosk_btn)
        kb.addWidget(self.queue_btn)
        kf.addRow(kb)
        kf.addRow(self.kiosk_msg)

        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self.title)
        lay.addLayout(self.form)
        lay.addWidget(self.save)
        lay.addWidget(self.message)
        lay.addWidget(self.preview_box)
        lay.addWidget(self.models_box)
        lay.addWidget(self.kiosk_box)
        lay.addStretch(1)
        self.set_scrolled(inner)
        self.load()
        self.language.currentIndexChanged.connect(self._language_picked)
        self.save.clicked.connect(self.store)
        self.preview_btn.clicked.connect(self.toggle_preview)
        self.models_btn.clicked.connect(self.check_models)
        self.kiosk_btn.clicked.connect(self.start_kiosk)
        self.queue_btn.clicked.connect(self.analyse_queue)
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
        self.microphone.lineEdit().setPlaceholderText(self.tr("system default"))
        self.ai_live.setText(self.tr("Show during the interview (default: only afterwards)"))
        self.profile_note.setText(
            self.tr("You are an administrator: the profile applies to new interviews.")
            if self.admin
            else self.tr("(set by your organisation; read-only)")
        )
        self.save.setText(self.tr("Save"))
        self.preview_box.setTitle(self.tr("Camera and microphone check"))
        self.level_label.setText(self.tr("Mic"))
        self._preview_label()
        self.models_box.setTitle(self.tr("On-device models"))
        self.models.setHorizontalHeaderLabels(
            [self.tr("Model"), self.tr("Task"), self.tr("Status")]
        )
        self.models_btn.setText(self.tr("Check models"))
        self.kiosk_box.setTitle(self.tr("Kiosk mode (recruiting fairs)"))
        for label, text in zip(
            self.kiosk_labels,
            [self.tr("Job"), self.tr("Answers"), self.tr("Interviewer PIN (to exit)")],
            strict=True,
        ):
            label.setText(text)
        self.kiosk_timed.setText(self.tr("Timed (the question's planned minutes)"))
        self.kiosk_pin.setPlaceholderText(self.tr("4–12 digits"))
        self.kiosk_btn.setText(self.tr("Start kiosk (full screen)"))
        self._fill_jobs()
        self._queue_label()

    def load(self) -> None:
        s = self.ctx.settings
        self.language.setCurrentIndex(max(self.language.findData(s.language), 0))
        self.user.setText(s.user_name)
        self.hub.setText(s.hub_url)
        self.camera.setText(s.camera)
        self.microphone.clear()
        self.microphone.addItem("", "")
        self.microphone.addItem("none", "none")
        self.microphone.setEditText(s.microphone)
        self._devices_listed = False
        self.ai_live.setChecked(s.show_ai_live)
        from app.core.compliance import compliance_dir

        self.profile.clear()
        names = sorted({p.stem for p in compliance_dir().glob("*.yaml")} | {s.compliance_profile})
        for name in names:
            self.profile.addItem(name, name)
        self.profile.setCurrentIndex(max(self.profile.findData(s.compliance_profile), 0))
        self.profile.setEnabled(self.admin)

    def _fill_jobs(self) -> None:
        from app.storage import repo

        current = self.kiosk_job.currentData()
        zh = self.i18n.content_lang == "zh"
        self.kiosk_job.clear()
        with self.ctx.db.read() as s:
            for j in repo.list_jobs(s):
                self.kiosk_job.addItem(j.title_zh if zh else j.title_en, j.slug)
        if current is not None:
            self.kiosk_job.setCurrentIndex(max(self.kiosk_job.findData(current), 0))

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
        s.microphone = self.microphone.currentText().strip()
        s.show_ai_live = self.ai_live.isChecked()
        if self.admin and self.profile.currentData():
            s.compliance_profile = self.profile.currentData()
        try:
            save_settings(self.ctx.paths.settings, s)
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return
        self.message.setText(self.tr("Saved."))

    # --- device preview -------------------------------------------------------------------------
    def _preview_label(self) -> None:
        on = self.preview_camera is not None or self.preview_mic is not None
        self.preview_btn.setText(self.tr("Stop preview") if on else self.tr("Preview"))

    def toggle_preview(self) -> None:
        if self.preview_camera is not None or self.preview_mic is not None:
            self.stop_preview()
        else:
            self.start_preview()

    def start_preview(self) -> None:
        """Open the devices as typed above (not yet saved) and show them until stopped."""
        from app.capture.camera import CameraSource
        from app.capture.microphone import MicSource

        problems = []
        self.preview_frames = 0
        spec = self.camera.text().strip() or "0"
        try:
            cam = CameraSource(int(spec) if spec.isdigit() else spec, loop=True)
            self.preview_camera = cam.start()
        except RoundTwoError as exc:
            problems.append(exc.user_message())
            self.preview_camera = None
        mic = self.microphone.currentText().strip()
        if mic.lower() != "none":
            try:
                self.preview_mic = MicSource(mic or None).start()
            except RoundTwoError as exc:
                problems.append(exc.user_message())
                self.preview_mic = None
        self.preview_msg.setText(" ".join(problems) or self.tr("Speak: the bar should move."))
        if self.preview_camera is None:
            self.preview_video.setText(self.tr("No picture"))
        self.preview_timer.start()
        self._preview_label()

    def stop_preview(self) -> None:
        self.preview_timer.stop()
        cam, self.preview_camera = self.preview_camera, None
        mic, self.preview_mic = self.preview_mic, None
        if cam is not None:
            cam.stop()
        if mic is not None:
            mic.stop()
        self.level.setValue(-60)
        self._preview_label()

    def _preview_tick(self) -> None:
        from app.ui.room import frame_to_image

        if self.preview_camera is not None:
            frame = self.preview_camera.slot.latest()
            if frame is not None:
                self.preview_frames += 1
                self.preview_video.setPixmap(
                    QPixmap.fromImage(frame_to_image(frame.image)).scaled(
                        self.preview_video.size(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
        if self.preview_mic is not None:
            try:
                lv = self.preview_mic.level(0.1)
                self.level.setValue(int(max(-60.0, min(0.0, lv.rms_dbfs))))
            except Exception:
                self.level.setValue(-60)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        # PortAudio is asked only when the page is first shown (not at start-up).
        if not self._devices_listed:
            self._devices_listed = True
            self.admin = is_admin(self.ctx)
            self.profile.setEnabled(self.admin)
            self.retranslate()
            typed = self.microphone.currentText()
            for name in input_devices():
                self.microphone.addItem(name, name)
            self.microphone.setEditText(typed)
        self._queue_label()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self.stop_preview()  # devices are free again when the page is left
        super().hideEvent(event)

    # --- models ---------------------------------------------------------------------------------
    def check_models(self) -> list[Any]:
        def work(progress, cancel):  # type: ignore[no-untyped-def]
            from app.core.cancel import check
            from app.models.registry import ModelRegistry

            reg = ModelRegistry()
            ids = reg.manifest.ids()
            out = []
            for i, m in enumerate(ids):
                check(cancel, "The model check")
                progress(i, len(ids))
                out.append(reg.status(m))
            progress(len(ids), len(ids))
            return out

        task = run_long(self, self.tr("Checking the models…"), work)
        statuses = task.result or []
        self.models.setRowCount(len(statuses))
        for i, st in enumerate(statuses):
            self.models.setItem(i, 0, cell(st.id))
            self.models.setItem(i, 1, cell(st.task))
            self.models.setItem(i, 2, cell(self.tr("ready") if st.available else st.reason))
        self.models.resizeColumnsToContents()
        return statuses

    # --- kiosk ----------------------------------------------------------------------------------
    def _queue_label(self) -> int:
        from app.kiosk import queued

        with self.ctx.db.read() as s:
            n = len(queued(s))
        self.queue_btn.setText(self.tr("Analyse queued kiosk answers (%1)").replace("%1", str(n)))
        self.queue_btn.setEnabled(n > 0)
        return n

    def kiosk_config(self) -> Any:
        from app.kiosk import KioskConfig, hash_pin

        return KioskConfig(
            job_slug=self.kiosk_job.currentData(),
            pin_hash=hash_pin(self.kiosk_pin.text().strip()),
            timed=self.kiosk_timed.isChecked(),
            compliance_profile=self.ctx.settings.compliance_profile,
        )

    def start_kiosk(self) -> None:
        try:
            config = self.kiosk_config()
        except RoundTwoError as exc:
            self.kiosk_msg.setText(exc.user_message())
            return
        self.kiosk_pin.clear()
        self.kiosk_msg.setText("")
        self.kiosk_requested.emit(config)

    def analyse_queue(self) -> None:
        from app.kiosk import process_queue

        task = run_long(
            self,
            self.tr("Analysing kiosk answers…"),
            lambda progress, cancel: process_queue(self.ctx.db, progress=progress, cancel=cancel),
        )
        left = self._queue_label()
        if task.cancelled:
            self.kiosk_msg.setText(
                self.tr("Stopped; %1 answers are still queued.").replace("%1", str(left))
            )
        elif task.error is not None:
            self.kiosk_msg.setText(task.error.user_message())
        else:
            self.kiosk_msg.setText(
                self.tr("Analysed %1 answers.").replace("%1", str(task.result or 0))
            )
