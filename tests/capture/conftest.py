"""Capture fixtures: a JACK dummy sound card (real-time clock, no hardware) and test clips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.capture import media

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def jack() -> Iterator[media.JackServer]:
    """jackd with the dummy driver for the whole run; PortAudio re-initialised to see it."""
    if not media.have_jackd():
        pytest.fail("jackd is not installed: apt-get install jackd2 (.ci/run installs it)")
    saved = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    server = media.start_jackd()
    os.environ["JACK_DEFAULT_SERVER"] = server.name
    os.environ["JACK_NO_START_SERVER"] = "1"
    media.reinit_portaudio()
    try:
        yield server
    finally:
        media.stop_jackd(server)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        media.reinit_portaudio()


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Clips made once: 10 s with flashes every 2 s from t=1 s, 1 s at 25 fps, 3 s of noise."""
    d = tmp_path_factory.mktemp("clips")
    media.make_clip(d / "flash10.mp4", 10.0)
    media.make_clip(d / "short1.mp4", 1.0, fps=25, events=[])
    media.make_clip(d / "noise3.mp4", 3.0, events=[], noise=True)  # a high bitrate
    return {n: d / f"{n}.mp4" for n in ("flash10", "short1", "noise3")}


def record_cmd(*args: str) -> list[str]:
    """The recorder CLI without the other commands' imports (starts in well under a second)."""
    return [sys.executable, "-m", "app.cli.cmd_record", *args]


def run_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    return env


def have_unshare() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    r = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    return r.returncode == 0
