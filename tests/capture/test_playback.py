"""The review's player on recordings made by the real writer: the first frame while paused,
a clock that runs in real time and stops, accurate seeks, the end, files without sound or
picture, missing and damaged files, closing at any moment, and sound through the JACK
dummy card that the picture follows."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from app.capture.microphone import MicSource
from app.capture.playback import Frame, Player
from app.capture.writer import MediaWriter, WriterConfig
from app.security import keys
from tests.capture import media
from tests.conftest import REPO

FPS = 30
SECONDS = 4.0
SAMPLE = REPO / "resources/samples/media"


def gray_of(i: int) -> int:
    """Frame i is a flat grey that tells its index (two levels a frame)."""
    return 10 + 2 * i


def write(
    path: Path,
    *,
    container: str = "mp4",
    encrypted: bool = False,
    sound: bool = True,
    flashes: tuple[float, ...] = (),
) -> Path:
    key = None
    if encrypted:
        key = keys.RecordingKey.from_secret(os.urandom(32))
        keys.remember(key)
    rate = media.RATE
    config = WriterConfig(
        160, 120, FPS, audio_rate=rate if sound else None, container=container, preset="ultrafast"
    )
    audio = media.beeps(SECONDS, list(flashes)).reshape(-1, 1)
    w = MediaWriter(path, config, key=key)
    step = rate // FPS
    for i in range(round(SECONDS * FPS)):
        t = i / FPS
        flash = any(f <= t < f + media.FLASH_S for f in flashes)
        w.write_video(np.full((120, 160, 3), 255 if flash else gray_of(i), np.uint8), t)
        w.write_audio(audio[i * step : (i + 1) * step])
    w.close()
    return path


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("playback")
    return {
        "encrypted": write(d / "enc.mp4", encrypted=True),
        "matroska": write(d / "plain.mkv", container="matroska"),
        "video_only": write(d / "silent.mp4", sound=False),
        "sync": write(d / "sync.mp4", flashes=(1.0, 3.0)),
    }


@pytest.fixture
def player() -> Player:
    p = Player(sound=False)  # the wall clock, whether or not a sound server runs
    yield p
    p.close()


def wait_frame(p: Player, timeout: float = 5.0) -> Frame:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        frame = p.latest_frame()
        if frame is not None:
            return frame
        assert p.error is None, p.error
        time.sleep(0.005)
    raise AssertionError("no frame")


def frame_index(frame: Frame) -> float:
    return (float(frame.image.mean()) - 10) / 2


def test_first_frame_is_shown_paused_after_load(
    player: Player, recordings: dict[str, Path]
) -> None:
    player.load(recordings["encrypted"])
    frame = wait_frame(player)
    assert player.ready and player.has_video and player.has_audio and player.error is None
    assert frame.pts_ms == 0 and abs(frame_index(frame)) < 1
    assert frame.image.shape == (120, 160, 3) and frame.image.dtype == np.uint8
    assert 3900 <= player.duration_ms <= 4200
    time.sleep(0.3)
    assert not player.playing and player.position_ms() == 0
    assert player.latest_frame() is None  # nothing new while paused


@pytest.mark.parametrize("name", ["encrypted", "matroska"])
def test_play_runs_in_real_time_and_pause_stops_it(
    player: Player, recordings: dict[str, Path], name: str
) -> None:
    player.load(recordings[name])
    wait_frame(player)
    player.play()
    start = time.monotonic()
    shown: list[tuple[float, Frame]] = []
    while time.monotonic() - start < 1.5:
        frame = player.latest_frame()
        if frame is not None:
            shown.append((player.position_ms(), frame))
        time.sleep(0.01)
    elapsed_ms = (time.monotonic() - start) * 1000
    assert player.playing
    assert abs(player.position_ms() - elapsed_ms) < 150
    # Frames come in order, each when it is due (not early, not much late).
    pts = [f.pts_ms for _, f in shown]
    assert pts == sorted(pts) and len(pts) >= 30
    assert all(0 <= pos - f.pts_ms < 150 for pos, f in shown)
    assert all(abs(frame_index(f) * 1000 / FPS - f.pts_ms) < 60 for _, f in shown)
    player.pause()
    paused_at = player.position_ms()
    time.sleep(0.3)
    assert not player.playing and player.position_ms() == paused_at


@pytest.mark.parametrize("name", ["encrypted", "matroska"])
def test_seek_lands_on_the_frame_at_the_target(
    player: Player, recordings: dict[str, Path], name: str
) -> None:
    player.load(recordings[name])
    wait_frame(player)
    for target in (2500, 1234, 3800, 40, 2000):
        player.seek(target)
        assert player.position_ms() == target  # at once, before anything is decoded
        frame = wait_frame(player)
        assert abs(player.position_ms() - target) < 150
        assert abs(frame.pts_ms - target) < 1000 / FPS + 25, (target, frame.pts_ms)
        assert abs(frame_index(frame) * 1000 / FPS - target) < 100, (target, frame_index(frame))
    # While playing: the clock goes on from the target.
    player.play()
    player.seek(1000)
    frame = wait_frame(player)
    assert 950 <= frame.pts_ms < 1150
    time.sleep(0.5)
    assert 1400 < player.position_ms() < 1700


def test_the_end_pauses_and_play_starts_again(player: Player, recordings: dict[str, Path]) -> None:
    player.load(recordings["encrypted"])
    wait_frame(player)
    player.seek(3600)
    player.play()
    end = time.monotonic() + 3.0
    while player.playing and time.monotonic() < end:
        player.latest_frame()
        time.sleep(0.01)
    assert not player.playing
    assert 3950 < player.position_ms() < 4300
    player.play()  # from the start
    frame = wait_frame(player)
    assert player.playing and frame.pts_ms < 100 and player.position_ms() < 500


def test_video_only_and_sound_only(player: Player, recordings: dict[str, Path]) -> None:
    player.load(recordings["video_only"])
    wait_frame(player)
    assert player.has_video and not player.has_audio
    player.load(SAMPLE / "answer2-zh.flac")  # a real recording without picture
    end = time.monotonic() + 5
    while not player.ready and time.monotonic() < end:
        time.sleep(0.01)
    assert player.ready and player.has_audio and not player.has_video, player.error
    assert player.latest_frame() is None
    player.play()
    time.sleep(0.4)
    assert 250 < player.position_ms() < 650
    player.seek(3000)
    time.sleep(0.2)
    assert 3100 < player.position_ms() < 3400


def test_missing_and_damaged_files_are_one_message_naming_the_file(
    recordings: dict[str, Path], tmp_path: Path
) -> None:
    data = recordings["encrypted"].read_bytes()
    files = {
        "missing": tmp_path / "gone.mp4",
        "garbage": tmp_path / "garbage.mp4",
        "cut": tmp_path / "cut.mp4",
        "cut_mkv": tmp_path / "cut.mkv",
        "tampered": tmp_path / "tampered.mp4",
        "empty": tmp_path / "empty.mkv",
    }
    files["garbage"].write_bytes(np.random.default_rng(0).bytes(20000))
    silent = recordings["video_only"].read_bytes()
    files["cut"].write_bytes(silent[: silent.find(b"moof") - 4])  # the header, no fragment
    files["cut_mkv"].write_bytes(recordings["matroska"].read_bytes()[:600])
    files["tampered"].write_bytes(data[:5000] + bytes([data[5000] ^ 1]) + data[5001:])
    files["empty"].write_bytes(b"")
    reasons = {
        "missing": "No such file or directory",
        "garbage": "Invalid data",
        "cut": "no frame that can be decoded",
        "cut_mkv": "could not be read",
        "tampered": "damaged at chunk",
        "empty": "could not be read",
    }
    for name, path in files.items():
        errors: list[str] = []
        p = Player(on_error=errors.append, sound=False)
        p.load(path)
        end = time.monotonic() + 5
        while p.error is None and time.monotonic() < end:
            time.sleep(0.01)
        assert p.error is not None and str(path) in p.error, (name, p.error)
        assert reasons[name] in p.error, (name, p.error)
        assert errors == [p.error]
        # The page keeps calling it: nothing raises, nothing plays.
        p.play()
        p.seek(1000)
        assert not p.playing and p.latest_frame() is None
        p.close()


def test_close_joins_the_thread_whenever_it_comes(recordings: dict[str, Path]) -> None:
    baseline = threading.active_count()
    p = Player(sound=False)
    p.load(recordings["encrypted"])
    p.close()  # while opening
    p.load(recordings["encrypted"])
    wait_frame(p)
    p.play()
    time.sleep(0.3)
    p.seek(2000)
    started = time.monotonic()
    p.close()  # while playing and seeking
    assert time.monotonic() - started < 0.5
    assert threading.active_count() == baseline
    assert not any(t.name == "playback" for t in threading.enumerate())
    p.close()
    assert p.latest_frame() is None and p.position_ms() == 0 and not p.playing


def test_without_a_sound_card_the_wall_clock_times_it(recordings: dict[str, Path]) -> None:
    """No audio server: opening the output fails quietly and the picture still plays."""
    code = (
        "import sys, time\n"
        "import sounddevice as sd\n"
        "from pathlib import Path\n"
        "from app.capture.playback import Player\n"
        "try:\n"
        "    sd.query_devices(kind='output'); card = True\n"
        "except Exception:\n"
        "    card = False\n"
        "p = Player(); p.load(Path(sys.argv[1]))\n"
        "while not p.ready and p.error is None: time.sleep(0.01)\n"
        "p.play(); time.sleep(0.5)\n"
        "print(p.sound_output == card, p.error, 350 < p.position_ms() < 700)\n"
        "p.close()\n"
    )
    env = {**os.environ, "JACK_DEFAULT_SERVER": "no-such-server", "JACK_NO_START_SERVER": "1"}
    r = subprocess.run(
        [sys.executable, "-c", code, str(recordings["matroska"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.stdout.split() == ["True", "None", "True"], r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def loop_back() -> None:
    """This process's output into its input (port numbers grow with each stream opened)."""
    ports = [line for line in media.jack_ports().splitlines() if line.startswith("PortAudio")]
    for out in (p for p in ports if ":out_" in p):
        for into in (p for p in ports if ":in_" in p):
            media.jack_connect(out, into)


