"""Playback of a recording for the review: PyAV decodes in a thread of its own, the sound card
(sounddevice) plays the sound and is the clock; the UI polls for the frame that is due."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import av
import numpy as np
import numpy.typing as npt

from app.capture.devices import quiet_stderr
from app.core.errors import RoundTwoError
from app.security.media import open_source

log = logging.getLogger(__name__)

MAX_FRAMES = 8  # decoded frames waiting for their time (a quarter of a second at 30 fps)
AHEAD_MS = 1500  # how far the sound is decoded ahead of the clock
MAX_PENDING = 900  # video packets read ahead for it (30 s at 30 fps: a bound, not a goal)
LATE_MS = 100  # a frame this far behind the clock is dropped, not converted
JOIN_S = 2.0
WAIT_S = 0.05  # the decoding thread looks at stop/seek/the end at least this often


class Frame(NamedTuple):
    pts_ms: int
    image: npt.NDArray[np.uint8]  # H x W x 3, RGB


class _WallClock:
    """time.monotonic() from a position: the clock without a sound card."""

    def __init__(self) -> None:
        self._origin_ms = 0.0
        self._t0: float | None = None  # None: stopped

    def set_running(self, running: bool) -> None:
        if running and self._t0 is None:
            self._t0 = time.monotonic()
        elif not running and self._t0 is not None:
            self._origin_ms, self._t0 = self.position_ms(), None

    def seek(self, ms: float) -> None:
        self._origin_ms = ms
        if self._t0 is not None:
            self._t0 = time.monotonic()

    def position_ms(self) -> float:
        if self._t0 is None:
            return self._origin_ms
        return self._origin_ms + (time.monotonic() - self._t0) * 1000


class _Sound:
    """An output stream fed with (first sample, float32 block) on the recording's timeline;
    the samples it has played are the clock, so the picture follows what is heard."""

    def __init__(self, channels: int) -> None:
        import sounddevice as sd

        self._lock = threading.Lock()
        self._blocks: deque[tuple[int, npt.NDArray[np.float32]]] = deque()
        self._cursor = 0  # the timeline sample the next callback writes
        self._filled: tuple[float, int] | None = None  # when the last callback ran, its size
        self._floor_ms = 0.0  # the clock never reads less (the position while stopped)
        self._running = False
        with quiet_stderr():
            self._stream = sd.OutputStream(channels=channels, dtype="float32", callback=self._fill)
            try:
                self._stream.start()
            except Exception:
                self._stream.close()
                raise
        self.rate = int(self._stream.samplerate)
        self.channels = channels
        self._latency_ms = float(self._stream.latency) * 1000

    def _fill(self, out: Any, frames: int, _time: Any, _status: Any) -> None:
        # PortAudio's thread: copy what is due (silence where nothing is) and return.
        out.fill(0)
        with self._lock:
            if not self._running:
                return
            pos, end = self._cursor, self._cursor + frames
            while self._blocks:
                start, block = self._blocks[0]
                if start >= end:
                    break
                a, b = max(start, pos), min(start + len(block), end)
                if b > a:
                    out[a - pos : b - pos] = block[a - start : b - start]
                if start + len(block) > end:
                    break
                self._blocks.popleft()
            self._cursor = end
            self._filled = (time.monotonic(), frames)

    def push(self, start: int, block: npt.NDArray[np.float32]) -> None:
        with self._lock:
            self._blocks.append((start, block))

    def set_running(self, running: bool) -> None:
        with self._lock:
            if self._running and not running:
                self._floor_ms = self._position()
            self._running = running

    def seek(self, ms: float) -> None:
        with self._lock:
            self._blocks.clear()
            self._cursor = round(ms * self.rate / 1000)
            self._filled = None
            self._floor_ms = ms

    def position_ms(self) -> float:
        with self._lock:
            return self._position()

    def _position(self) -> float:
        if not self._running:
            return self._floor_ms
        ms = self._cursor * 1000 / self.rate - self._latency_ms
        if self._filled is not None:  # between callbacks: follow the wall clock (a block)
            at, frames = self._filled
            block_ms = frames * 1000 / self.rate
            ms -= block_ms - min((time.monotonic() - at) * 1000, block_ms)
        return max(self._floor_ms, ms)

    def close(self) -> None:
        with quiet_stderr():
            self._stream.close()  # discards what is still buffered


def _open_sound(stream: Any) -> _Sound | None:
    """An output for the recording's sound, or None (no sound card: the wall clock is used)."""
    try:
        import sounddevice as sd

        with quiet_stderr():
            device = sd.query_devices(kind="output")
        channels = max(1, min(2, stream.codec_context.channels, device["max_output_channels"]))
        return _Sound(channels)
    except Exception as exc:  # no PortAudio, no output device, a device that refuses
        log.info("No sound output for playback (%s); timed by the wall clock", exc)
        return None


