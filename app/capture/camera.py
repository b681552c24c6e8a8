"""Camera source: a device index or a file/URL read by its own thread into a latest-frame slot."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from app.capture.devices import quiet_stderr
from app.capture.errors import CaptureError
from app.core.errors import ErrorKind, RoundTwoError

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Frame:
    """One captured image; `ts` is time.monotonic() at capture (for a file: its due time)."""

    id: int
    ts: float
    image: Image


class FrameSlot:
    """Holds only the newest frame: the producer overwrites, consumers never queue up."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._closed = False

    def publish(self, frame: Frame) -> None:
        with self._cond:
            self._frame = frame
            self._cond.notify_all()

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def wait_newer(self, after_id: int, timeout: float) -> Frame | None:
        """The newest frame with an id above `after_id`, waiting up to `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._closed or (self._frame is not None and self._frame.id > after_id),
                timeout,
            )
            if self._frame is not None and self._frame.id > after_id:
                return self._frame
            return None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FrameTap:
    """A short FIFO of frames for a consumer that needs every frame (the recorder).

    Bounded: when the consumer stalls longer than `capacity` frames, the oldest are dropped
    (the ids show the gap), so the camera thread never waits.
    """

    def __init__(self, capacity: int = 60) -> None:
        self._cond = threading.Condition()
        self._frames: deque[Frame] = deque(maxlen=capacity)
        self._closed = False

    def publish(self, frame: Frame) -> None:
        with self._cond:
            self._frames.append(frame)
            self._cond.notify_all()

    def wait_newer(self, after_id: int, timeout: float) -> Frame | None:
        """The oldest queued frame with an id above `after_id`, waiting up to `timeout`."""
        with self._cond:
            while self._frames and self._frames[0].id <= after_id:
                self._frames.popleft()
            self._cond.wait_for(lambda: self._closed or bool(self._frames), timeout)
            return self._frames.popleft() if self._frames else None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class FrameFeed(Protocol):
    """What a consumer reads frames from: a `FrameSlot` or a `FrameTap`."""

    def wait_newer(self, after_id: int, timeout: float) -> Frame | None: ...


class Capture(Protocol):
    """The part of cv2.VideoCapture the source uses (tests may wrap a real one)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name
    def grab(self) -> bool: ...
    def retrieve(self) -> tuple[bool, Any]: ...
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...
    def release(self) -> None: ...


Opener = Callable[[int | str], Capture]


def parse_camera_spec(spec: int | str) -> int | str:
    """A device index ("0") or a file path / URL; a missing file is named in the error."""
    if isinstance(spec, int):
        return spec
    text = spec.strip()
    if text.isdigit():
        return int(text)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        raise CaptureError(f"The camera file {path} does not exist.", kind=ErrorKind.NOT_FOUND)
    return str(path)


def _default_opener(target: int | str) -> Capture:
    with quiet_stderr():
        cap: Capture = cv2.VideoCapture(target)
    return cap


