"""A capture session: camera, microphone and recorder started and stopped together."""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.capture.camera import CameraSource
from app.capture.microphone import MicSource
from app.capture.recorder import Recorder, RecordingResult
from app.capture.writer import WriterConfig

if TYPE_CHECKING:
    from app.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class SessionStats:
    """What diagnostics shows while recording."""

    frames_captured: int = 0
    frames_written: int = 0
    dropped_frames: int = 0  # camera_skipped + recorder_dropped
    camera_skipped: int = 0  # a file camera skipped frames it could not decode in time
    recorder_dropped: int = 0  # frames the recorder never got (its queue overflowed)
    audio_overruns: int = 0  # blocks PortAudio reported as overflowed
    audio_clock_resets: int = 0  # the capture clock was re-anchored after lost input
    audio_lost_s: float = 0.0  # audio the recorder missed (ring overrun) or filled with silence
    av_offset_ms: float = 0.0
    camera_state: str = "new"
    reconnects: int = 0
    recording_s: float = 0.0
    recorder_cpu_s: float = 0.0
    problems: list[str] = field(default_factory=list)


def encoder_preset(preset: str, width: int, height: int) -> str:
    """ "auto": x264 `superfast` up to 640x480; `ultrafast` above, which costs about a fifth
    less CPU at 720p for about a fifth more bytes (the recorder must stay under ~35 % of one
    core of a 2-core laptop, next to the models and the UI)."""
    if preset != "auto":
        return preset
    return "superfast" if width * height <= 640 * 480 else "ultrafast"


class CaptureSession:
    """Owns the sources and the recorder for one interview; stop() always releases all."""

    def __init__(
        self,
        camera: CameraSource,
        microphone: MicSource | None,
        directory: Path,
        *,
        db: Database | None = None,
        session_id: uuid.UUID | str | None = None,
        container: str = "mp4",
        preset: str = "auto",
        **recorder_options: Any,
    ) -> None:
        self.camera = camera
        self.microphone = microphone
        self.directory = directory
        self.db = db
        self.session_id = session_id
        self.container = container
        self.preset = preset
        self.recorder_options = recorder_options
        self.recorder: Recorder | None = None

    def start(self) -> CaptureSession:
        self.camera.start()
        try:
            if self.microphone is not None:
                self.microphone.start()
            w, h = self.camera.width, self.camera.height
            config = WriterConfig(
                # H.264 in 4:2:0 needs even sizes.
                width=w - w % 2,
                height=h - h % 2,
                fps=max(1, round(self.camera.fps)),
                audio_rate=self.microphone.rate if self.microphone else None,
                audio_channels=self.microphone.channels if self.microphone else 1,
                container=self.container,
                preset=encoder_preset(self.preset, w, h),
            )
            self.recorder = Recorder(
                self.directory,
                config,
                video=self.camera.tap(),
                audio=self.microphone.reader() if self.microphone else None,
                db=self.db,
                session_id=self.session_id,
                **self.recorder_options,
            ).start()
        except BaseException:
            self._stop_sources()
            raise
        return self

    def _require(self) -> Recorder:
        if self.recorder is None:
            raise RuntimeError("capture session is not started")
        return self.recorder

    def pause(self) -> None:
        self._require().pause()

    def resume(self) -> None:
        self._require().resume()

    def mark(self, label: str, **data: Any) -> dict[str, Any]:
        return self._require().mark(label, **data)

    @property
    def recording(self) -> bool:
        return self.recorder is not None and self.recorder.running

    def stats(self) -> SessionStats:
        cam = self.camera
        out = SessionStats(
            frames_captured=cam.frames + cam.skipped,
            dropped_frames=cam.skipped,
            camera_skipped=cam.skipped,
            camera_state=cam.state,
            reconnects=cam.reconnects,
        )
        if cam.error is not None:
            out.problems.append(cam.error.message)
        if self.microphone is not None:
            out.audio_overruns = self.microphone.overflows
            ring = self.microphone.ring
            out.audio_clock_resets = ring.reanchors if ring is not None else 0
        rec = self.recorder
        if rec is not None:
            st = rec.stats
            out.frames_written = st.frames_written
            out.dropped_frames += st.dropped_frames
            out.recorder_dropped = st.dropped_frames
            out.audio_lost_s = round(st.audio_gap_s, 3)
            out.av_offset_ms = st.av_offset_ms
            out.recorder_cpu_s = st.cpu_s
            out.recording_s = st.duration_s or st.audio_s
            out.problems.extend(st.warnings)
            if rec.error is not None:
                out.problems.append(rec.error.message)
        return out

    def stop(self) -> RecordingResult | None:
        """Finish the file first (it holds what was captured), then release the devices."""
        result: RecordingResult | None = None
        try:
            if self.recorder is not None:
                result = self.recorder.stop()
        finally:
            self._stop_sources()
        return result

    def _stop_sources(self) -> None:
        if self.microphone is not None:
            with contextlib.suppress(Exception):
                self.microphone.stop()
        self.camera.stop()

    def __enter__(self) -> CaptureSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
