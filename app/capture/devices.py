"""Enumerate cameras and microphones without opening a UI; failures become plain reports."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "camera" | "microphone"
    id: str
    name: str
    detail: str = ""


def list_cameras(max_index: int = 4) -> tuple[list[DeviceInfo], str]:
    """Cameras OpenCV can open, and a note when the probe itself could not run."""
    try:
        import cv2
    except ImportError as exc:  # pragma: no cover - opencv is a hard dependency
        return [], f"OpenCV is not installed ({exc})"
    found: list[DeviceInfo] = []
    candidates: list[int]
    if sys.platform.startswith("linux"):
        nodes = sorted(Path("/dev").glob("video*"))
        candidates = [int(n.name[5:]) for n in nodes if n.name[5:].isdigit()]
        if not candidates:
            return [], "no /dev/video* device nodes"
    else:
        candidates = list(range(max_index))
    # OpenCV prints probe failures to stderr; keep the terminal clean.
    with quiet_stderr():
        for idx in candidates:
            cap = cv2.VideoCapture(idx)
            try:
                if cap.isOpened():
                    w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
                    h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
                    fps = cap.get(cv2.CAP_PROP_FPS)
                    found.append(
                        DeviceInfo("camera", str(idx), f"camera {idx}", f"{w}x{h}@{fps:.0f}")
                    )
            finally:
                cap.release()
    return found, ""


def list_microphones() -> tuple[list[DeviceInfo], str]:
    """Input devices PortAudio reports, and a note when PortAudio itself is missing."""
    try:
        import sounddevice as sd
    except OSError as exc:
        return [], f"PortAudio library not found ({exc}); install libportaudio2"
    found: list[DeviceInfo] = []
    try:
        devices = sd.query_devices()
    except Exception as exc:
        return [], f"PortAudio could not list devices ({exc})"
    if not len(devices):
        return [], "PortAudio lists no audio device at all (no sound card?)"
    for idx, dev in enumerate(devices):
        if int(dev.get("max_input_channels", 0)) > 0:
            found.append(
                DeviceInfo(
                    "microphone",
                    str(idx),
                    str(dev.get("name", f"device {idx}")),
                    f"{dev.get('max_input_channels')} ch, "
                    f"{dev.get('default_samplerate', 0):.0f} Hz",
                )
            )
    return found, ""


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence C libraries (OpenCV, ALSA, JACK) that print probe failures straight to fd 2.

    fd 2 belongs to the whole process, so uses are serialised: two threads swapping it at
    once could leave it pointing at /dev/null for good.
    """
    with _STDERR_LOCK:
        try:
            fd = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):
            yield
            return
        saved = os.dup(fd)
        try:
            with open(os.devnull, "w") as devnull:  # noqa: PTH123
                os.dup2(devnull.fileno(), fd)
                yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


_STDERR_LOCK = threading.RLock()
