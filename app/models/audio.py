"""Audio runners: Silero VAD (stateful, streaming), utterance cutting and prosody measures."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from app.models.session import OnnxSession

SAMPLE_RATE = 16000
CHUNK = 512  # new samples per VAD step (32 ms)
CONTEXT = 64  # samples carried over from the previous step, as the model was trained


class SileroVad:
    """Feed 512-sample chunks in order; the RNN state and 64-sample context are carried."""

    def __init__(self, session: OnnxSession) -> None:
        self.session = session
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def __call__(self, chunk: np.ndarray) -> float:
        if chunk.shape != (CHUNK,):
            raise ValueError(f"VAD chunks are {CHUNK} samples, got {chunk.shape}")
        x = np.concatenate([self._context, chunk.astype(np.float32)])[None, :]
        out, state = self.session.run({"input": x, "state": self._state, "sr": self._sr})
        self._state = state
        self._context = x[0, -CONTEXT:].copy()
        return float(out.reshape(-1)[0])


@dataclass
class Utterance:
    start: float  # seconds from the stream start
    end: float
    audio: np.ndarray = field(repr=False)


class UtteranceCutter:
    """Turns VAD probabilities into utterances (hysteresis, minimum speech, padding, a hard
    maximum so Whisper never sees more than its 30 s window)."""

    def __init__(
        self,
        *,
        on: float = 0.5,
        off: float = 0.35,
        min_speech_s: float = 0.25,
        min_silence_s: float = 0.6,
        pad_s: float = 0.2,
        max_s: float = 25.0,
    ) -> None:
        self.on, self.off = on, off
        self.min_speech = int(min_speech_s * SAMPLE_RATE)
        self.min_silence = int(min_silence_s * SAMPLE_RATE)
        self.pad = int(pad_s * SAMPLE_RATE)
        self.max_len = int(max_s * SAMPLE_RATE)
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # absolute sample index of _buf[0]
        self._pos = 0  # absolute samples consumed
        self._speech_start: int | None = None
        self._last_speech = 0
        self.speech_samples = 0  # total samples judged as speech (for pause ratio)

    def push(self, chunk: np.ndarray, prob: float) -> list[Utterance]:
        self._buf = np.concatenate([self._buf, chunk.astype(np.float32)])
        start = self._pos
        self._pos += len(chunk)
        out: list[Utterance] = []
        speaking = prob >= self.on or (self._speech_start is not None and prob >= self.off)
        if speaking:
            self.speech_samples += len(chunk)
            self._last_speech = self._pos
            if self._speech_start is None:
                self._speech_start = start
        if self._speech_start is not None:
            silent_for = self._pos - self._last_speech
            too_long = self._pos - self._speech_start >= self.max_len
            if silent_for >= self.min_silence or too_long:
                u = self._emit(self._last_speech if not too_long else self._pos)
                if u is not None:
                    out.append(u)
        else:
            # keep only the padding's worth of audio before speech
            keep = self.pad + len(chunk)
            if len(self._buf) > keep:
                self._buf_start += len(self._buf) - keep
                self._buf = self._buf[-keep:]
        return out

    def _emit(self, end: int) -> Utterance | None:
        assert self._speech_start is not None
        s = max(self._speech_start - self.pad, self._buf_start)
        e = min(end + self.pad, self._pos)
        audio = self._buf[s - self._buf_start : e - self._buf_start].copy()
        self._buf = self._buf[e - self._buf_start :]
        self._buf_start = e
        long_enough = (end - self._speech_start) >= self.min_speech
        self._speech_start = None
        if not long_enough:
            return None
        return Utterance(s / SAMPLE_RATE, e / SAMPLE_RATE, audio)

    def flush(self) -> list[Utterance]:
        if self._speech_start is None:
            return []
        u = self._emit(self._last_speech)
        return [u] if u is not None else []


def vad_probabilities(vad: SileroVad, audio: np.ndarray) -> np.ndarray:
    """Probabilities for each 512-sample chunk of a whole recording (the tail is zero-padded)."""
    vad.reset()
    n = math.ceil(len(audio) / CHUNK)
    padded = np.zeros(n * CHUNK, dtype=np.float32)
    padded[: len(audio)] = audio
    return np.array([vad(padded[i * CHUNK : (i + 1) * CHUNK]) for i in range(n)], dtype=np.float32)


def cut_utterances(
    audio: np.ndarray, probs: np.ndarray, **kw: float
) -> tuple[list[Utterance], int]:
    cutter = UtteranceCutter(**kw)
    out: list[Utterance] = []
    for i, p in enumerate(probs):
        out += cutter.push(audio[i * CHUNK : (i + 1) * CHUNK], float(p))
    out += cutter.flush()
    return out, cutter.speech_samples


# ---- prosody -----------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")


def count_units(text: str, lang: str) -> int:
    """Characters for Chinese, words for English (mixed text counts both)."""
    return len(_CJK.findall(text)) + len(_WORD.findall(text))


def _frames(audio: np.ndarray, frame: int, hop: int) -> np.ndarray:
    if len(audio) < frame:
        return np.zeros((0, frame), dtype=np.float32)
    n = 1 + (len(audio) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    return np.asarray(audio[idx])


def pitch_track(audio: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """f0 in Hz per 40 ms frame (10 ms hop) by normalised autocorrelation; 0 where unvoiced."""
    frame, hop = int(0.04 * sr), int(0.01 * sr)
    fr = _frames(audio.astype(np.float64), frame, hop)
    if len(fr) == 0:
        return np.zeros(0)
    fr = fr - fr.mean(1, keepdims=True)
    energy = (fr**2).sum(1)
    spec = np.fft.rfft(fr, n=2 * frame, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :frame]
    lo, hi = int(sr / 400), int(sr / 70)  # 70-400 Hz
    seg = ac[:, lo:hi]
    lag = seg.argmax(1) + lo
    strength = seg.max(1) / np.maximum(ac[:, 0], 1e-12)
    loud = energy > (np.percentile(energy, 90) * 0.05 if len(energy) else 0)
    f0 = np.where((strength > 0.45) & loud, sr / lag, 0.0)
    return np.asarray(f0)


@dataclass(frozen=True)
class Prosody:
    speaking_rate: float  # characters (zh) or words (en) per minute of the answer
    rate_unit: str
    pause_ratio: float  # share of the answer span without speech
    pitch_mean_hz: float
    pitch_variability_st: float  # std of f0 in semitones
    energy_variability_db: float  # std of frame energy (dB) over speech frames


def prosody(audio: np.ndarray, text: str, lang: str, speech_s: float, span_s: float) -> Prosody:
    units = count_units(text, lang)
    rate = units / (span_s / 60.0) if span_s > 0 else 0.0
    f0 = pitch_track(audio)
    voiced = f0[f0 > 0]
    if len(voiced) >= 5:
        st = 12 * np.log2(voiced / np.median(voiced))
        pitch_var, pitch_mean = float(st.std()), float(voiced.mean())
    else:
        pitch_var, pitch_mean = 0.0, 0.0
    fr = _frames(audio.astype(np.float64), 400, 160)
    db = 10 * np.log10((fr**2).mean(1) + 1e-10) if len(fr) else np.zeros(0)
    speech_db = db[db > db.max() - 35] if len(db) else db
    return Prosody(
        speaking_rate=round(rate, 1),
        rate_unit="chars/min" if lang == "zh" else "words/min",
        pause_ratio=round(max(0.0, 1.0 - speech_s / span_s), 3) if span_s > 0 else 0.0,
        pitch_mean_hz=round(pitch_mean, 1),
        pitch_variability_st=round(pitch_var, 2),
        energy_variability_db=round(float(speech_db.std()) if len(speech_db) else 0.0, 2),
    )
