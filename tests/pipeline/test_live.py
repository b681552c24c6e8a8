"""The live pipeline never blocks capture or display; slow runners drop frames, counted."""

from __future__ import annotations

import threading
import time

import numpy as np

from app.core.events import EventBus
from app.models.registry import ModelRegistry
from app.pipeline.events import FaceObservation, RunnerResult
from app.pipeline.face import FaceAnalyzer
from app.pipeline.frames import Frame, FrameSource, LatestFrameSlot
from app.pipeline.live import LivePipeline, face_work
from tools.synth_media import astronaut, place


class _Camera:
    """A real producer thread at a fixed rate writing into the latest-frame slot."""

    def __init__(self, slot: LatestFrameSlot, fps: float, image: np.ndarray) -> None:
        self.slot, self.fps, self.image = slot, fps, image
        self.stop = threading.Event()
        self.produced = 0
        self.thread = threading.Thread(target=self._run, name="test-camera")

    def _run(self) -> None:
        period = 1.0 / self.fps
        nxt = time.monotonic()
        while not self.stop.is_set():
            self.slot.put(self.image)
            self.produced += 1
            nxt += period
            self.stop.wait(max(0.0, nxt - time.monotonic()))


def _display(slot: LatestFrameSlot, fps: float, seconds: float) -> int:
    """The display loop: paints the newest frame at its own rate, never waiting on runners."""
    ticks = 0
    period = 1.0 / fps
    t_end = time.monotonic() + seconds
    nxt = time.monotonic()
    while time.monotonic() < t_end:
        slot.latest()
        ticks += 1
        nxt += period
        time.sleep(max(0.0, nxt - time.monotonic()))
    return ticks


def test_slot_keeps_only_the_newest_frame() -> None:
    slot = LatestFrameSlot()
    assert isinstance(slot, FrameSource)
    assert slot.latest() is None and slot.wait_newer(-1, 0.01) is None
    for i in range(5):
        slot.put(np.zeros((2, 2, 3), np.uint8), ts=float(i))
    f = slot.latest()
    assert f is not None and f.id == 4 and f.ts == 4.0
    assert slot.wait_newer(3, 0.01) is f and slot.wait_newer(4, 0.01) is None


def test_slow_runner_drops_frames_while_display_keeps_its_rate() -> None:
    slot = LatestFrameSlot()
    bus = EventBus()
    results: list[RunnerResult] = []
    bus.subscribe(RunnerResult, results.append)

    def slow(frame: Frame) -> int:
        time.sleep(0.2)  # a model far too slow for the camera
        return frame.id

    def quick(frame: Frame) -> int:
        return frame.id

    cam = _Camera(slot, 30.0, np.zeros((48, 64, 3), np.uint8))
    pipe = LivePipeline(slot, bus)
    slow_runner = pipe.add("slow", slow, rate_hz=15.0, max_busy=1.0)
    quick_runner = pipe.add("quick", quick, rate_hz=15.0)
    cam.thread.start()
    try:
        with pipe:
            ticks = _display(slot, 30.0, 2.0)
    finally:
        cam.stop.set()
        cam.thread.join()
    s, q = slow_runner.snapshot(), quick_runner.snapshot()
    assert ticks >= 0.8 * 60, ticks  # the display loop kept (close to) 30 Hz
    assert s["processed"] <= 2.0 / 0.2 + 2  # the slow runner's rate fell to ~5 Hz...
    assert s["dropped"] >= 0.5 * cam.produced  # ...and it skipped most frames, counted
    assert q["processed"] > 1.5 * s["processed"]  # the other runner was not held back
    assert s["processed"] + s["dropped"] <= cam.produced
    # Results carry the capture timestamp of the frame they came from.
    slow_ids = [r.frame_id for r in results if r.runner == "slow"]
    assert slow_ids == sorted(slow_ids) and len(set(slow_ids)) == len(slow_ids)
    assert all(r.latency_ms >= 200 for r in results if r.runner == "slow")


def test_face_runner_publishes_timestamped_observations() -> None:
    slot = LatestFrameSlot()
    bus = EventBus()
    seen: list[FaceObservation] = []
    bus.subscribe(FaceObservation, seen.append)
    fa = FaceAnalyzer(ModelRegistry())
    pipe = LivePipeline(slot, bus)
    runner = pipe.add("face", face_work(fa), rate_hz=10.0)
    frame = place(astronaut())
    with pipe:
        stamps = []
        for _ in range(20):
            stamps.append(slot.put(frame).ts)
            time.sleep(1 / 15)
        deadline = time.monotonic() + 5
        while len(seen) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert len(seen) >= 3
    assert all(o.ts in stamps for o in seen) and all(o.face_present for o in seen)
    snap = runner.snapshot()
    assert snap["processed"] == len(seen) and snap["latency_ms_p95"] > 0
