"""Live speech path: blocks of microphone-sized audio through the streaming VAD (and Whisper)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from app.core.events import EventBus
from app.models.audio import SAMPLE_RATE, SileroVad
from app.models.registry import ModelRegistry
from app.pipeline.events import SpeechSegment
from app.pipeline.speech import SpeechPipeline, UtteranceDetected
from tools.synth_media import speak_en

TEXT = "Tell me about a time you changed your mind after hearing feedback."


def _stream(speech: np.ndarray) -> np.ndarray:
    z = np.zeros(SAMPLE_RATE, np.float32)
    return np.concatenate([z, speech, z, speech, z])


def _feed(p: SpeechPipeline, audio: np.ndarray, block: int = 480) -> None:
    for i in range(0, len(audio), block):  # 30 ms blocks, not aligned with VAD chunks
        while p.backlog() > 200:  # faster than real time, but never past the buffer
            time.sleep(0.005)
        p.feed(audio[i : i + block])


def test_streaming_vad_cuts_two_utterances_with_stream_times() -> None:
    speech = speak_en(TEXT)
    bus = EventBus()
    seen: list[UtteranceDetected] = []
    bus.subscribe(UtteranceDetected, seen.append)
    p = SpeechPipeline(SileroVad(ModelRegistry().session("silero_vad")), bus, stream_start=100.0)
    p.start()
    try:
        _feed(p, _stream(speech))
    finally:
        p.stop()
    dur = len(speech) / SAMPLE_RATE
    assert len(seen) == 2
    assert abs(seen[0].start - 1.0) < 0.35 and abs(seen[1].start - (2.0 + dur)) < 0.35
    assert seen[0].ts == pytest.approx(100.0 + seen[0].start)
    assert p.dropped_blocks == 0


@pytest.mark.slow
def test_live_recognition_publishes_segments(whisper_dir) -> None:  # type: ignore[no-untyped-def]
    from app.models.asr import WhisperAsr

    speech = speak_en(TEXT)
    bus = EventBus()
    segs: list[SpeechSegment] = []
    bus.subscribe(SpeechSegment, lambda s: segs.append(s) if s.text else None)
    p = SpeechPipeline(
        SileroVad(ModelRegistry().session("silero_vad")),
        bus,
        WhisperAsr(whisper_dir),
        lang="en",
    )
    p.start()
    try:
        _feed(p, _stream(speech))
    finally:
        p.stop()
    assert len(segs) >= 2
    assert "feedback" in segs[0].text.lower() and segs[0].lang == "en"
    assert segs[0].start >= 0.5 and segs[-1].start > segs[0].end
