"""Speech recognition with Whisper (faster-whisper + CTranslate2, int8) on VAD-cut utterances."""

from __future__ import annotations

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
        self.model = WhisperModel(
            str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
        )
        self._lock = threading.Lock()

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]:
        """zh or en (the only languages RoundTwo transcribes) with its probability."""
        _, _, all_probs = self.model.detect_language(audio)
        probs = dict(all_probs)
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
            if lang == "auto":
                lang, _ = self.detect_language(audio)
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
