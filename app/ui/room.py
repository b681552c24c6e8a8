"""Interview room: live video with an overlay painter on a timer, the question guide with
coverage and STAR checklist, probes, notes, level meter, recording time, disk and drops."""

from __future__ import annotations

import shutil
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.compliance import Permissions
from app.core.errors import RoundTwoError
from app.ui.i18n import Translations
from app.ui.widgets import Page, banner, clear_layout, heading, note, rgb_image

if TYPE_CHECKING:
    import numpy as np

    from app.room import InterviewRoom

STAR = ("situation", "task", "action", "result")


def frame_to_image(image: np.ndarray) -> QImage:
    """BGR uint8 (OpenCV) to an owning QImage (the copy outlives the numpy buffer)."""
    return rgb_image(image[:, :, ::-1])


class RoomPage(Page):
    finished = Signal(object)  # interview uuid

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.room: InterviewRoom | None = None
        self.session_id: uuid.UUID | None = None
        self.permissions: Permissions | None = None
        self.camera = None
        self.microphone = None
        self.painted_frames = 0
        self.overlay_boxes = 0
        self._last_frame_id = -1

        self.banner = banner()
        self.video = QLabel()
        self.video.setMinimumSize(480, 270)
        self.video.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video.setStyleSheet("background: #111; color: #ccc;")
        self.level = QProgressBar()
        self.level.setRange(-60, 0)
        self.level.setValue(-60)
        self.level.setTextVisible(False)
        self.level_label = QLabel()
        self.status = note()
        self.question_no = heading(size=11)
        self.question = QLabel()
        self.question.setWordWrap(True)
        f = self.question.font()
        f.setPointSize(13)
        self.question.setFont(f)
        self.targets_box = QGroupBox()
        self.targets = QGridLayout(self.targets_box)
        self.coverage: dict[str, QProgressBar] = {}
        self.star_box = QGroupBox()
        star_lay = QHBoxLayout(self.star_box)
        self.star = {p: QCheckBox() for p in STAR}
        for c in self.star.values():
            c.setEnabled(False)
            star_lay.addWidget(c)
        self.probes_box = QGroupBox()
        self.probes = QLabel()
        self.probes.setWordWrap(True)
        QVBoxLayout(self.probes_box).addWidget(self.probes)
        self.notes = QPlainTextEdit()
        self.start_btn, self.prev_btn, self.next_btn = QPushButton(), QPushButton(), QPushButton()
        self.mark_btn, self.pause_btn, self.stop_btn = QPushButton(), QPushButton(), QPushButton()

        left = QVBoxLayout()
        left.addWidget(self.video, 1)
        meter = QHBoxLayout()
        meter.addWidget(self.level_label)
        meter.addWidget(self.level, 1)
        left.addLayout(meter)
        left.addWidget(self.status)
        right = QVBoxLayout()
        right.addWidget(self.question_no)
        right.addWidget(self.question)
        right.addWidget(self.targets_box)
        right.addWidget(self.star_box)
        right.addWidget(self.probes_box)
        right.addWidget(self.notes, 1)
        buttons = QHBoxLayout()
        for b in (
            self.start_btn,
            self.prev_btn,
            self.next_btn,
            self.mark_btn,
            self.pause_btn,
            self.stop_btn,
        ):
            buttons.addWidget(b)
        right.addLayout(buttons)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        outer = QVBoxLayout(self)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)

        self.start_btn.clicked.connect(self.start)
        self.prev_btn.clicked.connect(lambda: self._go(-1))
        self.next_btn.clicked.connect(lambda: self._go(+1))
        self.mark_btn.clicked.connect(self.mark)
        self.pause_btn.clicked.connect(self.toggle_pause)
        self.stop_btn.clicked.connect(self.stop)
        self.notes.textChanged.connect(self._notes_changed)
        for keys, slot in (
            ("Ctrl+Right", lambda: self._go(+1)),
            ("Ctrl+Left", lambda: self._go(-1)),
            ("Ctrl+M", self.mark),
            ("Ctrl+P", self.toggle_pause),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot)
        # The notes editor claims Ctrl+←/→ (word moves) before shortcuts see them; in the room
        # the guide's keys win, or "next question" would silently move the cursor instead.
        self.notes.installEventFilter(self)
        # Video and meters at ~30 Hz; the answer analysis on a slower timer (it is heavier).
        # Polled at ~65 Hz but painted only when the camera has a new frame: a 33 ms timer
        # beats against a 30 fps camera and skips frames whenever the two drift apart.
        self.video_timer = QTimer(self, interval=15, timeout=self._paint)
        self.video_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.slow_timer = QTimer(self, interval=1000, timeout=self._slow)
        self.retranslate()

    _ROOM_KEYS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_M, Qt.Key.Key_P)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (
            obj is self.notes
            and event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.modifiers() == Qt.KeyboardModifier.ControlModifier
            and event.key() in self._ROOM_KEYS
        ):
            event.ignore()  # not accepted: the window's QShortcut handles the key
            return True
        return super().eventFilter(obj, event)

    def retranslate(self) -> None:
        self.start_btn.setText(self.tr("Start"))
        self.prev_btn.setText(self.tr("◀ Previous"))
        self.next_btn.setText(self.tr("Next ▶ (Ctrl+→)"))
        self.mark_btn.setText(self.tr("Mark (Ctrl+M)"))
        self.pause_btn.setText(self.tr("Pause (Ctrl+P)"))
        self.stop_btn.setText(self.tr("End interview"))
        self.level_label.setText(self.tr("Mic"))
        self.targets_box.setTitle(self.tr("Competencies this question targets (coverage)"))
        self.star_box.setTitle(self.tr("STAR in this answer"))
        labels = {
            "situation": self.tr("Situation"),
            "task": self.tr("Task"),
            "action": self.tr("Action"),
            "result": self.tr("Result"),
        }
        for p, c in self.star.items():
            c.setText(labels[p])
        self.probes_box.setTitle(self.tr("Suggested follow-up"))
        self.notes.setPlaceholderText(self.tr("Notes / what the candidate said…"))
        self._show_question()
        self._buttons()

    # --- setup --------------------------------------------------------------------------
    def prepare(self, session_id: uuid.UUID, permissions: Permissions) -> None:
        """Called after consent; nothing is captured until Start."""
        self.session_id, self.permissions = session_id, permissions
        lang = self.i18n.content_lang
        from app.room import InterviewRoom  # numpy and the pipeline load with the first room

        self.room = InterviewRoom(
            self.ctx.db,
            session_id,
            permissions,
            lang=lang,
            recordings_dir=self.ctx.paths.recordings,
            recording_key=self._recording_key,
        )
        self.video.setText(self.tr("Press Start when the candidate is ready."))
        self._show_question()
        self._buttons()

    def _recording_key(self) -> object:
        """The encryption key for this recording; no keychain raises a clear error that the
        room shows as a banner (the interview goes on without recording)."""
        from app.security.keys import recording_key

        return recording_key(self.ctx.settings, self.ctx.paths.settings)

    def _open_devices(self) -> None:
        from app.capture.camera import CameraSource
        from app.capture.microphone import MicSource

        if not (self.permissions and self.permissions.record):
            return
        self.camera = CameraSource(self.ctx.settings.camera, loop=True)
        mic_spec = self.ctx.settings.microphone.strip()
        if mic_spec.lower() != "none":
            try:
                self.microphone = MicSource(mic_spec or None)
            except RoundTwoError as exc:
                self._problem(exc.user_message())
                self.microphone = None

    def start(self) -> None:
        if self.room is None or self.room._t0 is not None:
            return
        try:
            self._open_devices()
        except RoundTwoError as exc:
            self._problem(exc.user_message())
            self.camera = None
        try:
            self.room.start(camera=self.camera, microphone=self.microphone)
        except RoundTwoError as exc:
            self._problem(exc.user_message())
            return
        if self.room.capture is None and self.camera is not None:
            self.camera = None  # the session failed to start: it released the devices
        for p in self.room.problems:
            if p == "no-recording-consent":
                self._problem(self.tr("No recording consent: notes and ratings only."))
            else:
                self._problem(p)
        self.video_timer.start()
        self.slow_timer.start()
        self._show_question()
        self._buttons()

    # --- actions ------------------------------------------------------------------------
    def _go(self, step: int) -> None:
        if self.room is None or self.room._t0 is None:
            return
        self.room.go(self.room.index + step)
        self.notes.blockSignals(True)
        self.notes.setPlainText(self.room.current.text)
        self.notes.blockSignals(False)
        self._show_question()
        self._slow()

    def mark(self) -> None:
        if self.room is not None and self.room._t0 is not None:
            m = self.room.mark("moment")
            self.status.setText(self.tr("Marked at %1 s").replace("%1", f"{m['t_ms'] / 1000:.1f}"))

    def toggle_pause(self) -> None:
        if self.room is not None and self.room._t0 is not None:
            self.room.toggle_pause()
            self.pause_btn.setText(
                self.tr("Resume (Ctrl+P)") if self.room.paused else self.tr("Pause (Ctrl+P)")
            )

    def stop(self) -> None:
        if self.room is None or self.room._t0 is None:
            return
        self.video_timer.stop()
        self.slow_timer.stop()
        sid = self.session_id
        try:
            self.room.stop()
        finally:
            self.room = None
            self.camera = self.microphone = None
        self.video.clear()
        self.video.setText(self.tr("Interview ended. Rate it on the Ratings page."))
        self._buttons()
        self.finished.emit(sid)

    def _notes_changed(self) -> None:
        if self.room is not None:
            self.room.set_text(self.notes.toPlainText())

    def _problem(self, text: str) -> None:
        current = self.banner.text()
        self.banner.setText(f"{current}\n{text}".strip() if text not in current else current)
        self.banner.show()

    # --- painting -----------------------------------------------------------------------
    def _paint(self) -> None:
        room = self.room
        if room is None:
            return
        frame = self.camera.slot.latest() if self.camera is not None else None
        if frame is not None and frame.id != self._last_frame_id:
            self._last_frame_id = frame.id
            pm = QPixmap.fromImage(frame_to_image(frame.image))
            self._overlay(pm, room, frame.ts)
            self.video.setPixmap(
                pm.scaled(
                    self.video.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.painted_frames += 1
        elif frame is None and self.camera is None:
            self.video.setText(self.tr("No camera: the interview continues without video."))
        if self.microphone is None:
            self.level.setValue(-60)
            self.level_label.setText(self.tr("No mic"))
        else:
            try:
                lv = self.microphone.level(0.1)
                self.level.setValue(int(max(-60.0, min(0.0, lv.rms_dbfs))))
            except Exception:
                self.level.setValue(-60)

    def _overlay(self, pm: QPixmap, room: InterviewRoom, frame_ts: float = 0.0) -> None:
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        face = room.latest_face
        # Pair the analysis with the picture by capture time; a stale box is not drawn.
        if face is not None and face.box is not None and abs(frame_ts - face.ts) < 0.5:
            x0, y0, x1, y1 = face.box
            looking = face.gaze_at_camera is not None and face.gaze_at_camera >= 0.5
            p.setPen(QColor("#35c759") if face.face_count == 1 else QColor("#ffb020"))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRect(int(x0), int(y0), int(x1 - x0), int(y1 - y0)))
            if room.permissions.show_cues == "all" and face.gaze_at_camera is not None:
                p.drawText(
                    int(x0),
                    int(y1) + 18,
                    self.tr("looking at camera") if looking else self.tr("looking away"),
                )
            self.overlay_boxes += 1
        if face is not None and face.face_count > 1:
            p.setPen(QColor("#ffb020"))
            p.drawText(
                12,
                pm.height() - 12,
                self.tr("%1 faces in frame").replace("%1", str(face.face_count)),
            )
        # Painted ~30 times a second: read only cheap state here; room.status() (stats,
        # flushing cue samples) runs on the 1 s timer.
        recording = room.capture is not None and room.capture.recording
        paused = room.paused
        if recording and not paused:
            p.setBrush(QColor("#e5322d"))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(12, 12, 14, 14)
        p.setPen(QColor("white"))
        font = QFont()
        font.setPointSize(max(10, pm.height() // 30))
        p.setFont(font)
        secs = room.elapsed_ms() // 1000
        label = ("REC " if recording else "") + f"{secs // 60:02d}:{secs % 60:02d}"
        if paused:
            label += "  " + self.tr("paused")
        p.drawText(QRect(34, 6, pm.width() - 40, 28), Qt.AlignmentFlag.AlignVCenter, label)
        p.end()

    def _slow(self) -> None:
        room = self.room
        if room is None:
            return
        st = room.status()
        free = shutil.disk_usage(self.ctx.paths.recordings).free / 1e9
        self.status.setText(
            self.tr("Question %1/%2 · %3 · disk %4 GB free · dropped frames %5")
            .replace("%1", str(st.index + 1))
            .replace("%2", str(st.total))
            .replace("%3", self.tr("recording") if st.recording else self.tr("not recording"))
            .replace("%4", f"{free:.1f}")
            .replace("%5", str(st.stats.get("dropped_frames", 0)))
        )
        for p in st.problems:
            if p != "no-recording-consent":
                self._problem(p)
        live = room.live()
        for key, bar in self.coverage.items():
            bar.setValue(int(100 * (live.coverage.get(key, 0.0) if live else 0.0)))
        for part, box in self.star.items():
            box.setChecked(bool(live and live.star.get(part, 0.0) >= 0.6))
        q = room.current.question
        lang = self.i18n.content_lang
        probes = list(live.probes) if live else [p.get(lang) for p in q.probes[:2]]
        self._set_probes(probes)

    def _show_question(self) -> None:
        room = self.room
        clear_layout(self.targets)
        self.coverage.clear()
        if room is None:
            self.question_no.setText(self.tr("Interview room"))
            self.question.setText(self.tr("Record consent first (Consent page), then start."))
            return
        lang = self.i18n.content_lang
        q = room.current.question
        self.question_no.setText(
            self.tr("Question %1 of %2 · %3 min")
            .replace("%1", str(room.index + 1))
            .replace("%2", str(len(room.drafts)))
            .replace("%3", str(q.minutes))
        )
        self.question.setText(q.text.get(lang))
        for row, key in enumerate(q.competencies):
            comp = room.profile.competency(key)
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setEnabled(self.permissions is not None and self.permissions.analyse_content)
            self.targets.addWidget(QLabel(comp.name.get(lang)), row, 0)
            self.targets.addWidget(bar, row, 1)
            self.coverage[key] = bar
        self._set_probes([p.get(lang) for p in q.probes[:2]])

    def _set_probes(self, probes: list[str]) -> None:
        """The guide's (or the live analysis's) follow-ups, then this candidate's own."""
        own = self.room.tailored_probes() if self.room is not None else []
        lines = [f"• {p}" for p in probes] + ["★ " + t.text for t in own]
        self.probes.setText("\n".join(lines) or "—")
        self.probes.setToolTip(
            "\n".join(
                self.tr("★ from %1: %2")
                .replace("%1", self._source_name(t.source))
                .replace("%2", t.basis)
                for t in own
            )
        )

    def _source_name(self, source: str) -> str:
        return {
            "project": self.tr("the résumé"),
            "round1": self.tr("round-1 notes"),
            "training": self.tr("training history"),
        }.get(source, source)

    def _buttons(self) -> None:
        started = self.room is not None and self.room._t0 is not None
        self.start_btn.setEnabled(self.room is not None and not started)
        for b in (self.prev_btn, self.next_btn, self.mark_btn, self.pause_btn, self.stop_btn):
            b.setEnabled(started)

    def shutdown(self) -> None:
        """Closing the window mid-interview still finishes the file and saves the answers."""
        if self.room is not None and self.room._t0 is not None:
            self.stop()
