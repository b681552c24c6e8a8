"""Speech recognition with Whisper (faster-whisper + CTranslate2, int8) on VAD-cut utterances."""

from __future__ import annotations

import functools
import importlib
import logging
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import DependencyError

log = logging.getLogger(__name__)

# Without a simplified-Chinese prompt Whisper often answers Mandarin in traditional characters.
ZH_PROMPT = "以下是普通话的句子，使用简体中文。"
LANGS = ("zh", "en")


_T2S: Any = None
_T2S_LOCK = threading.Lock()


def to_simplified(text: str) -> str:
    """Traditional -> simplified characters with OpenCC when it is installed: the prompt alone
    does not stop Whisper base from drifting into traditional characters mid-answer."""
    global _T2S
    with _T2S_LOCK:
        if _T2S is None:
            try:
                _T2S = importlib.import_module("opencc").OpenCC("t2s")
            except (ImportError, OSError, RuntimeError) as exc:
                log.warning(
                    "opencc unavailable, Chinese output may contain traditional forms: %s", exc
                )
                _T2S = False
        conv = _T2S
    return str(conv.convert(text)) if conv else text


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class TranscriptSegment:
    start: float
    end: float
    text: str
    lang: str
    confidence: float  # mean token probability, 0..1
    words: tuple[Word, ...] = field(default=(), repr=False)


@functools.cache
def _reusing_model(base: type) -> type:
    """faster-whisper's WhisperModel whose `encode` returns the kept output when asked to
    encode the very window it was computed from (compared by value, so a changed window is
    encoded as usual). `encodes` counts the encoder runs. Made once per base class (the
    base is imported lazily, so the subclass cannot be written at module level)."""

    class ReusingWhisperModel(base):  # type: ignore[misc]
        kept: tuple[np.ndarray, Any] | None = None
        encodes = 0

        def encode(self, features: np.ndarray) -> Any:
            kept = self.kept
            if (
                kept is not None
                and kept[0].shape == features.shape
                and np.array_equal(kept[0], features)
            ):
                return kept[1]
            self.encodes += 1
            return super().encode(features)

    return ReusingWhisperModel


class WhisperAsr:
    """One CTranslate2 Whisper model. `transcribe` is serialised: CTranslate2 models can be
    shared across threads, but one decode at a time keeps the CPU budget predictable."""

    def __init__(
        self, model_dir: Path, *, cpu_threads: int = 2, compute_type: str = "int8"
    ) -> None:
        try:
            # faster-whisper makes a (disabled) tqdm bar per call, and tqdm then starts a
            # monitor thread that is never joined; RoundTwo joins every thread it starts.
            importlib.import_module("tqdm").tqdm.monitor_interval = 0
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - it is a declared dependency
            raise DependencyError(
                "faster-whisper is not installed; speech recognition is off."
            ) from exc
        self.model = _reusing_model(WhisperModel)(
            str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
        )
        self._lock = threading.Lock()

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """zh or en (the only languages RoundTwo transcribes) with its probability."""
        with self._lock:
            lang, p = self._detect(audio.astype(np.float32))
            self.model.kept = None
        return lang, p

    def _detect(self, audio: np.ndarray) -> tuple[str, float]:
        """Language of the utterance's first window. The encoder's output is kept on the
        model, so the transcription of the same window that follows does not encode it
        again (language detection was a third of the ASR time when it did)."""
        from faster_whisper.audio import pad_or_trim

        model = self.model
        features = model.feature_extractor(audio)
        # The window exactly as faster-whisper's transcribe cuts its first segment (it
        # leaves out the last feature frame), so the kept output matches it.
        window = pad_or_trim(
            features[:, : min(model.feature_extractor.nb_max_frames, features.shape[-1] - 1)]
        )
        encoded = model.encode(window)
        model.kept = (window, encoded)
        probs = {token[2:-2]: p for token, p in model.model.detect_language(encoded)[0]}
        zh, en = probs.get("zh", 0.0), probs.get("en", 0.0)
        total = max(zh + en, 1e-9)
        return ("zh", zh / total) if zh > en else ("en", en / total)

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        lang: str = "auto",
        offset: float = 0.0,
        beam_size: int = 5,
        word_timestamps: bool = False,
    ) -> list[TranscriptSegment]:
        """Transcribe one utterance (16 kHz mono float32); times are offset into the stream."""
        audio = audio.astype(np.float32)
        with self._lock:
            try:
                return self._transcribe(audio, lang, offset, beam_size, word_timestamps)
            finally:
                self.model.kept = None

    def _transcribe(
        self, audio: np.ndarray, lang: str, offset: float, beam_size: int, word_timestamps: bool
    ) -> list[TranscriptSegment]:
        if lang == "auto":
            lang, _ = self._detect(audio)
        segments, _info = self.model.transcribe(
            audio,
            language=lang,
            beam_size=beam_size,
            initial_prompt=ZH_PROMPT if lang == "zh" else None,
            condition_on_previous_text=False,
            word_timestamps=word_timestamps,
            vad_filter=False,
        )
        out = []
        for s in segments:
            text = s.text.strip()
            if lang == "zh":
                text = to_simplified(text)
            if not text or (lang == "zh" and text in ZH_PROMPT):
                continue  # an echoed prompt is not speech
            words = tuple(
                Word(w.start + offset, w.end + offset, w.word, float(w.probability))
                for w in (s.words or [])
            )
            out.append(
                TranscriptSegment(
                    start=round(s.start + offset, 2),
                    end=round(s.end + offset, 2),
                    text=text,
                    lang=lang,
                    confidence=round(math.exp(float(s.avg_logprob)), 3),
                    words=words,
                )
            )
        return out
