"""Microphone source: PortAudio callback -> ring buffer; timestamped reads, levels, resampling."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from app.capture.devices import quiet_stderr
from app.capture.errors import CaptureError
from app.core.errors import DependencyError, ErrorKind

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.int16]

# The capture clock is re-anchored from the lowest observed callback latency within this
# window, so scheduling jitter never moves timestamps but slow drift of the device is followed.
ANCHOR_WINDOW_S = 1.0
# A device that loses time without reporting it (a driver that skips cycles under load) shows
# as every callback arriving this much later than the anchor predicts, for this long.
JUMP_S = 0.025
JUMP_SUSTAINED_S = 0.3


class AudioRing:
    """Fixed-size int16 ring with absolute sample indices and a capture clock.

    `write` runs in the PortAudio callback: a slice copy and a few float operations, no
    allocation. Readers keep their own cursor, so a slow reader loses the oldest samples
    (counted) without blocking the callback or the other readers.
    """

    def __init__(self, capacity: int, channels: int, rate: int) -> None:
        self.capacity = capacity
        self.channels = channels
        self.rate = rate
        self._buf: Samples = np.zeros((capacity, channels), dtype=np.int16)
        self._lock = threading.Lock()
        self.written = 0
        # t(sample n) = anchor + n / rate
        self._anchor = math.inf
        self._win_min = math.inf
        self._prev_win_min = math.inf
        self._win_start = 0.0
        self._high_since = math.inf
        self._high_min = math.inf
        self.reanchors = 0

    def write(self, block: npt.NDArray[Any], arrival: float, *, after_gap: bool = False) -> None:
        """Copy one callback's block; `after_gap` when the device reported lost input."""
        n = len(block)
        if n > self.capacity:
            block = block[-self.capacity :]
            skip = n - self.capacity
        else:
            skip = 0
        with self._lock:
            start = (self.written + skip) % self.capacity
            first = min(len(block), self.capacity - start)
            self._buf[start : start + first] = block[:first]
            if first < len(block):
                self._buf[: len(block) - first] = block[first:]
            self.written += n
            # The last sample of this block was captured no later than `arrival`.
            est = arrival - self.written / self.rate
            if est > self._anchor + JUMP_S:
                if self._high_since == math.inf:
                    self._high_since, self._high_min = arrival, est
                else:
                    self._high_min = min(self._high_min, est)
                if arrival - self._high_since >= JUMP_SUSTAINED_S:
                    after_gap, est = True, self._high_min
            else:
                self._high_since = math.inf
            if after_gap:
                # Samples were lost: the old anchor would date new samples too early.
                self._prev_win_min, self._win_min, self._win_start = math.inf, est, arrival
                self._high_since = math.inf
                self.reanchors += 1
            elif arrival - self._win_start > ANCHOR_WINDOW_S:
                self._prev_win_min, self._win_min, self._win_start = self._win_min, est, arrival
            elif est < self._win_min:
                self._win_min = est
            self._anchor = min(self._win_min, self._prev_win_min)

    def ts_of(self, index: int) -> float:
        """Monotonic capture time of sample `index` (inf before the first callback)."""
        return self._anchor + index / self.rate

    def read_from(self, cursor: int, limit: int | None = None) -> tuple[int, Samples, int]:
        """(start index, samples from `cursor` on, samples lost because the reader was slow)."""
        with self._lock:
            written = self.written
            oldest = max(0, written - self.capacity)
            lost = max(0, oldest - cursor)
            start = max(cursor, oldest)
            end = written if limit is None else min(written, start + limit)
            n = end - start
            out: Samples = np.empty((n, self.channels), dtype=np.int16)
            a = start % self.capacity
            first = min(n, self.capacity - a)
            out[:first] = self._buf[a : a + first]
            if first < n:
                out[first:] = self._buf[: n - first]
        return start, out, lost


