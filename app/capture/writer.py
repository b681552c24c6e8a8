"""The one place that writes recording files: PyAV container, encoders, flushing, fsync.

Everything that touches the bytes of a recording goes through `MediaWriter`. Given a key,
it writes through `app.security.chunks.ChunkWriter`: PyAV writes into memory and each
fragment is sealed as one authenticated chunk before it reaches the file (no plaintext on disk).
"""

from __future__ import annotations

import errno
import logging
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from app.capture.errors import DiskFullError, RecordingError

if TYPE_CHECKING:
    from app.security.chunks import ChunkWriter
    from app.security.keys import RecordingKey

log = logging.getLogger(__name__)

# Fragmented MP4 (or Matroska clusters) written out every second: a killed process leaves a
# file that plays up to its last complete fragment. `flush_packets` pushes each packet to the
# OS instead of FFmpeg's own buffer.
CONTAINER_OPTIONS: dict[str, dict[str, str]] = {
    "mp4": {
        "movflags": "frag_keyframe+empty_moov+default_base_moof",
        "frag_duration": "1000000",
        "flush_packets": "1",
    },
    "matroska": {"flush_packets": "1", "cluster_time_limit": "1000"},
}
SUFFIX = {"mp4": ".mp4", "matroska": ".mkv"}
VIDEO_TIME_BASE = Fraction(1, 1000)


@dataclass(frozen=True)
class WriterConfig:
    width: int
    height: int
    fps: int
    audio_rate: int | None = 48000
    audio_channels: int = 1
    container: str = "mp4"
    # zerolatency: no lookahead and no B-frames, so a frame reaches the file (and survives a
    # crash) within the fragment it was captured in; one encoder thread keeps CPU predictable.
    preset: str = "superfast"
    crf: int = 26
    threads: int = 1
    audio_bitrate: int = 96_000


def _is_disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


class MediaWriter:
    """Encodes BGR frames (H.264) and PCM audio (AAC) into a crash-tolerant container.

    Not thread-safe: one recorder thread owns it.
    """

    def __init__(
        self, path: Path, config: WriterConfig, *, key: RecordingKey | None = None
    ) -> None:
        if config.container not in CONTAINER_OPTIONS:
            raise RecordingError(
                f"The recording container {config.container!r} is not supported "
                f"(use one of {', '.join(CONTAINER_OPTIONS)})."
            )
        if key is not None and config.container != "mp4":
            # Matroska seeks back to finish its index; the chunked writer is append-only.
            raise RecordingError(
                f"The recording {path} must be MP4: encrypted recordings are written as "
                "fragmented MP4."
            )
        self.path = path
        self.config = config
        self._last_video_pts = -1
        self._audio_pts = 0
        self._closed = False
        self._sink: ChunkWriter | None = None
        try:
            target: Any = str(path)
            if key is not None:
                from app.security.chunks import ChunkWriter

                self._sink = target = ChunkWriter(path, key)
            self._container: Any = av.open(
                target,
                mode="w",
                format=config.container,
                options=CONTAINER_OPTIONS[config.container],
            )
        except OSError as exc:
            if self._sink is not None:
                self._sink.abort()
            raise self._error("could not be created", exc) from exc
        try:
            vs = self._container.add_stream("libx264", rate=config.fps)
            vs.width = config.width
            vs.height = config.height
            vs.pix_fmt = "yuv420p"
            vs.time_base = VIDEO_TIME_BASE
            cc = vs.codec_context
            cc.time_base = VIDEO_TIME_BASE
            cc.gop_size = config.fps  # a keyframe (and so a fragment boundary) every second
            cc.thread_count = config.threads
            cc.options = {"preset": config.preset, "tune": "zerolatency", "crf": str(config.crf)}
            self._video = vs
            self._audio: Any = None
            if config.audio_rate:
                aus = self._container.add_stream("aac", rate=config.audio_rate)
                aus.codec_context.layout = "mono" if config.audio_channels == 1 else "stereo"
                aus.codec_context.bit_rate = config.audio_bitrate
                self._audio = aus
            self._layout = "mono" if config.audio_channels == 1 else "stereo"
        except Exception:
            self._container.close()
            if self._sink is not None:
                self._sink.abort()
            raise

    def _error(self, what: str, exc: BaseException) -> RecordingError:
        if _is_disk_full(exc):
            return DiskFullError(
                f"The recording {self.path} stopped because the disk is full; "
                "everything up to the last second was kept."
            )
        reason = getattr(exc, "strerror", None) or str(exc)
        return RecordingError(f"The recording {self.path} {what} ({reason}).")

    def write_video(self, image: npt.NDArray[np.uint8], t: float) -> None:
        """Encode one BGR frame shown at `t` seconds on the recording timeline."""
        pts = max(round(t * 1000), self._last_video_pts + 1)
        self._last_video_pts = pts
        # OpenCV's SIMD colour conversion costs a fifth of swscale's at 720p.
        h, w = self.config.height, self.config.width
        if image.shape[0] != h or image.shape[1] != w:
            image = np.asarray(cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        yuv: npt.NDArray[np.uint8] = np.asarray(
            cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), np.uint8
        )
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        self._mux(self._video.encode(frame))

    def write_audio(self, samples: npt.NDArray[np.int16]) -> None:
        """Append int16 samples shaped (n, channels); audio is contiguous on the timeline."""
        if self._audio is None or not len(samples):
            return
        packed = np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(packed, format="s16", layout=self._layout)
        frame.sample_rate = self.config.audio_rate or 48000
        frame.pts = self._audio_pts
        frame.time_base = Fraction(1, self.config.audio_rate or 1)
        self._audio_pts += len(samples)
        self._mux(self._audio.encode(frame))

    @property
    def audio_samples(self) -> int:
        return self._audio_pts

    def _mux(self, packets: list[Any]) -> None:
        try:
            for packet in packets:
                self._container.mux(packet)
            if self._sink is not None:
                # The muxer writes a whole fragment inside one mux call: one chunk each.
                self._sink.seal()
        except (OSError, av.error.FFmpegError) as exc:
            raise self._error("could not be written", exc) from exc

    def sync(self) -> None:
        """Push written fragments to the disk itself (survives power loss, not just a crash)."""
        if self._sink is not None:
            try:
                self._sink.fsync()
            except OSError as exc:
                log.warning("fsync of %s failed: %s", self.path, exc)
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            log.warning("fsync of %s failed: %s", self.path, exc)
        finally:
            os.close(fd)

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def close(self) -> None:
        """Drain the encoders and finish the file; on a full disk the fragments so far stay."""
        if self._closed:
            return
        self._closed = True
        error: RecordingError | None = None
        try:
            self._mux(self._video.encode(None))
            if self._audio is not None:
                self._mux(self._audio.encode(None))
        except RecordingError as exc:
            error = exc
        try:
            self._container.close()
        except (OSError, av.error.FFmpegError) as exc:
            error = error or self._error("could not be finished", exc)
        if self._sink is not None:
            error = self._close_sink(self._sink, error)
        else:
            self.sync()
        if error is not None:
            raise error

    def _close_sink(self, sink: ChunkWriter, error: RecordingError | None) -> RecordingError | None:
        """The final chunk marks the file complete; after an error it stays interrupted."""
        try:
            if error is None:
                sink.close()
            else:
                sink.abort()
        except OSError as exc:
            sink.abort()
            error = self._error("could not be finished", exc)
        return error