class CameraSource:
    """Owns one capture in its own thread and publishes frames into `slot`.

    A file plays at its own frame rate (late frames are skipped, never queued), optionally
    looping. A device that stops delivering is released and reopened every
    `reconnect_interval` seconds until it returns or the source is stopped.
    """

    def __init__(
        self,
        spec: int | str,
        *,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        loop: bool = False,
        reconnect: bool = True,
        reconnect_interval: float = 1.0,
        opener: Opener | None = None,
    ) -> None:
        self.target = parse_camera_spec(spec)
        self.is_file = isinstance(self.target, str) and "://" not in self.target
        self.name = (
            f"camera {self.target}" if isinstance(self.target, int) else f"camera file {spec}"
        )
        self.want = (width, height, fps)
        self.loop = loop
        self.reconnect = reconnect and not self.is_file
        self.reconnect_interval = reconnect_interval
        self._opener = opener or _default_opener
        self.slot = FrameSlot()
        self._taps: list[FrameTap] = []
        self.width = 0
        self.height = 0
        self.fps = 0.0
        self.origin = 0.0  # monotonic time the file's first frame was due
        self.frames = 0
        self.skipped = 0  # file frames skipped to keep real time
        self.reconnects = 0
        self.state = "new"  # new | running | reconnecting | ended | failed | stopped
        self.error: RoundTwoError | None = None
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread: threading.Thread | None = None

    # --- control (any thread) ---------------------------------------------------------

    def start(self, timeout: float = 10.0) -> CameraSource:
        """Open the capture in the source's thread; raise its error here if it fails."""
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.target}")
        self._thread.start()
        if not self._opened.wait(timeout):
            self.stop()
            raise CaptureError(f"The {self.name} did not open within {timeout:.0f} s.")
        if self.state == "failed" and self.error is not None:
            self.stop()
            raise self.error
        return self

    def tap(self, capacity: int = 60) -> FrameTap:
        """A FIFO that receives every frame from now on (for the recorder)."""
        tap = FrameTap(capacity)
        self._taps.append(tap)
        return tap

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.slot.close()
        for tap in self._taps:
            tap.close()
        if self.state not in ("failed", "ended"):
            self.state = "stopped"

    def __enter__(self) -> CameraSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the capture thread -----------------------------------------------------------

    def _open(self) -> Capture:
        try:
            cap = self._opener(self.target)
            ok = cap.isOpened()
        except Exception as exc:
            raise CaptureError(f"The {self.name} could not be opened ({exc}).") from exc
        if not ok:
            cap.release()
            if self.is_file:
                raise CaptureError(
                    f"The {self.name} could not be read as video (unknown format or damaged).",
                    kind=ErrorKind.INVALID_INPUT,
                )
            raise CaptureError(
                f"The {self.name} could not be opened (not connected, or in use by another "
                "program)."
            )
        width, height, fps = self.want
        if not self.is_file:
            # Ask; the driver answers with what it can do, which we read back below.
            if width and height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            if fps:
                cap.set(cv2.CAP_PROP_FPS, fps)
        self.width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        got_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = got_fps if 1.0 <= got_fps <= 240.0 else float(fps or 30.0)
        if width and height and (self.width, self.height) != (width, height):
            log.info(
                "%s: asked for %dx%d, got %dx%d", self.name, width, height, self.width, self.height
            )
        return cap

    def _run(self) -> None:
        cap: Capture | None = None
        try:
            try:
                cap = self._open()
            except RoundTwoError as exc:
                self.error = exc
                self.state = "failed"
                return
            finally:
                self._opened.set()
            self.state = "running"
            if self.is_file:
                self._play_file(cap)
            else:
                cap = self._read_device(cap)
        except RoundTwoError as exc:
            self.error = exc
            self.state = "failed"
        except Exception as exc:  # a broken source must end its thread with a message
            log.exception("%s failed", self.name)
            self.error = CaptureError(f"The {self.name} stopped delivering frames ({exc}).")
            self.state = "failed"
        finally:
            if cap is not None:
                cap.release()
            self.ended.set()
            self.slot.close()
            for tap in self._taps:
                tap.close()

    def _publish(self, cap: Capture, ts: float) -> bool:
        ok, image = cap.retrieve()
        if not ok or image is None:
            return False
        self.frames += 1
        frame = Frame(self.frames, ts, image)
        self.slot.publish(frame)
        for tap in self._taps:
            tap.publish(frame)
        return True

    def _play_file(self, cap: Capture) -> None:
        period = 1.0 / self.fps
        self.origin = time.monotonic()
        k = 0  # frame number on the (looped) timeline
        while not self._stop.is_set():
            due = self.origin + k * period
            delay = due - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            try:
                ok = cap.grab()
            except Exception as exc:
                raise CaptureError(f"The {self.name} stopped delivering frames ({exc}).") from exc
            if not ok:
                if self.loop and k > 0 and cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                    if not cap.grab():
                        break
                else:
                    break
            # More than a frame late (slow machine): skip this one rather than fall behind.
            if time.monotonic() - due > period:
                self.skipped += 1
            elif not self._publish(cap, due):
                break
            k += 1
        if not self._stop.is_set():
            self.state = "ended"

    def _read_device(self, cap: Capture) -> Capture | None:
        current: Capture | None = cap
        while not self._stop.is_set():
            if current is None:
                current = self._reopen()
                if current is None:
                    break
            try:
                ok = current.grab()
                ts = time.monotonic()
                ok = ok and self._publish(current, ts)
            except Exception as exc:
                log.warning("%s raised while reading: %s", self.name, exc)
                ok = False
            if ok:
                continue
            current.release()
            current = None
            if not self.reconnect:
                self.error = CaptureError(f"The {self.name} was disconnected.")
                self.state = "failed"
                break
            self.error = CaptureError(
                f"The {self.name} was disconnected; trying to reconnect every "
                f"{self.reconnect_interval:g} s."
            )
            self.state = "reconnecting"
            log.warning("%s", self.error.message)
        return current

    def _reopen(self) -> Capture | None:
        while not self._stop.wait(self.reconnect_interval):
            try:
                cap = self._open()
            except RoundTwoError:
                continue
            self.reconnects += 1
            self.error = None
            self.state = "running"
            log.info("%s reconnected", self.name)
            return cap
        return None
