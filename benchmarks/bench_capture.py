"""Recorder cost and sync: CPU % of one core at 640x480@30 and 1280x720@30, dropped frames,
A/V skew, duration error; plus kill -9 runs (max loss). Real file camera + JACK dummy mic."""

from __future__ import annotations

import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.capture.camera import CameraSource
from app.capture.microphone import MicSource
from app.capture.session import CaptureSession
from app.capture.store import Manifest, manifest_path, probe
from tests.capture import media

RECORD_S = 20.0
CLIP_S = 10.0
KILL_RUNS = int(os.environ.get("BENCH_KILL_RUNS", "30"))
TARGET_720P_CPU_PCT = 35.0


def _connect() -> None:
    lines = media.jack_ports().splitlines()
    outs = [p for p in lines if p.startswith("PortAudio") and ":out_" in p]
    ins = [p for p in lines if p.startswith("PortAudio") and ":in_" in p]
    for o in outs:
        for i in ins:
            media.jack_connect(o, i)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _skews(path: Path) -> list[float]:
    flashes = media.flash_onsets(path)
    beeps = media.beep_onsets(path)
    out = []
    for f in flashes:
        if beeps:
            nearest = min(beeps, key=lambda b: abs(b - f))
            if abs(nearest - f) < 0.5:
                out.append(f - nearest)
    return out


def _one(clip: Path, out: Path, size: tuple[int, int]) -> dict[str, Any]:
    cam = CameraSource(str(clip), loop=True)
    session = CaptureSession(cam, MicSource(), out, reserve_bytes=10_000_000)
    session.start()
    started = time.monotonic()
    cpu0 = _cpu()
    audio = np.tile(media.beeps(CLIP_S, media.event_times(CLIP_S)), int(RECORD_S // CLIP_S) + 2)
    with media.Player(audio, cam.origin):
        _connect()
        time.sleep(max(0.0, started + RECORD_S - time.monotonic()))
        stats_before_stop = session.stats()
        wall = time.monotonic() - started
        cpu = _cpu() - cpu0
        result = session.stop()
    assert result is not None
    stats = session.stats()
    info = probe(result.path)
    sk = _skews(result.path)
    return {
        "size": f"{size[0]}x{size[1]}@30",
        "recorder_cpu_pct_of_one_core": round(100 * stats.recorder_cpu_s / result.duration_s, 1),
        "process_cpu_pct_incl_camera_decode": round(100 * cpu / wall, 1),
        "frames_written": stats.frames_written,
        "dropped_frames": stats.dropped_frames,
        "recorder_dropped_frames": stats.recorder_dropped,
        "camera_file_skipped_frames": stats.camera_skipped,
        "audio_clock_resets": stats.audio_clock_resets,
        "audio_overruns": stats.audio_overruns,
        "audio_gap_s": stats.audio_lost_s,
        "av_offset_ms": stats_before_stop.av_offset_ms,
        "skew_ms": {
            "n": len(sk),
            "min": round(1000 * min(sk), 1) if sk else None,
            "max": round(1000 * max(sk), 1) if sk else None,
            "mean": round(1000 * statistics.mean(sk), 1) if sk else None,
            "within_+45/-125": bool(sk) and all(-0.125 <= s <= 0.045 for s in sk),
        },
        "duration_error_s": round(info.duration_s - RECORD_S, 3),
        "mbytes_per_minute": round(result.path.stat().st_size / result.duration_s * 60 / 1e6, 2),
    }


def _kills(clip: Path, out: Path, runs: int) -> dict[str, Any]:
    rng = random.Random(7)
    losses = []
    unplayable = 0
    for _ in range(runs):
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "app.cli.cmd_record", "record", "--camera", str(clip),
                "--loop", "--out", str(out), "--reserve-mb", "1",
            ],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        line = proc.stdout.readline()
        path = Path(line[len("recording to ") :].strip())
        time.sleep(rng.uniform(0.2, 6.0))
        os.kill(proc.pid, signal.SIGKILL)
        killed = time.time()
        proc.communicate()
        manifest = Manifest.load(manifest_path(path))
        info = probe(path)
        recorded = killed - manifest.started_epoch
        losses.append(recorded - info.duration_s)
        if recorded >= 1.5 and not (info.decodable and info.has_audio):
            unplayable += 1
    return {
        "runs": runs,
        "max_loss_s": round(max(losses), 2),
        "mean_loss_s": round(statistics.mean(losses), 2),
        "unplayable_after_1_5_s": unplayable,
    }


def run() -> dict[str, object]:
    server = media.start_jackd()
    saved = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    os.environ["JACK_DEFAULT_SERVER"] = server.name
    os.environ["JACK_NO_START_SERVER"] = "1"
    media.reinit_portaudio()
    out: dict[str, object] = {
        "note": "noisy when other jobs share the CPU; recorder CPU is its thread's CPU time "
        "(x264 runs on it with one thread)",
        "load_avg_at_start": os.getloadavg()[0],
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            for w, h in ((640, 480), (1280, 720)):
                clip = d / f"clip{h}.mp4"
                media.make_clip(clip, CLIP_S, size=(w, h), camera_like=True)
                out[f"{h}p30"] = _one(clip, d / f"out{h}", (w, h))
            out["target_720p_cpu_pct"] = TARGET_720P_CPU_PCT
            small = d / "small.mp4"
            media.make_clip(small, CLIP_S)
            out["kill_9"] = _kills(small, d / "kills", KILL_RUNS)
    finally:
        media.stop_jackd(server)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        media.reinit_portaudio()
    out["load_avg_at_end"] = os.getloadavg()[0]
    return out


if __name__ == "__main__":
    import json

    sys.stdout.write(json.dumps(run(), indent=1) + "\n")