def test_sound_is_heard_and_the_picture_follows_it(
    jack: media.JackServer, recordings: dict[str, Path]
) -> None:
    """Through the JACK dummy card: the beeps come out when the flashes are shown."""
    p = Player()
    # PortAudio is not thread-safe: the player's stream is closed (by its thread) before
    # the microphone's.
    with MicSource() as mic:
        try:
            reader = mic.reader()
            p.load(recordings["sync"])
            wait_frame(p)
            assert p.sound_output
            loop_back()
            p.play()
            start = time.monotonic()
            flashes: list[float] = []
            while time.monotonic() - start < 3.5:
                frame = p.latest_frame()
                bright = frame is not None and frame.image.mean() > 200
                if bright and (not flashes or time.monotonic() - flashes[-1] > 0.5):
                    flashes.append(time.monotonic())
                time.sleep(0.005)
            position, elapsed_ms = p.position_ms(), (time.monotonic() - start) * 1000
            block = reader.read()
        finally:
            p.close()
    assert abs(position - elapsed_ms) < 150
    x = block.samples[:, 0].astype(np.float32) / 32768
    win = mic.rate // 200
    loud = np.sqrt(np.mean(x[: len(x) // win * win].reshape(-1, win) ** 2, axis=1)) > 0.1
    beeps = [block.ts + i * win / mic.rate for i in range(1, len(loud)) if loud[i] > loud[i - 1]]
    assert len(beeps) == 2 and len(flashes) == 2, (beeps, flashes)
    assert abs(beeps[0] - start - 1.0) < 0.3 and abs(beeps[1] - beeps[0] - 2.0) < 0.1
    for heard, seen in zip(beeps, flashes, strict=True):
        assert abs(seen - heard) < 0.15, (heard - start, seen - start)