class _Run:
    """The state of one loaded file, shared by the UI thread and its decoding thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Condition()
        self.thread: threading.Thread | None = None
        self.stop = False
        self.frames: deque[Frame] = deque()
        self.preview = True  # the next queued frame is shown even before it is due
        self.seek_to: int | None = None
        self.gen = 0  # counts seeks: frames decoded for an older one are dropped
        self.playing = False
        self.ready = False
        self.eof = False
        self.end_ms = 0.0  # where what was decoded since the last seek ends
        self.duration_ms = 0
        self.has_video = self.has_audio = False
        self.error: str | None = None
        self.clock: _WallClock | _Sound = _WallClock()

    def seek(self, ms: int) -> None:
        self.gen += 1
        self.seek_to = ms
        self.frames.clear()
        self.preview = True
        self.eof = False
        self.end_ms = ms
        self.clock.seek(ms)
        self.lock.notify_all()

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self.clock.set_running(playing and self.ready)
        self.lock.notify_all()

    def at_end(self) -> bool:
        return self.eof and self.clock.position_ms() >= self.end_ms


class _UnplayableError(Exception):
    """The file opened but holds nothing to play."""


class Player:
    """Plays one recording at a time. Call everything from one (the UI) thread; nothing but
    `close` (and `load`, which closes the previous file) waits for the decoding thread.

    `on_error(message)` is called from the decoding thread when the file cannot be played;
    `error` holds the same message. With `sound=False` no output is opened (wall clock).
    """

    def __init__(
        self, *, on_error: Callable[[str], None] | None = None, sound: bool = True
    ) -> None:
        self.on_error = on_error
        self.sound = sound
        self._run: _Run | None = None

    # --- state (all cheap) -----------------------------------------------------------------
    @property
    def error(self) -> str | None:
        return self._run.error if self._run is not None else None

    @property
    def ready(self) -> bool:
        """The file is open and its first frame is decoded."""
        return self._run is not None and self._run.ready

    @property
    def playing(self) -> bool:
        return self._run is not None and self._run.playing

    @property
    def duration_ms(self) -> int:
        return self._run.duration_ms if self._run is not None else 0

    @property
    def has_video(self) -> bool:
        return self._run is not None and self._run.has_video

    @property
    def has_audio(self) -> bool:
        return self._run is not None and self._run.has_audio

    @property
    def sound_output(self) -> bool:
        """The sound is played and is the clock (False: silent, timed by the wall clock)."""
        return self._run is not None and isinstance(self._run.clock, _Sound)

    def position_ms(self) -> int:
        run = self._run
        if run is None:
            return 0
        with run.lock:
            return int(run.clock.position_ms())

    def latest_frame(self) -> Frame | None:
        """The newest frame that is due, or None when there is nothing new since last time."""
        run = self._run
        if run is None:
            return None
        with run.lock:
            pos = run.clock.position_ms()
            frame = None
            while run.frames and (run.preview or run.frames[0].pts_ms <= pos):
                frame = run.frames.popleft()
                run.preview = False
            if frame is not None:
                run.lock.notify_all()  # room in the queue
        return frame

    # --- control ---------------------------------------------------------------------------
    def load(self, path: Path) -> None:
        """Open `path` in the background, paused at its first frame."""
        self.close()
        run = _Run(Path(path))
        run.thread = threading.Thread(
            target=self._decode, args=(run,), name="playback", daemon=True
        )
        self._run = run
        run.thread.start()

    def play(self) -> None:
        run = self._run
        if run is None or run.error is not None:
            return
        with run.lock:
            if run.at_end():
                run.seek(0)  # from the start again
            run.set_playing(True)

    def pause(self) -> None:
        run = self._run
        if run is not None:
            with run.lock:
                run.set_playing(False)

    def seek(self, ms: int) -> None:
        run = self._run
        if run is not None:
            with run.lock:
                run.seek(max(0, int(ms)))

    def close(self) -> None:
        """Stop, and wait (a bounded time) for the decoding thread to release the file."""
        run, self._run = self._run, None
        if run is None or run.thread is None:
            return
        with run.lock:
            run.stop = True
            run.set_playing(False)
        if run.thread is not threading.current_thread():
            run.thread.join(JOIN_S)
            if run.thread.is_alive():
                log.warning("Playback of %s did not stop within %.0f s", run.path, JOIN_S)

    # --- the decoding thread ---------------------------------------------------------------
    def _decode(self, run: _Run) -> None:
        source: Any = None
        container: Any = None
        sound: _Sound | None = None
        try:
            source = open_source(run.path)
            container = av.open(source)
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            if video is None and audio is None:
                raise _UnplayableError("it has neither video nor sound")
            if audio is not None and self.sound and not run.stop:
                sound = _open_sound(audio)
            with run.lock:
                run.has_video, run.has_audio = video is not None, audio is not None
                run.duration_ms = (container.duration or 0) // 1000
                if sound is not None:
                    sound.seek(run.clock.position_ms())
                    run.clock = sound
            _Decoder(run, container, video, audio, sound).loop()
        except _UnplayableError as exc:
            self._fail(run, f"The recording {run.path} cannot be played: {exc}.")
        except RoundTwoError as exc:
            self._fail(run, exc.user_message())
        except (OSError, av.error.FFmpegError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self._fail(run, f"The recording {run.path} could not be read ({reason}).")
        except Exception as exc:  # never into the UI: the page shows the message
            log.exception("Playback of %s failed", run.path)
            self._fail(run, f"The recording {run.path} could not be played ({exc}).")
        finally:
            if sound is not None:
                sound.close()
            if container is not None:
                container.close()
            if source is not None and not isinstance(source, str):
                source.close()

    def _fail(self, run: _Run, message: str) -> None:
        log.warning("%s", message)
        with run.lock:
            run.error = message
            run.set_playing(False)
            stopped = run.stop
        if self.on_error is not None and not stopped:
            self.on_error(message)


class _Decoder:
    """The decoding thread's side of a `_Run`. Packets are read ahead and the sound decoded as
    it arrives, but video is decoded only as the frame queue has room: fragmented MP4 stores
    a second of one stream, then a second of the other, so the sound of a second comes after
    all of its pictures."""

    def __init__(
        self, run: _Run, container: Any, video: Any, audio: Any, sound: _Sound | None
    ) -> None:
        self.run, self.container, self.video, self.sound = run, container, video, sound
        # Sound is decoded when it is heard, or when it is all there is (it times the end).
        self.audio = audio if sound is not None or video is None else None
        self.streams = [s for s in (video, self.audio) if s is not None]
        rate = video.average_rate if video is not None else None
        self.frame_ms = 1000 / float(rate) if rate else 40.0
        self.packets = container.demux(*self.streams)
        self.pending: deque[Any] = deque()  # video packets read but not decoded yet
        self.read_all = False
        self.resampler: Any = None
        self.next_sample = 0  # where the next resampled sound goes on the timeline
        self.sound_end_ms = 0.0
        self.target: int | None = None  # after a seek: what decodes before it is dropped
        self.gen = 0
        self.last_pts = -self.frame_ms
        self.decodes = False  # any frame at all came out of the decoders

    def loop(self) -> None:
        run = self.run
        while True:
            with run.lock:
                job = self._job()
                while job is None and not run.stop and run.seek_to is None:
                    if run.playing and run.at_end():
                        run.set_playing(False)
                    run.lock.wait(WAIT_S)
                    job = self._job()
                if run.stop:
                    return
                seek_to, run.seek_to, self.gen = run.seek_to, None, run.gen
            if seek_to is not None:
                self._seek(seek_to)
            elif job == "video":
                self._decode_video(self.pending.popleft())
            elif job == "read":
                self._read()
            if self.read_all and not self.pending:
                self._ended()

    def _job(self) -> str | None:
        """What to do next (lock held): read ahead while the sound runs short, else decode
        video while the queue has room, else wait."""
        run = self.run
        room = self.video is not None and len(run.frames) < MAX_FRAMES
        sound_short = (
            self.audio is not None and self.sound_end_ms - run.clock.position_ms() < AHEAD_MS
        )
        if not self.read_all and sound_short and len(self.pending) < MAX_PENDING:
            return "read"
        if room and self.pending:
            return "video"
        if room and not self.read_all:
            return "read"
        return None

    def _seek(self, ms: int) -> None:
        self.pending.clear()
        self.resampler = None
        self.sound_end_ms = ms
        self.target = ms
        try:
            self.container.seek(ms * 1000, backward=True)  # the keyframe before, in µs
        except av.error.FFmpegError as exc:  # a damaged index: nothing to show there
            log.warning("Seeking in %s to %d ms failed: %s", self.run.path, ms, exc)
            self.read_all = True
            return
        self.packets = self.container.demux(*self.streams)
        self.read_all = False

    def _read(self) -> None:
        try:
            packet = next(self.packets, None)
        except av.error.FFmpegError as exc:  # damage after the start: play up to it
            log.warning("Reading %s stopped: %s", self.run.path, exc)
            packet = None
        if packet is None:
            self.read_all = True
        elif self.video is not None and packet.stream_index == self.video.index:
            self.pending.append(packet)
        else:
            self._decode_audio(packet)

    def _decode(self, packet: Any) -> list[Any]:
        try:
            frames: list[Any] = packet.decode()
        except av.error.FFmpegError as exc:
            log.debug("A damaged packet in %s skipped: %s", self.run.path, exc)
            return []
        self.decodes = self.decodes or bool(frames)
        return frames

    def _decode_video(self, packet: Any) -> None:
        run = self.run
        for frame in self._decode(packet):
            pts = frame.time * 1000 if frame.time is not None else self.last_pts + self.frame_ms
            self.last_pts = pts
            end = pts + self.frame_ms
            if self.target is not None and end <= self.target:
                continue  # decoding forward from the keyframe to the target
            with run.lock:
                # Behind the clock (a slow computer): not worth converting.
                late = run.ready and not run.preview and end < run.clock.position_ms() - LATE_MS
                if late:
                    self._decoded(end)
            if late:
                continue
            image = np.ascontiguousarray(frame.to_ndarray(format="rgb24"))
            with run.lock:
                if self.gen != run.gen:
                    return
                run.frames.append(Frame(round(pts), image))
                self._decoded(end)

    def _decode_audio(self, packet: Any) -> None:
        run, sound = self.run, self.sound
        for frame in self._decode(packet):
            start = frame.time * 1000 if frame.time is not None else self.sound_end_ms
            end = start + frame.samples * 1000 / frame.sample_rate
            if self.target is not None and end <= self.target:
                continue
            blocks: list[npt.NDArray[np.float32]] = []
            if sound is not None:
                if self.resampler is None:
                    layout = "mono" if sound.channels == 1 else "stereo"
                    self.resampler = av.AudioResampler("flt", layout, sound.rate)
                    self.next_sample = round(start * sound.rate / 1000)
                for out in self.resampler.resample(frame):
                    blocks.append(out.to_ndarray().reshape(-1, sound.channels))
            with run.lock:
                if self.gen != run.gen:
                    return
                for block in blocks:
                    sound.push(self.next_sample, block)  # type: ignore[union-attr]
                    self.next_sample += len(block)
                self.sound_end_ms = end
                self._decoded(end, shown=self.video is None)

    def _decoded(self, end_ms: float, *, shown: bool = True) -> None:
        """Something up to `end_ms` is decoded (lock held). The first frame that is shown
        (video; sound when there is no video) makes the file ready: the clock may run."""
        run = self.run
        run.end_ms = max(run.end_ms, end_ms)
        if shown and not run.ready:
            run.ready = True
            run.clock.set_running(run.playing)

    def _ended(self) -> None:
        run = self.run
        with run.lock:
            if run.eof or self.gen != run.gen or run.seek_to is not None:
                return
            run.eof = True
            if self.decodes:  # e.g. sound but no picture that decodes, or a seek past the end
                self._decoded(run.end_ms)
                return
        raise _UnplayableError("it holds no frame that can be decoded (cut short or damaged)")
