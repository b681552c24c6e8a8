"""Live speech: audio blocks -> streaming VAD -> utterances -> Whisper on a worker thread.

The microphone callback only copies blocks into `feed()` (a bounded queue); VAD runs on this
pipeline's own thread, recognition on another, so a slow decode never delays VAD or capture.
Utterances that arrive while the recogniser is busy wait in a short queue; when it is full the
oldest is dropped and counted (the recording still has the audio for batch analysis)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

import numpy as np

from app.core.events import EventBus
from app.models.asr import WhisperAsr
from app.models.audio import CHUNK, SAMPLE_RATE, SileroVad, Utterance, UtteranceCutter
from app.pipeline.events import SpeechSegment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UtteranceDetected(SpeechSegment):
    """VAD found an utterance (published before recognition; text is empty)."""


class SpeechPipeline:
    def __init__(
        self,
        vad: SileroVad,
        bus: EventBus,
        asr: WhisperAsr | None = None,
        *,
        lang: str = "auto",
        stream_start: float | None = None,
        max_pending: int = 4,
    ) -> None:
        self.vad = vad
        self.bus = bus
        self.asr = asr
        self.lang = lang
        # Monotonic time of the first sample, so segment times match the video's clock.
        self.stream_start = time.monotonic() if stream_start is None else stream_start
        self.cutter = UtteranceCutter()
        self._blocks: queue.Queue[np.ndarray] = queue.Queue(maxsize=256)
        self._pending: queue.Queue[Utterance] = queue.Queue(maxsize=max_pending)
        self._stop = threading.Event()
        self._rest = np.zeros(0, dtype=np.float32)
        self.dropped_blocks = 0
        self.dropped_utterances = 0
        self.vad_ms = 0.0
        self.asr_s = 0.0
        self._threads = [
            threading.Thread(target=self._vad_loop, name="speech-vad", daemon=True),
            threading.Thread(target=self._asr_loop, name="speech-asr", daemon=True),
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def feed(self, block: np.ndarray) -> None:
        """16 kHz mono float32 samples; never blocks (drops and counts when overwhelmed)."""
        try:
            self._blocks.put_nowait(np.asarray(block, dtype=np.float32).reshape(-1))
        except queue.Full:
            self.dropped_blocks += 1

    def backlog(self) -> int:
        """Blocks waiting for VAD (a live microphone keeps this near zero)."""
        return self._blocks.qsize()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until everything fed so far has been through VAD and recognition."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (
            self._blocks.unfinished_tasks or self._pending.unfinished_tasks
        ):
            time.sleep(0.02)

    def stop(self, flush: bool = True) -> None:
        if flush:
            self.drain()
            for u in self.cutter.flush():
                self._queue(u)
            self.drain()
        self._stop.set()
        for t in self._threads:
            t.join(10)

    def _queue(self, u: Utterance) -> None:
        self.bus.publish(
            UtteranceDetected(
                ts=self.stream_start + u.start,
                start=u.start,
                end=u.end,
                text="",
                lang="",
                confidence=0.0,
            )
        )
        if self.asr is None:
            return
        while True:
            try:
                self._pending.put_nowait(u)
                return
            except queue.Full:
                try:
                    self._pending.get_nowait()
                    self._pending.task_done()
                    self.dropped_utterances += 1
                except queue.Empty:
                    pass

    def _vad_loop(self) -> None:
        while not self._stop.is_set():
            try:
                block = self._blocks.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                buf = np.concatenate([self._rest, block])
                n = len(buf) // CHUNK
                t0 = time.perf_counter()
                for i in range(n):
                    chunk = buf[i * CHUNK : (i + 1) * CHUNK]
                    for u in self.cutter.push(chunk, self.vad(chunk)):
                        self._queue(u)
                self.vad_ms += (time.perf_counter() - t0) * 1000
                self._rest = buf[n * CHUNK :]
            except Exception:
                log.exception("VAD failed on a block")
            finally:
                self._blocks.task_done()

    def _asr_loop(self) -> None:
        while not self._stop.is_set():
            try:
                u = self._pending.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                assert self.asr is not None
                t0 = time.perf_counter()
                segs = self.asr.transcribe(u.audio, lang=self.lang, offset=u.start)
                self.asr_s += time.perf_counter() - t0
                for s in segs:
                    self.bus.publish(
                        SpeechSegment(
                            ts=self.stream_start + s.start,
                            start=s.start,
                            end=s.end,
                            text=s.text,
                            lang=s.lang,
                            confidence=s.confidence,
                        )
                    )
            except Exception:
                log.exception("speech recognition failed on an utterance")
            finally:
                self._pending.task_done()


def audio_seconds(samples: int) -> float:
    return samples / SAMPLE_RATE
