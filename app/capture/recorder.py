"""Recorder: raw camera frames + microphone audio into a crash-tolerant file, kept in sync.

One thread takes the newest frame from the camera's slot and every sample from its own
microphone cursor, places both on the recording timeline from their capture timestamps
(minus pauses), and hands them to `MediaWriter`. It never blocks the sources.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.capture.camera import Frame, FrameFeed
from app.capture.errors import DiskFullError, RecordingError
from app.capture.microphone import AudioReader
from app.capture.store import (
    Manifest,
    ManifestFile,
    OwnerLock,
    db_register,
    db_update,
    probe,
    utc_now_iso,
)
from app.capture.writer import SUFFIX, MediaWriter, WriterConfig
from app.core.domain import RecordingStatus
from app.core.errors import RoundTwoError

if TYPE_CHECKING:
    from app.security.keys import RecordingKey
    from app.storage.db import Database

log = logging.getLogger(__name__)

# Audio is re-aligned to its capture time only when it drifts further than this, so clock
# jitter never produces clicks but lost buffers and device drift do not accumulate. The
# limits are lopsided like the tolerance of viewers (sound ahead of the picture is noticed
# from ~45 ms, behind it from ~125 ms): missing audio is filled with silence early, while
# late audio is trimmed only when clearly late.
AUDIO_EARLY_LIMIT_S = 0.02
AUDIO_LATE_LIMIT_S = 0.06


@dataclass
class RecorderStats:
    frames_written: int = 0
    dropped_frames: int = 0  # camera frames the recorder never got (its queue overflowed)
    audio_s: float = 0.0
    audio_lost_samples: int = 0  # samples the recorder's cursor missed (ring overrun)
    audio_gap_s: float = 0.0  # silence inserted for missing audio
    audio_trimmed_s: float = 0.0  # audio dropped to stay in sync
    av_offset_ms: float = 0.0  # audio position minus its capture time on the timeline
    duration_s: float = 0.0
    size_bytes: int = 0
    cpu_s: float = 0.0  # CPU time of the recorder thread (encoding runs on it: one x264 thread)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecordingResult:
    id: str
    path: Path
    status: str
    duration_s: float
    markers: list[dict[str, Any]]
    stats: RecorderStats
    error: RoundTwoError | None


def new_recording_path(directory: Path, container: str = "mp4") -> tuple[str, Path]:
    rid = uuid.uuid4()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return str(rid), directory / f"rec-{stamp}-{rid.hex[:8]}{SUFFIX[container]}"


class Recorder:
    """Records until `stop()`; pause/resume and markers may be called from any thread."""

    def __init__(
        self,
        directory: Path,
        config: WriterConfig,
        *,
        video: FrameFeed | None,
        audio: AudioReader | None,
        db: Database | None = None,
        session_id: uuid.UUID | str | None = None,
        reserve_bytes: int = 100_000_000,
        disk_guard: bool = True,
        warn_seconds: float = 600.0,
        sync_interval: float = 1.0,
        disk_check_interval: float = 0.5,
        on_warning: Callable[[str], None] | None = None,
        key: RecordingKey | None = None,
    ) -> None:
        self.directory = directory
        self.key = key  # given: the file is encrypted at rest (app.security.chunks)
        self.config = config
        self.video = video
        self.audio = audio if config.audio_rate else None
        self.db = db
        self.reserve_bytes = reserve_bytes
        self.disk_guard = disk_guard
        self.warn_seconds = warn_seconds
        self.sync_interval = sync_interval
        self.disk_check_interval = disk_check_interval
        self.on_warning = on_warning
        self.id, self.path = new_recording_path(directory, config.container)
        self.manifest = ManifestFile(
            self.path,
            Manifest(
                id=self.id,
                file=self.path.name,
                container=config.container,
                session_id=str(session_id) if session_id else None,
                pid=os.getpid(),
            ),
        )
        self.stats = RecorderStats()
        self.error: RoundTwoError | None = None
        self._lock = threading.Lock()
        self._pauses: list[tuple[float, float]] = []  # closed (start, end) in monotonic time
        self._paused_since: float | None = None
        self._t0: float | None = None
        self._t_start = 0.0
        self._stop_at: float | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._owner = OwnerLock(self.path)
        self._writer: MediaWriter | None = None
        self._warned_space = False
        self._first_frame: Frame | None = None
        self._markers_dirty = threading.Event()
        self._cpu0 = 0.0

    # --- control ------------------------------------------------------------------------

    def start(self) -> Recorder:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.directory).free
        except OSError as exc:
            raise RecordingError(
                f"The recordings folder {self.directory} cannot be used ({exc.strerror})."
            ) from exc
        if self.disk_guard and free < self.reserve_bytes:
            raise DiskFullError(
                f"Recording cannot start: only {free / 1e6:.0f} MB are free on the disk holding "
                f"{self.directory} (at least {self.reserve_bytes / 1e6:.0f} MB needed)."
            )
        self._owner.acquire()
        try:
            self._writer = MediaWriter(self.path, self.config, key=self.key)
        except BaseException:
            self._owner.release()
            raise
        m = self.manifest.data
        m.started_at = utc_now_iso()
        m.started_epoch = time.time()
        self.manifest.save()
        if self.db is not None:
            db_register(self.db, m, self.path)
        self._t_start = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"recorder-{self.id[:8]}")
        self._thread.start()
        return self

    def pause(self) -> None:
        with self._lock:
            if self._paused_since is None:
                self._paused_since = time.monotonic()

    def resume(self) -> None:
        with self._lock:
            if self._paused_since is not None:
                self._pauses.append((self._paused_since, time.monotonic()))
                self._paused_since = None

    @property
    def paused(self) -> bool:
        return self._paused_since is not None

    def mark(self, label: str, **data: Any) -> dict[str, Any]:
        """A marker (e.g. a question starts) at the current position of the recording."""
        now = time.monotonic()
        t = self.timeline(now)
        marker = {"t": round(t if t is not None else self._position(now), 3), "label": label}
        marker.update(data)
        with self._lock:
            self.manifest.data.markers.append(marker)
        # The recorder thread saves it within a loop turn (tens of ms): the caller, often
        # the UI thread, never waits for an fsync.
        self._markers_dirty.set()
        return marker

    def stop(self) -> RecordingResult:
        """Write everything captured until now, finish the file and release it.

        Takes up to about half a second (the last audio, the encoders' tails): call it off
        the UI thread.
        """
        if self._stop_at is None:
            self._stop_at = time.monotonic()
        self.resume()
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        m = self.manifest.data
        return RecordingResult(
            self.id,
            self.path,
            m.status,
            m.duration_s or 0.0,
            list(m.markers),
            self.stats,
            self.error,
        )

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the timeline -----------------------------------------------------------------

    def timeline(self, ts: float) -> float | None:
        """Seconds into the recording of capture time `ts`; None if before it or paused."""
        t0 = self._t0
        if t0 is None or ts < t0:
            return None
        with self._lock:
            pauses = list(self._pauses)
            open_pause = self._paused_since
        if open_pause is not None and ts >= open_pause:
            return None
        skipped = 0.0
        for a, b in pauses:
            if ts >= b:
                skipped += b - max(a, t0)
            elif ts >= a:
                return None
        return ts - t0 - skipped

    def _position(self, ts: float) -> float:
        """Like `timeline` but a paused moment maps to where recording will continue."""
        t0 = self._t0 if self._t0 is not None else self._t_start
        with self._lock:
            pauses = [*self._pauses]
            if self._paused_since is not None:
                pauses.append((self._paused_since, math.inf))
        skipped = sum(min(ts, b) - max(a, t0) for a, b in pauses if a < ts)
        return max(0.0, ts - t0 - skipped)

    def _kept_ranges(self, ts: float, n: int, rate: int, until: float) -> list[tuple[int, int]]:
        """Sample offsets [a, b) of a block starting at `ts` that belong on the timeline."""
        assert self._t0 is not None
        with self._lock:
            cuts = [(-math.inf, self._t0), *self._pauses, (until, math.inf)]
            if self._paused_since is not None:
                cuts.append((self._paused_since, math.inf))
        keep = [(0, n)]
        for a, b in cuts:
            ca = math.ceil(max(0.0, min(float(n), (a - ts) * rate)))
            cb = math.ceil(max(0.0, min(float(n), (b - ts) * rate)))
            if cb <= ca:
                continue
            nxt: list[tuple[int, int]] = []
            for x, y in keep:
                if cb <= x or ca >= y:
                    nxt.append((x, y))
                    continue
                if x < ca:
                    nxt.append((x, ca))
                if cb < y:
                    nxt.append((cb, y))
            keep = nxt
        return keep

    # --- the recorder thread ----------------------------------------------------------

    def _run(self) -> None:
        writer = self._writer
        assert writer is not None
        status = RecordingStatus.COMPLETE
        last_id = 0
        self._cpu0 = time.thread_time()
        try:
            last_id = self._wait_first_frame()
            next_sync = next_disk = time.monotonic()
            while True:
                stopping = self._stopping.is_set()
                if self.video is not None:
                    frame = self.video.wait_newer(last_id, 0.0 if stopping else 0.02)
                    while frame is not None:
                        last_id = self._take_video(writer, frame, last_id)
                        # When stopping, also take whatever is still queued.
                        frame = self.video.wait_newer(last_id, 0.0) if stopping else None
                elif not stopping:
                    time.sleep(0.02)
                if self._markers_dirty.is_set():
                    self._save_markers()
                if stopping:
                    self._drain_audio(writer, final=True)
                    break
                self._drain_audio(writer, final=False)
                now = time.monotonic()
                if now >= next_sync:
                    writer.sync()
                    next_sync = now + self.sync_interval
                if now >= next_disk:
                    next_disk = now + self.disk_check_interval
                    self.stats.cpu_s = time.thread_time() - self._cpu0
                    self._check_disk(writer, now)
        except DiskFullError as exc:
            self.error = exc
            status = RecordingStatus.INTERRUPTED
            log.error("%s", exc.message)
        except RoundTwoError as exc:
            self.error = exc
            status = RecordingStatus.INTERRUPTED
            log.error("%s", exc.message)
        except Exception as exc:
            log.exception("recorder %s failed", self.path)
            self.error = RecordingError(f"The recording {self.path} failed ({exc}).")
            status = RecordingStatus.INTERRUPTED
        finally:
            self._finish(writer, status)

    def _save_markers(self) -> None:
        self._markers_dirty.clear()
        try:
            self.manifest.save()
        except OSError as exc:
            log.warning("could not save the markers of %s: %s", self.path, exc)
        if self.db is not None:
            db_update(self.db, self.manifest.data, wait=False)

    def _wait_first_frame(self) -> int:
        """Start the timeline at the first fresh frame (or now, if the camera is silent)."""
        deadline = self._t_start + 1.0
        last_id = 0
        while self.video is not None and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            frame = self.video.wait_newer(last_id, min(left, 0.05))
            if frame is None:
                continue
            if frame.ts >= self._t_start - 0.05:
                self._t0 = frame.ts
                self._first_frame = frame
                break
            last_id = frame.id
        if self._t0 is None:
            self._t0 = self._t_start
        self.manifest.data.started_epoch = time.time() - (time.monotonic() - self._t0)
        self.manifest.save()
        first = self._first_frame
        if first is not None and self._writer is not None:
            return self._take_video(self._writer, first, first.id - 1)
        return last_id

    def _take_video(self, writer: MediaWriter, frame: Frame, last_id: int) -> int:
        if last_id and frame.id > last_id + 1:
            self.stats.dropped_frames += frame.id - last_id - 1
        stop_at = self._stop_at
        if stop_at is not None and frame.ts >= stop_at:
            return frame.id
        t = self.timeline(frame.ts)
        if t is not None:
            writer.write_video(frame.image, t)
            self.stats.frames_written += 1
        return frame.id

    def _drain_audio(self, writer: MediaWriter, *, final: bool) -> None:
        reader = self.audio
        if reader is None or self._t0 is None:
            return
        until = math.inf
        if final:
            until = self._stop_at or time.monotonic()
            # Let the samples captured before the stop arrive (one device period or two).
            deadline = time.monotonic() + 0.5
            while reader.available_until() < until and time.monotonic() < deadline:
                time.sleep(0.01)
        block = reader.read()
        self.stats.audio_lost_samples += block.lost
        n = len(block.samples)
        if not n or not math.isfinite(block.ts):
            return
        rate = reader.rate
        for a, b in self._kept_ranges(block.ts, n, rate, until):
            t = self.timeline(block.ts + a / rate)
            if t is None:
                continue
            self._write_audio_at(writer, block.samples[a:b], t, rate)

    def _write_audio_at(self, writer: MediaWriter, samples: Any, t: float, rate: int) -> None:
        expected = round(t * rate)
        drift = writer.audio_samples - expected
        if drift < -AUDIO_EARLY_LIMIT_S * rate:
            gap = -drift
            writer.write_audio(np.zeros((gap, samples.shape[1]), dtype=np.int16))
            self.stats.audio_gap_s += gap / rate
        elif drift > AUDIO_LATE_LIMIT_S * rate:
            cut = min(drift, len(samples))
            samples = samples[cut:]
            self.stats.audio_trimmed_s += cut / rate
        writer.write_audio(samples)
        self.stats.av_offset_ms = round(
            (writer.audio_samples - expected - len(samples)) / rate * 1000, 1
        )
        self.stats.audio_s = writer.audio_samples / rate

    def _check_disk(self, writer: MediaWriter, now: float) -> None:
        try:
            free = shutil.disk_usage(self.directory).free
        except OSError:
            return
        size = writer.size()
        self.stats.size_bytes = size
        elapsed = now - (self._t0 or self._t_start)
        rate = size / elapsed if elapsed >= 1.0 and size else 0.0
        # Stop early enough to close the file: a reserve of ten seconds at the current rate.
        reserve = max(self.reserve_bytes, 10 * rate) if self.disk_guard else 0.0
        if self.disk_guard and free < reserve:
            raise _GuardStopError(
                f"Recording stopped: the disk holding {self.directory} is almost full "
                f"({free / 1e6:.1f} MB free); the recording so far is saved."
            )
        if rate and not self._warned_space:
            left = max(0.0, free - reserve) / rate
            if left < self.warn_seconds:
                self._warned_space = True
                message = (
                    f"Only about {left / 60:.1f} minutes of recording space are left on the disk "
                    f"holding {self.directory} ({free / 1e6:.0f} MB free at "
                    f"{rate * 60 / 1e6:.1f} MB per minute)."
                )
                self.stats.warnings.append(message)
                log.warning("%s", message)
                if self.on_warning is not None:
                    self.on_warning(message)

    def _finish(self, writer: MediaWriter, status: RecordingStatus) -> None:
        self.stats.cpu_s = round(time.thread_time() - self._cpu0, 3)
        try:
            writer.close()
        except RoundTwoError as exc:
            self.error = self.error or exc
            status = RecordingStatus.INTERRUPTED
        if isinstance(self.error, _GuardStopError):
            # The guard stopped before the disk filled: the file is complete and closed.
            self.error = DiskFullError(self.error.message)
            status = RecordingStatus.COMPLETE
        m = self.manifest.data
        m.status = status.value
        m.ended_at = utc_now_iso()
        stop_at = self._stop_at or time.monotonic()
        self.stats.duration_s = round(self._position(stop_at), 3)
        if status is RecordingStatus.INTERRUPTED:
            # A failed write loses the last fragment: say what the file really holds.
            try:
                self.stats.duration_s = round(probe(self.path).duration_s, 3)
            except Exception as exc:
                log.warning("could not probe %s: %s", self.path, exc)
        m.duration_s = self.stats.duration_s
        m.size_bytes = writer.size()
        self.stats.size_bytes = m.size_bytes
        m.error = self.error.message if self.error else None
        try:
            self.manifest.save()
        except OSError as exc:
            log.error("could not save the manifest of %s: %s", self.path, exc)
        self._owner.release()
        if self.db is not None:
            try:
                db_update(self.db, m)
            except Exception:
                log.exception("could not update the recording row of %s", self.path)


class _GuardStopError(DiskFullError):
    """Raised inside the recorder thread when the disk guard ends the recording."""
