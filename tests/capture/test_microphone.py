"""Microphone through the real PortAudio path (JACK dummy card), the ring buffer, levels,
16 kHz resampling, and the message when a computer has no audio input at all."""

from __future__ import annotations

import math
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from app.capture.microphone import AudioReader, AudioRing, MicSource, level, to_mono_16k
from tests.capture import media
from tests.capture.conftest import record_cmd, run_env


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * rate / len(x))


def test_ring_keeps_the_newest_samples_and_counts_what_a_slow_reader_lost() -> None:
    ring = AudioRing(capacity=1000, channels=1, rate=1000)
    reader = AudioReader(ring)
    data = np.arange(2500, dtype=np.int16).reshape(-1, 1)
    for i in range(0, 2500, 100):
        ring.write(data[i : i + 100], arrival=10.0 + (i + 100) / 1000)
    block = reader.read()
    assert block.lost == 1500
    assert block.start == 1500
    assert np.array_equal(block.samples[:, 0], np.arange(1500, 2500))
    assert reader.read().samples.shape == (0, 1)  # nothing new
    ring.write(data[:10], arrival=12.51)
    nxt = reader.read()
    assert nxt.start == 2500 and len(nxt.samples) == 10 and nxt.lost == 0


def test_ring_clock_uses_the_lowest_latency_so_jitter_does_not_move_timestamps() -> None:
    rate = 48000
    ring = AudioRing(capacity=rate * 5, channels=1, rate=rate)
    rng = np.random.default_rng(0)
    block = np.zeros((480, 1), dtype=np.int16)
    t0 = 100.0
    for k in range(1, 300):
        # delivered 0-8 ms after the block's last sample was captured
        ring.write(block, arrival=t0 + k * 480 / rate + rng.uniform(0.0, 0.008))
    assert abs(ring.ts_of(0) - t0) < 0.001
    assert abs(ring.ts_of(48000) - (t0 + 1.0)) < 0.001
    # The device loses 0.1 s (an overrun): later samples are re-dated at once.
    n = ring.written
    ring.write(block, arrival=t0 + (n + 480) / rate + 0.1 + 0.002, after_gap=True)
    assert abs(ring.ts_of(n) - (t0 + n / rate + 0.1)) < 0.003
    # It loses 0.08 s without saying so: re-dated once the shift has lasted 0.3 s ...
    t1 = t0 + 0.18
    n = ring.written
    for k in range(1, 5):
        ring.write(block, arrival=t1 + (n + k * 480) / rate + 0.001)
    assert abs(ring.ts_of(n) - (t1 + n / rate - 0.08)) < 0.003  # not yet: could be jitter
    for k in range(5, 40):
        ring.write(block, arrival=t1 + (n + k * 480) / rate + 0.001)
    assert abs(ring.ts_of(n) - (t1 + n / rate)) < 0.003
    assert ring.reanchors == 2


def test_level_and_resampling() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    lv = level(tone)
    assert abs(lv.peak_dbfs - 20 * math.log10(0.5)) < 0.1
    assert abs(lv.rms_dbfs - 20 * math.log10(0.5 / math.sqrt(2))) < 0.1
    assert level(np.zeros(100, dtype=np.int16)).rms_dbfs == -math.inf
    stereo = np.stack([tone, tone], axis=1)
    y = to_mono_16k(stereo, rate)
    assert y.dtype == np.float32 and len(y) == 16000
    assert abs(_peak_hz(y, 16000) - 1000) < 2
    assert abs(float(np.max(np.abs(y))) - 0.5) < 0.02
    # 44.1 kHz input also lands on 16 kHz
    assert len(to_mono_16k(tone[:44100], 44100)) == 16000
    # A 12 kHz tone cannot exist at 16 kHz: the filter must remove most of it.
    hiss = (0.5 * 32767 * np.sin(2 * np.pi * 12000 * t)).astype(np.int16)
    assert float(np.sqrt(np.mean(to_mono_16k(hiss, rate) ** 2))) < 0.5 / math.sqrt(2) / 2


def test_microphone_captures_a_played_tone_in_real_time(jack: media.JackServer) -> None:
    rate = media.RATE
    t = np.arange(rate * 3) / rate
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    mic = MicSource()
    with mic:
        assert mic.rate == rate and mic.channels == 1
        reader = mic.reader()
        with media.Player(tone, time.monotonic(), rate) as _:
            media.jack_connect("PortAudio:out_0", "PortAudio:in_0")
            start = time.monotonic()
            time.sleep(1.5)
            block = reader.read()
            now = time.monotonic()
            lv = mic.level(0.2)
            window = mic.window(0.5)
    x = block.samples[:, 0].astype(np.float32)
    # The clock is real: the audio read spans about the time waited, not a burst (the
    # dummy card's clock wobbles on a loaded machine, hence the margin).
    assert 0.7 < (len(x) / rate) / (now - start) < 1.3
    # Timestamps are on the monotonic clock: the block started when the reader was made.
    assert abs(block.ts - start) < 0.35
    assert block.ts + len(x) / rate <= now + 0.05
    tail = x[-rate // 2 :]
    assert abs(_peak_hz(tail, rate) - 1000) < 3
    assert abs(lv.peak_dbfs - 20 * math.log10(0.5)) < 1.0
    assert len(window.samples) == rate // 2


def test_no_microphone_is_one_clear_line(
    home: Path, tmp_path: Path, clips: dict[str, Path]
) -> None:
    """This machine has no sound card; without an audio server PortAudio lists no input."""
    env = run_env({"JACK_DEFAULT_SERVER": "no-such-server", "JACK_NO_START_SERVER": "1"})
    r = subprocess.run(
        record_cmd("record", "--camera", str(clips["short1"]), "--out", str(tmp_path)),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 66, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("roundtwo: error: No microphone was found: PortAudio lists no")
    assert "Traceback" not in r.stderr
    assert not list(tmp_path.glob("rec-*")), "no recording is started without a microphone"


def test_unknown_microphone_name_lists_the_inputs(jack: media.JackServer) -> None:
    with pytest.raises(Exception) as err:
        MicSource("Blue Yeti").start()
    assert "The microphone 'Blue Yeti' was not found (inputs: 0: system)" in str(err.value)


def test_input_without_a_clock_is_refused(
    home: Path, tmp_path: Path, clips: dict[str, Path]
) -> None:
    """The ALSA `file` plugin as the default input: real PortAudio, but no clock at all."""
    conf = tmp_path / "asound.conf"
    conf.write_text(
        "</usr/share/alsa/alsa.conf>\n"
        'pcm.!default {\n type file\n slave.pcm "null"\n file "/dev/null"\n'
        ' format "raw"\n infile "/dev/zero"\n}\n'
    )
    env = run_env(
        {
            "ALSA_CONFIG_PATH": str(conf),
            "JACK_DEFAULT_SERVER": "no-such-server",
            "JACK_NO_START_SERVER": "1",
        }
    )
    r = subprocess.run(
        record_cmd("record", "--camera", str(clips["short1"]), "--out", str(tmp_path)),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 69, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("roundtwo: error: The microphone 'default' delivered ")
    assert last.endswith("it is not a live input (a file or a misconfigured virtual device).")
    assert not list(tmp_path.glob("rec-*"))
