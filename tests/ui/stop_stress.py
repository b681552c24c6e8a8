"""Run as a process by test_review.py: load, play, seek and close an encrypted recording with
the review's player many times at random moments (while it opens, decodes, seeks). Every
close must join the decoding thread; a hang fails on the caller's timeout instead of hanging
the suite. Prints "done" when every round was clean."""

from __future__ import annotations

import logging
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.capture.playback import Player
from app.security import keys
from app.security.chunks import ChunkWriter

SAMPLE = Path(__file__).resolve().parents[2] / "resources/samples/media/interview-sample.mp4"


class _Problems(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


def encrypted_copy(path: Path) -> None:
    key = keys.RecordingKey.from_secret(os.urandom(32))
    keys.remember(key)
    data = SAMPLE.read_bytes()
    w = ChunkWriter(path, key)
    for i in range(0, len(data), 256 * 1024):
        w.write(data[i : i + 256 * 1024])
        w.seal()
    w.close()


def poll(player: Player, seconds: float) -> int:
    """What the review page does meanwhile: take due frames, read the clock."""
    frames = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if player.latest_frame() is not None:
            frames += 1
        player.position_ms()
        time.sleep(0.003)
    return frames


def main(rounds: int) -> int:
    problems = _Problems()
    logging.getLogger().addHandler(problems)
    crashed: list[str] = []
    threading.excepthook = lambda a: crashed.append(f"{a.thread}: {a.exc_value!r}")
    baseline = threading.active_count()
    rng = random.Random(7)
    frames = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.mp4"
        encrypted_copy(path)
        player = Player()
        for i in range(rounds):
            player.load(path)
            frames += poll(player, rng.uniform(0.0, 0.05))  # often still opening
            if rng.random() < 0.7:
                player.play()
            frames += poll(player, rng.uniform(0.0, 0.15))
            if i % 2:
                player.seek(rng.randint(0, 44000))
                frames += poll(player, rng.uniform(0.0, 0.05))  # often mid-seek
            if i % 3 == 0:
                player.pause()
                player.seek(rng.randint(0, 44000))
            if player.error is not None:
                print(f"round {i}: {player.error}", flush=True)
                return 1
            if i % 5 != 4:  # else the next load closes it
                started = time.monotonic()
                player.close()
                player.close()  # a second close does nothing
                took = time.monotonic() - started
                if threading.active_count() != baseline:
                    print(f"round {i}: {threading.enumerate()} after close", flush=True)
                    return 1
                print(f"round {i} ok (close {took * 1000:.0f} ms)", flush=True)
        player.close()
    if threading.active_count() != baseline or crashed or problems.seen:
        print(f"threads {threading.enumerate()}, {crashed}, {problems.seen}", flush=True)
        return 1
    if frames < rounds // 2:
        print(f"only {frames} frames in {rounds} rounds", flush=True)
        return 1
    print(f"{frames} frames; done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
