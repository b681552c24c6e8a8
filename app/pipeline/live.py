"""Live scheduling: runner threads take the newest frame, drop stale ones, publish results.

Capture and the display never wait for a model. Each runner has a target rate and a CPU duty
cap: when its work gets slower, its own rate falls (and its drop counter rises) while the
camera and the display loop keep theirs. Results carry the frame's capture timestamp."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.core.events import Event, EventBus
from app.pipeline.events import RunnerResult
from app.pipeline.frames import Frame, FrameSource

log = logging.getLogger(__name__)

Work = Callable[[Frame], Any]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


@dataclass
class RunnerStats:
    """Counters one runner keeps (read from any thread through `snapshot`)."""

    processed: int = 0
    dropped: int = 0  # frames captured but never analysed by this runner
    errors: int = 0
    work_ms: deque[float] = field(default_factory=lambda: deque(maxlen=300))
    latency_ms: deque[float] = field(default_factory=lambda: deque(maxlen=300))
    done_at: deque[float] = field(default_factory=lambda: deque(maxlen=300))


class Runner:
    """One model (or chain) on its own thread. `work(frame)` returns the result to publish."""

    def __init__(
        self,
        name: str,
        work: Work,
        source: FrameSource,
        bus: EventBus,
        *,
        rate_hz: float = 15.0,
        max_busy: float = 0.7,
    ) -> None:
        self.name = name
        self.work = work
        self.source = source
        self.bus = bus
        self.rate_hz = rate_hz
        # Duty cap: after a run of w ms the runner rests w*(1/max_busy - 1) ms, so a slow
        # model leaves CPU (and the GIL) to capture and display instead of taking it all.
        self.max_busy = max_busy
        self.stats = RunnerStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_id = -1

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"runner-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("runner %s did not stop within %.1f s", self.name, timeout)

    def _next_frame(self, timeout: float) -> Frame | None:
        # Any source that can block until a newer frame (the pipeline's own slot, the capture
        # camera adapter) is waited on; only a bare `latest()` source is polled.
        wait_newer = getattr(self.source, "wait_newer", None)
        if wait_newer is not None:
            frame: Frame | None = wait_newer(self._last_id, timeout)
            return frame
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            f = self.source.latest()
            if f is not None and f.id > self._last_id:
                return f
            if time.monotonic() >= deadline:
                return None
            self._stop.wait(0.002)
        return None

    def _loop(self) -> None:
        min_interval = 1.0 / self.rate_hz if self.rate_hz > 0 else 0.0
        next_start = time.monotonic()
        while not self._stop.is_set():
            wait = next_start - time.monotonic()
            if wait > 0 and self._stop.wait(wait):
                break
            frame = self._next_frame(0.1)
            if frame is None:
                continue
            skipped = frame.id - self._last_id - 1 if self._last_id >= 0 else 0
            self._last_id = frame.id
            t0 = time.perf_counter()
            try:
                value = self.work(frame)
            except Exception:
                log.exception("runner %s failed on frame %d", self.name, frame.id)
                with self._lock:
                    self.stats.errors += 1
                    self.stats.dropped += max(skipped, 0)
                next_start = time.monotonic() + min_interval
                continue
            work_s = time.perf_counter() - t0
            now = time.monotonic()
            latency = (now - frame.ts) * 1000
            with self._lock:
                self.stats.processed += 1
                self.stats.dropped += max(skipped, 0)
                self.stats.work_ms.append(work_s * 1000)
                self.stats.latency_ms.append(latency)
                self.stats.done_at.append(now)
            # Typed results (e.g. FaceObservation) go out as they are; anything else is wrapped.
            event = (
                value
                if isinstance(value, Event)
                else RunnerResult(
                    ts=frame.ts,
                    runner=self.name,
                    frame_id=frame.id,
                    value=value,
                    latency_ms=latency,
                )
            )
            self.bus.publish(event)
            rest = work_s * (1.0 / self.max_busy - 1.0) if self.max_busy < 1 else 0.0
            next_start = max(t0 + min_interval, time.monotonic() + rest)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            work = list(self.stats.work_ms)
            lat = list(self.stats.latency_ms)
            done = list(self.stats.done_at)
            processed, dropped, errors = (
                self.stats.processed,
                self.stats.dropped,
                self.stats.errors,
            )
        span = done[-1] - done[0] if len(done) > 1 else 0.0
        return {
            "processed": processed,
            "dropped": dropped,
            "errors": errors,
            "rate_hz": round((len(done) - 1) / span, 2) if span > 0 else 0.0,
            "work_ms_p50": round(_pct(work, 50), 2),
            "work_ms_p95": round(_pct(work, 95), 2),
            "latency_ms_p50": round(_pct(lat, 50), 2),
            "latency_ms_p95": round(_pct(lat, 95), 2),
        }


class LivePipeline:
    """A set of runners over one frame source; start/stop them together."""

    def __init__(self, source: FrameSource, bus: EventBus | None = None) -> None:
        self.source = source
        self.bus = bus or EventBus()
        self.runners: list[Runner] = []

    def add(self, name: str, work: Work, **kw: Any) -> Runner:
        r = Runner(name, work, self.source, self.bus, **kw)
        self.runners.append(r)
        return r

    def start(self) -> None:
        for r in self.runners:
            r.start()

    def stop(self) -> None:
        for r in self.runners:
            r._stop.set()
        for r in self.runners:
            r.stop()

    def __enter__(self) -> LivePipeline:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stats(self) -> dict[str, dict[str, float]]:
        return {r.name: r.snapshot() for r in self.runners}


def face_work(analyzer: Any) -> Work:
    """Adapter: a FaceAnalyzer as runner work (the observation carries the frame's ts)."""

    def work(frame: Frame) -> Any:
        return analyzer.analyse(frame.image, frame.ts, frame.id)

    return work
