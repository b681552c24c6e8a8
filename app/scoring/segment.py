"""Answer segmentation: map transcript segments to the question being answered."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from app.core.jobprofile import JobProfile
from app.scoring.evidence import AnswerInput, TimedText
from app.scoring.lexicon import normalise
from app.scoring.text import norm_lang

# A segment is taken to be the interviewer asking question Q when its character bigrams
# overlap Q's text by at least this Dice coefficient (paraphrases score 0.5-0.7, chat < 0.3).
QUESTION_MATCH = 0.45
CANDIDATE = "candidate"


@dataclass(frozen=True)
class TranscriptPiece:
    """One transcript segment as the pipeline delivers it."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str = CANDIDATE
    lang: str | None = None


@dataclass(frozen=True)
class QuestionMarker:
    """The interviewer pressed "next question" (or the UI otherwise knows Q started) at t_ms."""

    question_id: str
    t_ms: int


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[\W_]+", "", normalise(text))
    if re.search(r"[\u3400-\u9fff]", t):
        return {t[i : i + 2] for i in range(len(t) - 1)}
    words = re.findall(r"[a-z0-9]+", normalise(text))
    return {f"{a} {b}" for a, b in pairwise(words)} | set(words)


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def detect_question(profile: JobProfile, text: str) -> tuple[str, float] | None:
    """The guide question this utterance asks, if it is close enough to one (either language)."""
    grams = _bigrams(text)
    best: tuple[str, float] | None = None
    for q in profile.questions:
        for lang in ("zh", "en"):
            score = _dice(grams, _bigrams(q.text.get(lang)))
            if best is None or score > best[1]:
                best = (q.id, score)
    return best if best is not None and best[1] >= QUESTION_MATCH else None


@dataclass
class AnswerSegmenter:
    """Incremental segmentation for live use; `answers()` gives the batch result too."""

    profile: JobProfile
    lang: str | None = None
    _current: str | None = None
    _parts: dict[str, list[TimedText]] = field(default_factory=dict)
    _order: list[str] = field(default_factory=list)
    _markers: list[QuestionMarker] = field(default_factory=list)

    def mark(self, marker: QuestionMarker) -> None:
        known = {q.id for q in self.profile.questions}
        if marker.question_id not in known:
            from app.core.errors import NotFoundError

            raise NotFoundError(
                f"Question marker at {marker.t_ms} ms names question '{marker.question_id}', "
                f"which job {self.profile.id} does not have."
            )
        self._markers.append(marker)
        self._markers.sort(key=lambda m: m.t_ms)
        self._switch(marker.question_id)

    def _switch(self, qid: str) -> None:
        self._current = qid
        if qid not in self._parts:
            self._parts[qid] = []
            self._order.append(qid)

    def feed(self, piece: TranscriptPiece) -> str | None:
        """Add one segment; returns the question it was assigned to (None: before any)."""
        if piece.speaker != CANDIDATE:
            found = detect_question(self.profile, piece.text)
            if found is not None:
                self._switch(found[0])
            return None
        qid = self._question_at(piece.start_ms)
        if qid is None:
            return None
        if qid not in self._parts:
            self._switch(qid)
        self._parts[qid].append(TimedText(piece.start_ms, piece.end_ms, piece.text))
        return qid

    def _question_at(self, t_ms: int) -> str | None:
        if self._markers:
            # Markers are authoritative; a small lead tolerates a click just after speech starts.
            before = [m for m in self._markers if m.t_ms <= t_ms + 500]
            if before:
                return before[-1].question_id
            return None
        return self._current

    def current(self) -> AnswerInput | None:
        if self._current is None:
            return None
        return self._answer(self._current)

    def _answer(self, qid: str) -> AnswerInput:
        parts = self._parts.get(qid, [])
        lang = self.lang or norm_lang(None, "".join(p.text for p in parts))
        return AnswerInput.from_segments(qid, qid, lang, parts)

    def answers(self) -> list[AnswerInput]:
        return [self._answer(q) for q in self._order if self._parts.get(q)]


def segment_answers(
    profile: JobProfile,
    pieces: Iterable[TranscriptPiece],
    markers: Sequence[QuestionMarker] = (),
    lang: str | None = None,
) -> list[AnswerInput]:
    """Batch: every candidate segment to its question, by markers or by detected question text."""
    seg = AnswerSegmenter(profile, lang)
    for m in markers:
        seg.mark(m)
    for p in sorted(pieces, key=lambda x: x.start_ms):
        seg.feed(p)
    return seg.answers()
