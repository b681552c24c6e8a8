"""Silero VAD streaming, utterance cutting, prosody and Whisper on real synthetic speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.models.audio import (
    CHUNK,
    SAMPLE_RATE,
    SileroVad,
    count_units,
    cut_utterances,
    pitch_track,
    prosody,
    vad_probabilities,
)
from app.models.registry import ModelRegistry
from tools.synth_media import speak_en

SENTENCE = "Please describe a project you led and what you would do differently next time."


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return speak_en(SENTENCE)


def _with_silence(a: np.ndarray, lead: float, gap: float, tail: float) -> np.ndarray:
    z = lambda s: np.zeros(int(s * SAMPLE_RATE), np.float32)  # noqa: E731
    return np.concatenate([z(lead), a, z(gap), a, z(tail)])


def test_vad_finds_speech_and_not_silence(registry: ModelRegistry, speech: np.ndarray) -> None:
    vad = SileroVad(registry.session("silero_vad"))
    audio = _with_silence(speech, 1.0, 1.5, 1.0)
    probs = vad_probabilities(vad, audio)
    t = np.arange(len(probs)) * CHUNK / SAMPLE_RATE
    assert probs[t < 0.8].max() < 0.3
    dur = len(speech) / SAMPLE_RATE
    mid = (t > 1.3) & (t < 1.0 + dur - 0.3)
    assert np.mean(probs[mid] > 0.5) > 0.7
    utts, speech_samples = cut_utterances(audio, probs)
    assert len(utts) == 2
    assert abs(utts[0].start - 1.0) < 0.35 and abs(utts[1].start - (2.5 + dur)) < 0.35
    assert 0.6 * 2 * dur < speech_samples / SAMPLE_RATE < 1.2 * 2 * dur


def test_vad_state_is_carried_between_chunks(registry: ModelRegistry, speech: np.ndarray) -> None:
    vad = SileroVad(registry.session("silero_vad"))
    a = vad_probabilities(vad, speech)
    b = vad_probabilities(vad, speech)  # reset() inside: same input, same result
    assert np.allclose(a, b, atol=1e-5)
    vad.reset()
    chunk = speech[CHUNK * 20 : CHUNK * 21]
    first = vad(chunk)
    second = vad(chunk)  # same chunk, different state and context
    assert first != second
    with pytest.raises(ValueError):
        vad(np.zeros(100, np.float32))


def test_prosody_measures_rate_pauses_and_pitch(speech: np.ndarray) -> None:
    tone = np.sin(2 * np.pi * 150 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    f0 = pitch_track(tone)
    assert np.median(f0[f0 > 0]) == pytest.approx(150, rel=0.03)
    dur = len(speech) / SAMPLE_RATE
    p = prosody(speech, SENTENCE, "en", speech_s=dur * 0.8, span_s=dur)
    assert p.rate_unit == "words/min" and 80 < p.speaking_rate < 260
    assert p.pause_ratio == pytest.approx(0.2, abs=0.01)
    assert 0.2 < p.pitch_variability_st < 8 and p.energy_variability_db > 1
    assert count_units("我们每周讨论方案", "zh") == 8 and count_units("we met weekly", "en") == 3


@pytest.mark.slow
def test_whisper_transcribes_english_with_timestamps(whisper_dir: Path, speech: np.ndarray) -> None:
    from app.models.asr import WhisperAsr, to_simplified

    asr = WhisperAsr(whisper_dir)
    segs = asr.transcribe(speech, lang="auto", offset=10.0)
    assert segs and all(s.lang == "en" for s in segs)
    text = " ".join(s.text for s in segs).lower()
    assert "project" in text and "differently" in text
    assert segs[0].start >= 10.0 and segs[-1].end <= 10.0 + len(speech) / SAMPLE_RATE + 0.5
    assert 0.3 < segs[0].confidence <= 1.0
    assert to_simplified("負責用戶") == "负责用户"


@pytest.mark.slow
def test_language_detection_and_transcription_share_one_encoder_run(
    whisper_dir: Path, speech: np.ndarray
) -> None:
    from app.models.asr import WhisperAsr

    asr = WhisperAsr(whisper_dir)
    before = asr.model.encodes
    auto = asr.transcribe(speech, lang="auto")
    # One utterance under 30 s: one encoder run for the language and the text together.
    assert asr.model.encodes - before == 1
    assert asr.model.kept is None  # nothing held between utterances
    before = asr.model.encodes
    given = asr.transcribe(speech, lang="en")
    assert asr.model.encodes - before == 1
    # Reusing the encoder output changes nothing in the result.
    assert [(s.start, s.end, s.text) for s in auto] == [(s.start, s.end, s.text) for s in given]
    assert asr.detect_language(speech)[0] == "en" and asr.model.kept is None
    # A shorter utterance (another window length): still one encoder run.
    before = asr.model.encodes
    asr.transcribe(speech[: len(speech) // 2], lang="auto")
    assert asr.model.encodes - before == 1
