"""Frame sources for the live pipeline: the protocol a camera satisfies, and a latest-frame slot."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One captured picture. `image` is RGB uint8 (H, W, 3); `ts` is time.monotonic() at
    capture; `id` increases by one per captured frame, so a gap means frames were skipped."""

    id: int
    ts: float
    image: np.ndarray


@runtime_checkable
class FrameSource(Protocol):
    """What the pipeline needs from a camera: the newest frame, never a queue."""

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one. Must not block."""
        ...


class LatestFrameSlot:
    """A one-frame slot: the producer overwrites, consumers read the newest. Waiting for a
    newer frame is possible (with a timeout) so runner threads do not spin."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._next_id = 0
        self.closed = False

    def put(self, image: np.ndarray, ts: float | None = None) -> Frame:
        with self._cond:
            frame = Frame(self._next_id, time.monotonic() if ts is None else ts, image)
            self._next_id += 1
            self._frame = frame
            self._cond.notify_all()
            return frame

    def latest(self) -> Frame | None:
        with self._cond:
            return self._frame

    def wait_newer(self, after_id: int, timeout: float) -> Frame | None:
        """The newest frame with id > after_id, waiting up to `timeout` for one."""
        with self._cond:
            self._cond.wait_for(
                lambda: self.closed or (self._frame is not None and self._frame.id > after_id),
                timeout,
            )
            f = self._frame
            return f if f is not None and f.id > after_id else None

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
