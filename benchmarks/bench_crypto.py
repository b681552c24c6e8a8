"""Encryption at rest: CPU and throughput of a 1280x720@30 recording written encrypted vs
plain in the same run (alternating rounds), and raw chunk encrypt/decrypt speed."""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from app.capture.writer import MediaWriter, WriterConfig
from app.security.chunks import ChunkReader, ChunkWriter
from app.security.keys import RecordingKey

SECONDS = 8
FPS = 30
W, H = 1280, 720
ROUNDS = 3


def _frames() -> list[np.ndarray]:
    """A face moving over a noisy background: a realistic bitrate for x264 at 720p."""
    from skimage import data

    face = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    rng = np.random.default_rng(1)
    base = rng.integers(60, 90, (H, W, 3), dtype=np.uint8)
    out = []
    for i in range(FPS * 2):  # two seconds, repeated
        img = base.copy()
        x = 300 + int(200 * np.sin(i / 9))
        img[100:612, x : x + 512] = face
        img = cv2.add(img, rng.integers(0, 6, (H, W, 3), dtype=np.uint8))
        out.append(img)
    return out


def _record(path: Path, frames: list[np.ndarray], key: RecordingKey | None) -> dict[str, float]:
    config = WriterConfig(W, H, FPS, audio_rate=48000, preset="ultrafast")
    audio = np.zeros((48000 // FPS, 1), np.int16)
    t0, c0 = time.perf_counter(), time.process_time()
    w = MediaWriter(path, config, key=key)
    for i in range(SECONDS * FPS):
        w.write_video(frames[i % len(frames)], i / FPS)
        w.write_audio(audio)
        if i % FPS == FPS - 1:
            w.sync()
    w.close()
    return {
        "cpu_s": time.process_time() - c0,
        "wall_s": time.perf_counter() - t0,
        "bytes": path.stat().st_size,
    }


def _raw(tmp: Path, key: RecordingKey) -> dict[str, float]:
    block = secrets.token_bytes(1 << 20)
    n = 64
    path = tmp / "raw.rtenc"
    c0 = time.process_time()
    w = ChunkWriter(path, key)
    for _ in range(n):
        w.write(block)
        w.seal()
    w.close()
    enc = time.process_time() - c0
    c0 = time.process_time()
    with ChunkReader(path, lambda _id: key, verify=False) as r:
        while r.read(1 << 20):
            pass
    dec = time.process_time() - c0
    return {
        "encrypt_mb_per_cpu_s": round(n / enc, 1),
        "decrypt_mb_per_cpu_s": round(n / dec, 1),
    }


def run() -> dict[str, Any]:
    key = RecordingKey.from_secret(secrets.token_bytes(32))
    frames = _frames()
    plain: list[dict[str, float]] = []
    enc: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for r in range(ROUNDS):  # alternate so load changes hit both sides alike
            plain.append(_record(tmp / f"p{r}.mp4", frames, None))
            enc.append(_record(tmp / f"e{r}.mp4", frames, key))
        raw = _raw(tmp, key)

    def med(rows: list[dict[str, float]], k: str) -> float:
        return statistics.median(row[k] for row in rows)

    p_cpu, e_cpu = med(plain, "cpu_s"), med(enc, "cpu_s")
    bytes_s = med(enc, "bytes") / SECONDS
    return {
        "recording": f"{W}x{H}@{FPS}, {SECONDS} s, x264 ultrafast + AAC, {ROUNDS} rounds each",
        "load_note": "plain and encrypted measured alternately in the same run",
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "plain_cpu_pct_of_one_core": round(100 * p_cpu / SECONDS, 1),
        "encrypted_cpu_pct_of_one_core": round(100 * e_cpu / SECONDS, 1),
        "overhead_cpu_pct_points": round(100 * (e_cpu - p_cpu) / SECONDS, 2),
        "recording_mb_per_s": round(bytes_s / 1e6, 3),
        "size_overhead_pct": round(
            100 * (med(enc, "bytes") - med(plain, "bytes")) / med(plain, "bytes"), 3
        ),
        # The cost that belongs to encryption alone: recording rate / sealing speed.
        "sealing_cpu_pct_of_one_core_at_this_rate": round(
            100 * (bytes_s / 1e6) / raw["encrypt_mb_per_cpu_s"], 3
        ),
        **raw,
        "plain_rounds_cpu_s": [round(r["cpu_s"], 3) for r in plain],
        "encrypted_rounds_cpu_s": [round(r["cpu_s"], 3) for r in enc],
    }