@dataclass(frozen=True)
class AudioBlock:
    start: int  # absolute index of the first sample
    ts: float  # monotonic capture time of the first sample
    samples: Samples  # (n, channels) int16
    lost: int  # samples this reader missed before `start`


class AudioReader:
    """A cursor into a microphone's ring buffer; each consumer gets its own."""

    def __init__(self, ring: AudioRing) -> None:
        self._ring = ring
        self.cursor = ring.written
        self.lost = 0

    def read(self, limit: int | None = None) -> AudioBlock:
        start, samples, lost = self._ring.read_from(self.cursor, limit)
        self.cursor = start + len(samples)
        self.lost += lost
        return AudioBlock(start, self._ring.ts_of(start), samples, lost)

    @property
    def rate(self) -> int:
        return self._ring.rate

    @property
    def channels(self) -> int:
        return self._ring.channels

    def available_until(self) -> float:
        """Capture time up to which samples have arrived."""
        return self._ring.ts_of(self._ring.written)


@dataclass(frozen=True)
class Level:
    rms_dbfs: float
    peak_dbfs: float


def level(samples: npt.NDArray[Any]) -> Level:
    """RMS and peak of int16 samples in dBFS (-inf for silence), for a level meter."""
    if not len(samples):
        return Level(-math.inf, -math.inf)
    x = samples.astype(np.float32) / 32768.0
    rms = float(np.sqrt(np.mean(x * x)))
    peak = float(np.max(np.abs(x)))

    def db(v: float) -> float:
        return 20.0 * math.log10(v) if v > 0 else -math.inf

    return Level(db(rms), db(peak))


def to_mono_16k(samples: npt.NDArray[Any], rate: int) -> npt.NDArray[np.float32]:
    """Float32 mono at 16 kHz in [-1, 1] for speech models (averaging filter, then interpolate)."""
    x = samples.astype(np.float32) / 32768.0
    if x.ndim == 2:
        x = x.mean(axis=1)
    if rate == 16000 or not len(x):
        return np.ascontiguousarray(x, dtype=np.float32)
    if rate > 16000:
        # A moving average over the decimation factor removes most energy above the new
        # Nyquist frequency before we pick samples (cheap anti-aliasing for speech).
        k = max(1, round(rate / 16000))
        if k > 1:
            x = np.convolve(x, np.full(k, 1.0 / k, dtype=np.float32), mode="same")
    n_out = int(len(x) * 16000 / rate)
    t_out = np.arange(n_out, dtype=np.float64) * (rate / 16000)
    y: npt.NDArray[np.float32] = np.interp(t_out, np.arange(len(x), dtype=np.float64), x).astype(
        np.float32
    )
    return y


def _sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise DependencyError(
            f"The PortAudio library could not be loaded ({exc}).",
            hint="Install libportaudio2 (Linux) or reinstall RoundTwo.",
        ) from exc
    return sd


def resolve_input(device: int | str | None) -> tuple[int, dict[str, Any]]:
    """The PortAudio index and info of an input device; a clear error when there is none."""
    sd = _sounddevice()
    with quiet_stderr():
        devices = list(sd.query_devices())
    inputs = [(i, d) for i, d in enumerate(devices) if int(d.get("max_input_channels", 0)) > 0]
    if not inputs:
        raise CaptureError(
            "No microphone was found: PortAudio lists no audio input device on this computer.",
            kind=ErrorKind.NOT_FOUND,
            hint="Connect a microphone (or start the audio server) and try again.",
        )
    if device is None:
        default = sd.default.device[0]
        if isinstance(default, int) and default >= 0 and any(i == default for i, _ in inputs):
            return default, devices[default]
        return inputs[0]
    if isinstance(device, int) or str(device).isdigit():
        idx = int(device)
        for i, d in inputs:
            if i == idx:
                return i, d
    else:
        for i, d in inputs:
            if str(device).lower() in str(d.get("name", "")).lower():
                return i, d
    names = ", ".join(f"{i}: {d.get('name')}" for i, d in inputs)
    raise CaptureError(
        f"The microphone {device!r} was not found (inputs: {names}).", kind=ErrorKind.NOT_FOUND
    )


