"""Review: the recording with its signal track and transcript in sync, evidence that jumps to
its moment, ratings editable in place and flags where the interviewer and the AI disagree."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.reports.pdf import clock
from app.reports.summary import InterviewSummary, build_summary
from app.storage import queries, ratings
from app.storage.queries import ReviewData
from app.ui.i18n import Translations
from app.ui.widgets import Page, banner, cell, heading, note, rgb_image, table

if TYPE_CHECKING:
    from app.capture.playback import Frame, Player

NOT_RATED = -1


def spans(points: list[tuple[int, float]], threshold: float = 0.5, gap_ms: int = 1500) -> list:  # type: ignore[type-arg]
    """Sampled values -> [(start, end)] where value >= threshold (a missing stretch ends one)."""
    out: list[list[int]] = []
    for t, v in points:
        if v >= threshold:
            if out and t - out[-1][1] <= gap_ms:
                out[-1][1] = t
            else:
                out.append([t, t])
    return [(a, max(b, a + 200)) for a, b in out]


class SignalTrack(QWidget):
    """Lanes under the video: speech, face in view, looking at the camera, marks; click seeks."""

    seek = Signal(int)  # ms

    LANE_H = 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_ms = 1
        self.position_ms = 0
        self.lanes: list[tuple[str, list[tuple[int, int]] | None, str]] = []
        self.marks: list[tuple[int, str]] = []
        self.setMinimumHeight(4 * self.LANE_H + 22)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_data(
        self,
        duration_ms: int,
        lanes: list[tuple[str, list[tuple[int, int]] | None, str]],
        marks: list[tuple[int, str]],
    ) -> None:
        """`lanes`: (title, spans or None when not stored, colour)."""
        self.duration_ms = max(1, duration_ms)
        self.lanes, self.marks = lanes, marks
        self.setMinimumHeight((len(lanes) + 1) * self.LANE_H + 22)
        self.update()

    def set_position(self, ms: int) -> None:
        self.position_ms = ms
        self.update()

    def _x(self, ms: int, left: int, width: int) -> int:
        return left + round(width * min(max(ms, 0), self.duration_ms) / self.duration_ms)

    def _left(self) -> int:
        return min(150, self.width() // 4)

    def ms_at(self, x: float) -> int:
        left = self._left()
        width = max(1, self.width() - left - 4)
        return round(min(max(x - left, 0), width) / width * self.duration_ms)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#fafafa"))
        left = self._left()
        width = max(1, self.width() - left - 4)
        fm = p.fontMetrics()
        for i, (title, lane, colour) in enumerate([*self.lanes, (self.tr("Marks"), [], "")]):
            y = 4 + i * (self.LANE_H + 4)
            p.setPen(QColor("#333"))
            p.drawText(
                QRect(4, y, left - 8, self.LANE_H),
                Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(title, Qt.TextElideMode.ElideRight, left - 8),
            )
            p.fillRect(QRect(left, y, width, self.LANE_H), QColor("#eceff3"))
            if lane is None:
                p.setPen(QColor("#888"))
                p.drawText(
                    QRect(left + 6, y, width - 6, self.LANE_H),
                    Qt.AlignmentFlag.AlignVCenter,
                    self.tr("not stored under this profile"),
                )
                continue
            for a, b in lane:
                x0, x1 = self._x(a, left, width), self._x(b, left, width)
                p.fillRect(QRect(x0, y + 2, max(2, x1 - x0), self.LANE_H - 4), QColor(colour))
            if not colour:  # the marks lane
                for t, label in self.marks:
                    x = self._x(t, left, width)
                    p.setPen(QColor("#d9480f") if label == "moment" else QColor("#1f6feb"))
                    p.drawLine(x, y, x, y + self.LANE_H)
        x = self._x(self.position_ms, left, width)
        p.setPen(QColor("#e5322d"))
        p.drawLine(x, 0, x, self.height())
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.position().x() >= self._left():
            self.seek.emit(self.ms_at(event.position().x()))


class ReviewPage(Page):
    ratings_saved = Signal(object)  # interview uuid

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.session_id: uuid.UUID | None = None
        self.data: ReviewData | None = None
        self.summary: InterviewSummary | None = None
        self.player: Player | None = None  # made on first use (PyAV takes a while to import)
        self.frames_shown = 0
        self._loaded: str | None = None  # the recording the player has (or is opening)
        self._shown_error: str | None = None
        self._was_ready = False
        self._was_playing = False
        self._last_ms = -1
        # The player decodes in its own thread; the page polls it for the frame that is due.
        self.poll = QTimer(self)
        self.poll.setInterval(30)
        self.poll.timeout.connect(self._tick)
        self.levels: dict[str, QSpinBox] = {}

        self.title = heading()
        self.placeholder = note()
        self.banner = banner()
        self.video = QLabel()
        self.video.setMinimumSize(400, 225)
        self.video.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video.setStyleSheet("background: #111; color: #ccc;")
        self.play_btn = QPushButton()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.time_label = QLabel("00:00 / 00:00")
        self.track = SignalTrack()
        self.transcript_title = heading(size=11)
        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.evidence_title = heading(size=11)
        self.evidence = QListWidget()
        self.evidence.setWordWrap(True)
        self.ratings_title = heading(size=11)
        self.ratings = table(4)
        self.ratings.setObjectName("reviewRatings")
        self.save_btn = QPushButton()
        self.message = note()

        controls = QHBoxLayout()
        controls.addWidget(self.play_btn)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.video, 1)
        ll.addLayout(controls)
        ll.addWidget(self.track)
        ll.addWidget(self.ratings_title)
        ll.addWidget(self.ratings)
        rl = QHBoxLayout()
        rl.addWidget(self.message, 1)
        rl.addWidget(self.save_btn)
        ll.addLayout(rl)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.transcript_title)
        rv.addWidget(self.transcript, 3)
        rv.addWidget(self.evidence_title)
        rv.addWidget(self.evidence, 2)
        self.split = QSplitter()
        self.split.addWidget(left)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.placeholder)
        lay.addWidget(self.banner)
        lay.addWidget(self.split, 1)

        self.play_btn.clicked.connect(self.toggle_play)
        self.slider.sliderMoved.connect(self.seek)
        self.track.seek.connect(self.seek)
        self.transcript.itemClicked.connect(self._jump_to_item)
        self.evidence.itemClicked.connect(self._jump_to_item)
        self.save_btn.clicked.connect(self.save_ratings)
        self.retranslate()

    @property
    def rater(self) -> str:
        return self.ctx.settings.user_name.strip() or self.tr("Interviewer")

    def retranslate(self) -> None:
        self.placeholder.setText(
            self.tr("Open an interview from Home (double-click), then Review.")
        )
        self.transcript_title.setText(self.tr("Transcript (click a line to jump there)"))
        self.evidence_title.setText(self.tr("Evidence behind the AI suggestions (click to jump)"))
        self.ratings_title.setText(self.tr("Ratings"))
        self.ratings.setHorizontalHeaderLabels(
            [
                self.tr("Competency"),
                self.tr("Your level"),
                self.tr("AI suggestion"),
                self.tr("Flag"),
            ]
        )
        self.save_btn.setText(self.tr("Save ratings"))
        self._play_label()
        self.show_session(self.session_id)

    # --- loading ------------------------------------------------------------------------------
    def show_session(self, session_id: uuid.UUID | None) -> None:
        self.session_id = session_id
        self.placeholder.setVisible(session_id is None)
        self.split.setVisible(session_id is not None)
        self.banner.hide()
        if session_id is None:
            self.title.setText(self.tr("Review"))
            self._unload()
            return
        with self.ctx.db.read() as s:
            data = queries.review_data(s, session_id)
            self.summary = build_summary(s, session_id)
        detail = {"via": "gui", "recording": data.recording_path is not None}
        self.ctx.audit("review", "interviewsession", session_id, detail, once=True)
        self.data = data
        zh = self.i18n.content_lang == "zh"
        sm = self.summary
        self.title.setText(
            self.tr("Review")
            + f" · {sm.candidate_name} · "
            + (sm.job_title_zh if zh else sm.job_title_en)
        )
        self._fill_transcript()
        self._fill_evidence()
        self._fill_ratings()
        self._fill_track()
        if data.recording_path is None:
            self._unload()
            self.video.setText(self.tr("No recording for this interview (notes and ratings only)."))
        elif self._loaded != data.recording_path:
            self._load(data.recording_path)
        self._show_time(self.position())

    def _fill_transcript(self) -> None:
        assert self.data is not None
        self.transcript.clear()
        for seg in self.data.segments:
            tag = seg.lang.upper() + ("" if seg.source == "asr" else " · " + self.tr("notes"))
            item = QListWidgetItem(f"[{clock(seg.start_ms) or '00:00'}] ({tag}) {seg.text}")
            item.setData(Qt.ItemDataRole.UserRole, seg.start_ms)
            self.transcript.addItem(item)

    def _fill_evidence(self) -> None:
        assert self.data is not None and self.summary is not None
        zh = self.i18n.content_lang == "zh"
        names = {c.key: (c.name_zh if zh else c.name_en) for c in self.summary.lines}
        self.evidence.clear()
        seen: set[tuple[str, str]] = set()
        for e in self.data.evidence:
            if (e.competency_key, e.quote) in seen:
                continue
            seen.add((e.competency_key, e.quote))
            stamp = f"[{clock(e.start_ms) or '00:00'}] " if e.start_ms is not None else ""
            item = QListWidgetItem(
                f"{stamp}{names.get(e.competency_key, e.competency_key)}: “{e.quote}”"
            )
            item.setData(Qt.ItemDataRole.UserRole, e.start_ms)
            self.evidence.addItem(item)
        if not self.evidence.count():
            self.evidence.addItem(self.tr("No AI evidence for this interview."))

    def _fill_track(self) -> None:
        assert self.data is not None
        d = self.data
        speech = [(s.start_ms, s.end_ms) for s in d.segments]
        if "speech" in d.cues:
            speech = spans(d.cues["speech"])
        face = spans(d.cues["face_visible"]) if "face_visible" in d.cues else None
        gaze = spans(d.cues["gaze_at_camera"]) if "gaze_at_camera" in d.cues else None
        self.track.set_data(
            d.duration_ms,
            [
                (self.tr("Speaking"), speech, "#2f81f7"),
                (self.tr("Face in view"), face, "#35c759"),
                (self.tr("Looking at camera"), gaze, "#a371f7"),
            ],
            d.marks,
        )
        self.slider.setRange(0, d.duration_ms)

    def _fill_ratings(self) -> None:
        assert self.summary is not None and self.session_id is not None
        zh = self.i18n.content_lang == "zh"
        with self.ctx.db.read() as s:
            mine = ratings.ratings_by(s, self.session_id, self.rater)
        self.levels.clear()
        self.ratings.setRowCount(len(self.summary.lines))
        for i, c in enumerate(self.summary.lines):
            self.ratings.setItem(i, 0, cell(c.name_zh if zh else c.name_en, c.key))
            spin = QSpinBox()
            spin.setRange(NOT_RATED, 10)
            spin.setSpecialValueText("—")
            spin.setValue(mine[c.key].level if c.key in mine else NOT_RATED)
            self.ratings.setCellWidget(i, 1, spin)
            self.levels[c.key] = spin
            ai = "—" if c.ai_level is None else f"{c.ai_level:g}"
            self.ratings.setItem(i, 2, cell(ai, align_right=True))
            flag = "⚑ " + self.tr("differs by 2+ levels") if c.disagreement else ""
            item = cell(flag)
            if c.disagreement:
                item.setForeground(QColor("#b42318"))
            self.ratings.setItem(i, 3, item)
        self.ratings.resizeColumnsToContents()

    def flags(self) -> dict[str, bool]:
        """Competency -> disagreement flag as shown (interviewers' mean vs the AI level)."""
        assert self.summary is not None
        return {c.key: c.disagreement for c in self.summary.lines}

    # --- ratings ------------------------------------------------------------------------------
    def save_ratings(self) -> None:
        if self.session_id is None:
            return
        sid, rater = self.session_id, self.rater
        with self.ctx.db.read() as s:
            mine = ratings.ratings_by(s, sid, rater)
        picked = [
            (k, spin.value(), mine[k].note if k in mine else "")
            for k, spin in self.levels.items()
            if spin.value() != NOT_RATED and (k not in mine or mine[k].level != spin.value())
        ]

        def write(s: Any) -> None:
            for key, level, text in picked:
                ratings.save_rating(s, sid, key, rater, level, text)

        try:
            self.ctx.db.write(write)
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return
        self.message.setText(self.tr("Saved %1 ratings.").replace("%1", str(len(picked))))
        with self.ctx.db.read() as s:
            self.summary = build_summary(s, sid)
        self._fill_ratings()
        self.ratings_saved.emit(sid)

    # --- playback -----------------------------------------------------------------------------
    def _load(self, path: str) -> None:
        if self.player is None:
            from app.capture.playback import Player

            self.player = Player()
        self.player.load(Path(path))  # returns at once: the file opens in the background
        self._loaded = path
        self._shown_error = None
        self._was_ready = False
        self._was_playing = False
        self._last_ms = -1
        self.video.clear()
        self.video.setText(self.tr("Loading the recording…"))
        self._play_label()
        self.poll.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if self._loaded is not None:
            self.poll.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        # Nothing to draw while another page (the interview room above all) is shown: the
        # GUI thread stops polling; the player keeps its state and the timer resumes here.
        self.poll.stop()
        super().hideEvent(event)

    def _unload(self) -> None:
        self.poll.stop()
        if self.player is not None:
            self.player.close()
        self._loaded = None
        self.video.clear()
        self._play_label()

    def _tick(self) -> None:
        p = self.player
        if p is None:
            return
        frame = p.latest_frame()
        if frame is not None:
            self._show(frame)
        if p.ready and not self._was_ready:
            self._was_ready = True
            if not p.has_video:  # a sound-only recording
                self.video.setText(self.tr("No picture"))
        if p.error is not None and p.error != self._shown_error:
            self._shown_error = p.error
            self.video.clear()
            self._error(p.error)
        if p.playing != self._was_playing:
            self._was_playing = p.playing
            self._play_label()
        ms = p.position_ms()
        if ms != self._last_ms:
            self._last_ms = ms
            self._position_changed(ms)

    def _error(self, text: str) -> None:
        self.banner.setText(self.tr("The recording cannot be played: %1").replace("%1", text))
        self.banner.show()

    def _show(self, frame: Frame) -> None:
        scaled = rgb_image(frame.image).scaled(
            self.video.size(),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.frames_shown += 1
        self.video.setPixmap(QPixmap.fromImage(scaled))

    def position(self) -> int:
        return self.player.position_ms() if self.player is not None else 0

    def playing(self) -> bool:
        return self.player is not None and self.player.playing

    def toggle_play(self) -> None:
        if self.player is None:
            return
        if self.playing():
            self.player.pause()
        else:
            self.player.play()
        self._play_label()

    def _play_label(self) -> None:
        self._was_playing = self.playing()
        self.play_btn.setText(self.tr("Pause") if self._was_playing else self.tr("Play"))

    def seek(self, ms: int) -> None:
        if self.player is not None:
            self.player.seek(int(ms))  # asked for while the file opens: kept for it
        self._last_ms = int(ms)
        self._position_changed(int(ms))

    def _jump_to_item(self, item: QListWidgetItem) -> None:
        ms = item.data(Qt.ItemDataRole.UserRole)
        if ms is not None:
            self.seek(int(ms))

    def _position_changed(self, ms: int) -> None:
        self.track.set_position(ms)
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(ms)
            self.slider.blockSignals(False)
        self._show_time(ms)
        self.highlight(ms)

    def _show_time(self, ms: int) -> None:
        total = self.data.duration_ms if self.data else 0
        self.time_label.setText(f"{clock(ms) or '00:00'} / {clock(total) or '00:00'}")

    def current_segment(self, ms: int) -> int:
        """The transcript row being spoken at `ms` (the last one started), or -1."""
        row = -1
        if self.data is not None:
            for i, seg in enumerate(self.data.segments):
                if seg.start_ms <= ms:
                    row = i
        return row

    def highlight(self, ms: int) -> None:
        row = self.current_segment(ms)
        if row != self.transcript.currentRow():
            self.transcript.setCurrentRow(row)
            if row >= 0:
                self.transcript.scrollToItem(self.transcript.item(row))

    def shutdown(self) -> None:
        self._unload()


__all__ = ["ReviewPage", "SignalTrack", "spans"]
