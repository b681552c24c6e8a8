"""Run as a process by test_review.py: play an encrypted recording through the review page's
decrypting QIODevice and stop/reload it many times at random moments. QMediaPlayer.stop()
joins FFmpeg's demuxer thread, which calls our Python readData/seek; if stop() held the GIL
this hangs (the test then fails on its timeout instead of hanging the suite)."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink
from PySide6.QtWidgets import QApplication

from app.security import keys
from app.security.chunks import ChunkWriter
from app.security.media import open_encrypted
from app.ui.review import _PlainDevice, stop_player


def main(rounds: int) -> int:
    app = QApplication.instance() or QApplication([])
    from PySide6.QtCore import qInstallMessageHandler

    seen: list[str] = []
    # Like pytest-qt (and our log setup): Qt messages from FFmpeg's threads call into Python.
    qInstallMessageHandler(lambda _mode, _ctx, msg: seen.append(msg))
    key = keys.RecordingKey.from_secret(os.urandom(32))
    keys.remember(key)
    sample = Path(__file__).resolve().parents[2] / "resources/samples/media/interview-sample.mp4"
    data = sample.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.mp4"
        w = ChunkWriter(path, key)
        for i in range(0, len(data), 256 * 1024):
            w.write(data[i : i + 256 * 1024])
            w.seal()
        w.close()
        rng = random.Random(7)
        player = QMediaPlayer()
        sink, audio = QVideoSink(), QAudioOutput()
        player.setVideoSink(sink)
        player.setAudioOutput(audio)
        stop = player.stop if os.environ.get("STRESS_PLAIN_STOP") else lambda: stop_player(player)
        for i in range(rounds):
            device = _PlainDevice(open_encrypted(path, verify=False))
            player.setSourceDevice(device, QUrl.fromLocalFile(str(path)))
            player.play()
            end = time.monotonic() + rng.uniform(
                0.0, float(os.environ.get("STRESS_MAX_WAIT", "0.25"))
            )
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.002)
            if i % 2:
                player.setPosition(rng.randint(0, 40000))
            stop()
            if player.playbackState() != QMediaPlayer.PlaybackState.StoppedState:
                print(f"round {i}: still {player.playbackState()} after stop", flush=True)
                return 1
            player.setSource(QUrl())
            device.close()
            print(f"round {i} ok", flush=True)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
