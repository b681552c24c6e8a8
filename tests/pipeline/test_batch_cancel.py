"""Batch analysis stops when its cancel token is set, and joins its speech thread."""

from __future__ import annotations

import threading

import pytest

from app.core.cancel import CancelledError
from app.pipeline.batch import analyse_video
from tests.conftest import REPO

SAMPLE = REPO / "resources/samples/media/interview-sample.mp4"


@pytest.mark.slow
def test_cancel_during_the_face_pass_stops_the_analysis() -> None:
    cancel = threading.Event()
    seen: list[float] = []

    def progress(frac: float, _stage: str) -> None:
        seen.append(frac)
        if frac > 0.1:
            cancel.set()  # what the progress dialog's Cancel button does

    with pytest.raises(CancelledError, match=r"interview-sample\.mp4"):
        analyse_video(SAMPLE, face_rate_hz=5.0, progress=progress, cancel=cancel, beam_size=1)
    # It stopped soon after the request, far from the end (the autouse fixture checks that
    # the speech thread was joined).
    assert seen and max(seen) < 0.6


def test_a_token_set_before_the_start_runs_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        analyse_video(SAMPLE, cancel=cancel)
