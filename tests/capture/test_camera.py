"""Camera source on real files through OpenCV: pacing, the latest-frame slot, loops, errors,
and a "USB camera" (a real capture of a file) that raises mid-stream and comes back."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import cv2
import pytest

from app.capture.camera import CameraSource, Frame, FrameTap
from app.capture.errors import CaptureError
from app.core.errors import ErrorKind


def _drain(source: CameraSource, tap: FrameTap, seconds: float) -> list[Frame]:
    got: list[Frame] = []
    last = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        f = tap.wait_newer(last, 0.1)
        if f is None:
            if source.ended.is_set():
                break
            continue
        got.append(f)
        last = f.id
    return got


def test_file_plays_at_its_own_frame_rate(clips: dict[str, Path]) -> None:
    cam = CameraSource(str(clips["short1"]))  # 25 frames at 25 fps
    tap = cam.tap(capacity=1000)
    with cam:
        assert (cam.width, cam.height, cam.fps) == (320, 240, 25.0)
        t0 = time.monotonic()
        frames = _drain(cam, tap, 5.0)
        wall = time.monotonic() - t0
        assert cam.ended.wait(2)
    assert cam.state == "ended"
    assert [f.id for f in frames] == list(range(1, 26))
    # Timestamps are the frames' due times: exactly 1/25 s apart, on the monotonic clock.
    steps = {round(b.ts - a.ts, 6) for a, b in itertools.pairwise(frames)}
    assert steps == {0.04}
    # Played in real time, not as fast as it decodes (25 frames span 0.96 s).
    assert wall > 0.9
    assert frames[0].image.shape == (240, 320, 3)


def test_slot_keeps_only_the_newest_frame(clips: dict[str, Path]) -> None:
    with CameraSource(str(clips["flash10"])) as cam:
        seen = []
        last = 0
        for _ in range(4):
            time.sleep(0.25)  # a slow consumer (like a model runner)
            f = cam.slot.wait_newer(last, 1.0)
            assert f is not None
            seen.append(f.id)
            last = f.id
            assert f.id == cam.slot.latest().id  # type: ignore[union-attr]
        # Frames in between were overwritten, never queued for this consumer.
        assert all(b - a >= 5 for a, b in itertools.pairwise(seen))


def test_file_can_loop(clips: dict[str, Path]) -> None:
    cam = CameraSource(str(clips["short1"]), loop=True)
    tap = cam.tap(capacity=1000)
    with cam:
        frames = _drain(cam, tap, 1.8)
        assert cam.state == "running"
    assert len(frames) > 30  # more than the clip holds
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CaptureError) as err:
        CameraSource(str(tmp_path / "nope.mp4"))
    assert err.value.kind is ErrorKind.NOT_FOUND
    assert str(tmp_path / "nope.mp4") in err.value.message


def test_file_that_is_not_video_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video\n")
    with pytest.raises(CaptureError) as err:
        CameraSource(str(bad)).start()
    assert err.value.kind is ErrorKind.INVALID_INPUT
    assert "notes.mp4" in err.value.message and "could not be read as video" in err.value.message


def test_absent_device_index_is_a_clear_error() -> None:
    with pytest.raises(CaptureError) as err:
        CameraSource("7").start()
    assert err.value.kind is ErrorKind.DEVICE
    assert err.value.message.startswith("The camera 7 could not be opened")


class FlakyCamera:
    """A real cv2 capture of a file, paced like a device, that raises after `fail_after`
    frames (the cable is pulled). Wraps and delegates; nothing is faked but the failure."""

    def __init__(self, path: Path, fail_after: int | None) -> None:
        self.cap = cv2.VideoCapture(str(path))
        self.fail_after = fail_after
        self.n = 0

    def isOpened(self) -> bool:  # noqa: N802
        return bool(self.cap.isOpened())

    def grab(self) -> bool:
        time.sleep(1 / 30)
        self.n += 1
        if self.fail_after is not None and self.n > self.fail_after:
            raise OSError("VIDIOC_DQBUF: No such device")
        if not self.cap.grab():
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            return bool(self.cap.grab())
        return True

    def retrieve(self) -> tuple[bool, Any]:
        ok, img = self.cap.retrieve()
        return bool(ok), img

    def get(self, prop: int) -> float:
        return float(self.cap.get(prop))

    def set(self, prop: int, value: float) -> bool:
        return bool(self.cap.set(prop, value))

    def release(self) -> None:
        self.cap.release()


class UsbPort:
    """Hands out cameras: the first one is pulled after 10 frames, then `absent` opens fail."""

    def __init__(self, path: Path, absent: int) -> None:
        self.path = path
        self.absent = absent
        self.opens = 0

    def __call__(self, target: int | str) -> Any:
        self.opens += 1
        if self.opens == 1:
            return FlakyCamera(self.path, fail_after=10)
        if self.opens <= 1 + self.absent:
            return cv2.VideoCapture("/nonexistent/device")  # isOpened() is False
        return FlakyCamera(self.path, fail_after=None)


def test_unplugged_camera_reconnects(clips: dict[str, Path]) -> None:
    port = UsbPort(clips["flash10"], absent=2)
    cam = CameraSource(0, opener=port, reconnect_interval=0.2)
    with cam:
        deadline = time.monotonic() + 3
        while cam.state != "reconnecting" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert cam.state == "reconnecting"
        assert cam.error is not None and "camera 0 was disconnected" in cam.error.message
        frames_at_unplug = cam.frames
        deadline = time.monotonic() + 5
        while cam.frames < frames_at_unplug + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cam.state == "running" and cam.error is None
    assert cam.reconnects == 1
    assert port.opens == 4  # first, two failed attempts, then back
    assert cam.frames >= frames_at_unplug + 10


def test_unplugged_camera_without_reconnect_fails_with_message(clips: dict[str, Path]) -> None:
    port = UsbPort(clips["flash10"], absent=100)
    cam = CameraSource(0, opener=port, reconnect=False)
    with cam:
        assert cam.ended.wait(5)
    assert cam.state == "failed"
    assert cam.error is not None and cam.error.message == "The camera 0 was disconnected."
    assert cam.frames == 10


def test_recorder_tap_is_bounded_and_keeps_order() -> None:
    import numpy as np

    from app.capture.camera import FrameTap

    tap = FrameTap(capacity=3)
    img = np.zeros((2, 2, 3), dtype=np.uint8)
    for i in range(1, 11):
        tap.publish(Frame(i, float(i), img))
    got = []
    last = 0
    while (f := tap.wait_newer(last, 0.0)) is not None:
        got.append(f.id)
        last = f.id
    assert got == [8, 9, 10]  # the oldest were dropped (the id gap shows how many)
    tap.close()
    assert tap.wait_newer(last, 5.0) is None  # closed: returns at once


def test_device_is_asked_for_a_mode_and_the_answer_is_used(clips: dict[str, Path]) -> None:
    asked: list[tuple[int, float]] = []

    class Device(FlakyCamera):
        def set(self, prop: int, value: float) -> bool:
            asked.append((prop, value))
            return super().set(prop, value)  # a file capture refuses, like a fixed camera

    cam = CameraSource(
        0, width=1280, height=720, fps=60, opener=lambda _: Device(clips["flash10"], None)
    )
    with cam:
        assert cam.slot.wait_newer(0, 2.0) is not None
    assert asked == [
        (cv2.CAP_PROP_FRAME_WIDTH, 1280),
        (cv2.CAP_PROP_FRAME_HEIGHT, 720),
        (cv2.CAP_PROP_FPS, 60),
    ]
    assert (cam.width, cam.height, cam.fps) == (320, 240, 30.0)  # what it really delivers
