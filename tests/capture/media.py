"""Test media made here: clips whose white flashes and 1 kHz beeps coincide, and a JACK server."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from app.security.media import open_source

RATE = 48000
BEEP_HZ = 1000.0
FLASH_S = 0.1  # a flash is 3 frames at 30 fps; a beep lasts as long


def event_times(seconds: float, every: float = 2.0, first: float = 1.0) -> list[float]:
    return [round(t, 6) for t in np.arange(first, seconds - 0.5, every)]


def make_clip(
    path: Path,
    seconds: float,
    *,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    events: list[float] | None = None,
    noise: bool = False,
    camera_like: bool = False,
) -> list[float]:
    """An H.264 file: dark frames with a moving bar, white frames at each event time.

    `noise`: a sliding random texture (a high bitrate). `camera_like`: a soft sliding scene
    with a little sensor noise in every frame (what a webcam gives; for the benchmark).
    """
    events = event_times(seconds) if events is None else events
    w, h = size
    rng = np.random.default_rng(1)
    texture = rng.integers(0, 255, (h, w * 2, 3), dtype=np.uint8) if noise else None
    if camera_like:
        import cv2

        texture = cv2.GaussianBlur(rng.integers(0, 255, (h, w * 2, 3), dtype=np.uint8), (0, 0), 6)
        texture = cv2.normalize(texture, None, 40, 220, cv2.NORM_MINMAX)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast", "crf": "20" if camera_like else "28"}
        for i in range(round(seconds * fps)):
            t = i / fps
            if texture is not None:
                off = (i * 7) % w
                img = np.ascontiguousarray(texture[:, off : off + w])
                if camera_like:
                    grain = rng.integers(-4, 5, img.shape, dtype=np.int16)
                    img = np.clip(img.astype(np.int16) + grain, 0, 255).astype(np.uint8)
            else:
                img = np.full((h, w, 3), 30, dtype=np.uint8)
                x = (i * 4) % w
                img[:, x : x + 8] = (0, 160, 0)
            if any(e <= t + 1e-9 < e + FLASH_S for e in events):
                img[:] = 255
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return events


def beeps(seconds: float, events: list[float], rate: int = RATE) -> np.ndarray:
    """Int16 mono: quiet noise with a 1 kHz beep of FLASH_S at each event time."""
    n = round(seconds * rate)
    rng = np.random.default_rng(2)
    x = rng.normal(0, 30, n)
    t = np.arange(round(FLASH_S * rate)) / rate
    tone = 12000 * np.sin(2 * np.pi * BEEP_HZ * t)
    for e in events:
        a = round(e * rate)
        x[a : a + len(tone)] += tone[: max(0, n - a)]
    return x.astype(np.int16)


def flash_onsets(path: Path) -> list[float]:
    """Times (s, from the container's zero) of frames turning bright, decoded with PyAV."""
    onsets: list[float] = []
    bright_before = False
    with av.open(open_source(path)) as c:
        stream = c.streams.video[0]
        for frame in c.decode(stream):
            y = frame.to_ndarray(format="gray")
            bright = float(y.mean()) > 200
            if bright and not bright_before and frame.pts is not None:
                onsets.append(float(frame.pts * stream.time_base))
            bright_before = bright
    return onsets


def beep_onsets(path: Path) -> list[float]:
    """Times of 1 kHz tone onsets in the file's audio (5 ms energy windows), with PyAV."""
    with av.open(open_source(path)) as c:
        stream = c.streams.audio[0]
        rate = stream.codec_context.sample_rate
        chunks = []
        first_pts: float | None = None
        for frame in c.decode(stream):
            if first_pts is None and frame.pts is not None:
                first_pts = float(frame.pts * stream.time_base)
            chunks.append(frame.to_ndarray().reshape(-1, frame.samples).mean(axis=0))
    x = np.concatenate(chunks)
    win = rate // 200
    energy = np.sqrt(np.mean(x[: len(x) // win * win].reshape(-1, win) ** 2, axis=1))
    loud = energy > 0.1  # beeps are ~0.26 RMS, the floor ~0.001
    onsets = []
    for i in range(1, len(loud)):
        if loud[i] and not loud[i - 1]:
            onsets.append((first_pts or 0.0) + i * win / rate)
    return onsets


@dataclass
class JackServer:
    name: str
    proc: subprocess.Popen[bytes]


def have_jackd() -> bool:
    return shutil.which("jackd") is not None


def start_jackd(rate: int = RATE, period: int = 1024) -> JackServer:
    """A JACK server with the dummy driver: a real-time clocked sound card without hardware."""
    name = f"rt-cap-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    proc = subprocess.Popen(
        ["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", str(rate), "-p", str(period)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True, check=False)
        if "system:capture_1" in r.stdout:
            return JackServer(name, proc)
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise RuntimeError("jackd did not start")


def stop_jackd(server: JackServer) -> None:
    """Close PortAudio's JACK client first (it asserts if the server vanished under it)."""
    import sounddevice as sd

    with contextlib.suppress(sd.PortAudioError):
        sd._terminate()
    server.proc.terminate()
    try:
        server.proc.wait(5)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def reinit_portaudio() -> None:
    import sounddevice as sd

    with contextlib.suppress(sd.PortAudioError):
        sd._terminate()
    sd._initialize()


def jack_connect(src: str, dst: str) -> None:
    subprocess.run(["jack_connect", src, dst], check=True, capture_output=True)


def jack_ports() -> str:
    return subprocess.run(["jack_lsp", "-c"], capture_output=True, text=True, check=True).stdout


class Player:
    """Plays int16 audio into JACK from a monotonic origin (the clip's t=0), in real time.

    Each block starts at the sample due now by the monotonic clock (re-anchored only when
    off by more than 5 ms), so the sound follows real time even if the dummy driver's clock
    runs slow under load, as the video file's frames do.
    """

    def __init__(self, audio: np.ndarray, origin: float, rate: int = RATE) -> None:
        import sounddevice as sd

        self.audio = audio.astype(np.float32) / 32768.0
        self.origin = origin
        self.rate = rate
        self.pos: int | None = None
        self.stream = sd.OutputStream(
            samplerate=rate, channels=1, dtype="float32", callback=self._cb, latency="low"
        )

    def _cb(self, out: Any, frames: int, time_info: Any, status: Any) -> None:
        due = round((time.monotonic() - self.origin) * self.rate)
        if self.pos is None or abs(self.pos - due) > self.rate // 200:
            self.pos = due
        a = self.pos
        out.fill(0)
        if a < len(self.audio):
            chunk = self.audio[max(a, 0) : a + frames]
            start = max(0, -a)
            out[start : start + len(chunk), 0] = chunk[: frames - start]
        self.pos = a + frames

    def __enter__(self) -> Player:
        self.stream.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.stop()
        self.stream.close()


class Feeder:
    """A thread that calls `fn()` every `interval` s until stopped (joined on exit)."""

    def __init__(self, fn: Any, interval: float) -> None:
        self._fn = fn
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-feeder")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._fn()

    def __enter__(self) -> Feeder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def iter_lines(path: Path) -> Iterator[str]:
    yield from path.read_text(encoding="utf-8").splitlines()