class MicSource:
    """One PortAudio input stream; the callback only copies into an `AudioRing`."""

    def __init__(
        self,
        device: int | str | None = None,
        *,
        samplerate: int | None = None,
        channels: int = 1,
        blocksize: int = 0,
        buffer_seconds: float = 30.0,
    ) -> None:
        self.device = device
        self.want_rate = samplerate
        self.channels = channels
        self.blocksize = blocksize
        self.buffer_seconds = buffer_seconds
        self.name = "the default microphone" if device is None else f"the microphone {device!r}"
        self.rate = 0
        self.overflows = 0  # blocks PortAudio reported as overrun (input_overflow)
        self.ring: AudioRing | None = None
        self._stream: Any = None

    def start(self) -> MicSource:
        sd = _sounddevice()
        idx, info = resolve_input(self.device)
        self.name = f"the microphone {info.get('name', idx)!r}"
        self.rate = int(self.want_rate or round(float(info.get("default_samplerate", 48000))))
        channels = min(self.channels, int(info["max_input_channels"]))
        self.channels = channels
        self.ring = AudioRing(int(self.buffer_seconds * self.rate), channels, self.rate)
        ring = self.ring

        def callback(indata: Any, frames: int, time_info: Any, status: Any) -> None:
            # Runs on PortAudio's thread: copy and return, nothing else.
            overflow = bool(status.input_overflow)
            if overflow:
                self.overflows += 1
            ring.write(indata, time.monotonic(), after_gap=overflow)

        try:
            with quiet_stderr():
                stream = sd.InputStream(
                    device=idx,
                    samplerate=self.rate,
                    channels=channels,
                    dtype="int16",
                    blocksize=self.blocksize,
                    latency="low",
                    callback=callback,
                )
                stream.start()
        except sd.PortAudioError as exc:
            raise CaptureError(f"{self.name.capitalize()} could not be opened ({exc}).") from exc
        self._stream = stream
        try:
            self._check_real_time(ring)
        except CaptureError:
            self.stop()
            raise
        log.info("%s open at %d Hz, %d channel(s)", self.name, self.rate, channels)
        return self

    def _check_real_time(self, ring: AudioRing, probe_s: float = 0.2) -> None:
        """Refuse an input without a clock (a file, a misconfigured virtual device): it
        delivers audio as fast as it can read, which no recording can be synchronised to."""
        t0 = time.monotonic()
        time.sleep(probe_s)
        elapsed = time.monotonic() - t0
        got = ring.written / self.rate
        if got > 3 * elapsed + 0.1:
            raise CaptureError(
                f"{self.name.capitalize()} delivered {got:.1f} s of audio in {elapsed:.1f} s: "
                "it is not a live input (a file or a misconfigured virtual device)."
            )

    def reader(self) -> AudioReader:
        if self.ring is None:
            raise RuntimeError("microphone is not started")
        return AudioReader(self.ring)

    def window(self, seconds: float) -> AudioBlock:
        """The latest `seconds` of audio with the capture time of its first sample."""
        if self.ring is None:
            raise RuntimeError("microphone is not started")
        n = int(seconds * self.rate)
        start, samples, _ = self.ring.read_from(max(0, self.ring.written - n))
        return AudioBlock(start, self.ring.ts_of(start), samples, 0)

    def level(self, seconds: float = 0.1) -> Level:
        return level(self.window(seconds).samples)

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            # PortAudio must not be entered from two threads at once (a close here while
            # the review player closed its output hung once): every PortAudio call in the
            # app holds the lock quiet_stderr takes.
            with quiet_stderr():
                try:
                    stream.stop()
                finally:
                    stream.close()

    def __enter__(self) -> MicSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
