"""Evidence extraction: sentence-level STAR parts, ownership, results, markers, with quotes."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.scoring.lexicon import Lexicon, load_lexicons, normalise
from app.scoring.models import ScoringModels
from app.scoring.text import model_input, norm_lang, sentence_spans

STAR_PARTS = ("situation", "task", "action", "result")
_NUMBER = re.compile(r"\d")
_ZH_QUANT = re.compile(
    r"[一二两三四五六七八九十半几][个]?(?:成|倍|周|天|月|年|季度|小时|分钟|家|位|名|人|次|个百分点)"
)
_EN_QUANT = re.compile(
    r"\b(?:half|halved|doubled|tripled|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|twenty|dozen|hundred|thousand)\b"
)
# Named things (quoted names, capitalised words inside an English sentence). All-caps
# acronyms are left out on purpose: jargon (SQL, KS, AUC) is not a specific.
_EN_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z][A-Za-z0-9]+")
_ZH_NAME = re.compile(r"[「“\"『][^」”\"』]{1,20}[」”\"』]")
# Subjects only: "our launch" says nothing about who acted, "we launched" does.
_OWN_ZH = re.compile(r"我(?!们)")
_TEAM_ZH = re.compile(r"我们|大家|配合|协助|参与")
_OWN_EN = re.compile(r"\bi\b")
_TEAM_EN = re.compile(r"\b(?:we|everyone|helped|supported|assisted)\b")


@dataclass(frozen=True)
class TimedText:
    """A piece of an answer with its time range (a transcript segment)."""

    start_ms: int
    end_ms: int
    text: str


@dataclass
class AnswerInput:
    """One answer to score: typed (character offsets) or built from timed segments (ms)."""

    id: str
    question_id: str | None
    lang: str
    text: str
    # (char_start, char_end, start_ms, end_ms) for each segment the text was joined from.
    timing: list[tuple[int, int, int, int]] = field(default_factory=list)

    @classmethod
    def from_segments(
        cls, answer_id: str, question_id: str | None, lang: str | None, parts: Sequence[TimedText]
    ) -> AnswerInput:
        joined = "".join(p.text for p in parts)
        code = norm_lang(lang, joined)
        sep = "" if code == "zh" else " "
        text = ""
        timing: list[tuple[int, int, int, int]] = []
        for p in parts:
            piece = p.text.strip()
            if not piece:
                continue
            if text:
                text += sep
            timing.append((len(text), len(text) + len(piece), p.start_ms, p.end_ms))
            text += piece
        return cls(answer_id, question_id, code, text, timing)

    def locate(self, start: int, end: int) -> tuple[int, int, str]:
        """Where a quote is: milliseconds when the answer has timing, else characters."""
        if not self.timing:
            return start, end, "char"
        inside = [t for t in self.timing if t[0] < end and t[1] > start]
        if not inside:
            nearest = min(self.timing, key=lambda t: abs(t[0] - start))
            return nearest[2], nearest[3], "ms"
        return inside[0][2], inside[-1][3], "ms"


@dataclass(frozen=True)
class Evidence:
    """One finding with its quote and where it is (ms with timing, else char offsets)."""

    kind: str
    quote: str
    start: int
    end: int
    unit: str
    detail: str = ""
    competency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "unit": self.unit,
        }
        if self.unit == "ms":
            d["start_ms"], d["end_ms"] = self.start, self.end
        if self.detail:
            d["detail"] = self.detail
        if self.competency:
            d["competency"] = self.competency
        return d


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    model_text: str
    star: dict[str, float]
    own: float  # P(the speaker acted), for action/task sentences
    quantified: bool
    specifics: int
    markers: dict[str, list[str]]
    duplicate: bool = False

    @property
    def substantive(self) -> float:
        """How much this sentence is a fact rather than filler: 1 up to P(other) = 0.3, 0 from
        P(other) = 0.75 (small talk the model half-recognises must not count as evidence)."""
        if self.duplicate:
            return 0.0
        # A very short sentence ("嗯，让我想一想。") carries too few words to classify: from
        # three words up it counts more, fully from seven.
        words = min(1.0, max(0.0, (len(self.model_text.split()) - 4) / 4.0))
        return words * min(1.0, max(0.0, (0.75 - self.star.get("other", 0.0)) / 0.45))

    @property
    def part(self) -> str:
        return max(self.star, key=lambda k: self.star[k])


def sharp(p: float) -> float:
    """A class probability as evidence: below 0.25 (near chance for six classes) counts for
    nothing, from 0.6 fully, so many weak guesses do not add up to a finding."""
    return min(1.0, max(0.0, (p - 0.25) / 0.35))


def soft(p: float) -> float:
    """A class probability as partial evidence: full from 0.6 on (the models are
    under-confident on real speech, so weaker guesses still count in part)."""
    return min(1.0, p / 0.6)


def _saturate(x: float, scale: float) -> float:
    """Diminishing returns: 0 -> 0, scale -> 0.63, 3*scale -> 0.95."""
    return 1.0 - math.exp(-max(0.0, x) / scale)


@dataclass
class AnswerAnalysis:
    """Competency-independent evidence and features of one answer."""

    answer: AnswerInput
    sentences: list[Sentence]
    features: dict[str, float]
    model_notes: list[str]
    sim_vector: np.ndarray[Any, np.dtype[np.float32]] | None = None
    sentence_vectors: np.ndarray[Any, np.dtype[np.float32]] | None = None

    def evidence_for(self, s: Sentence, kind: str, detail: str = "") -> Evidence:
        start, end, unit = self.answer.locate(s.start, s.end)
        return Evidence(kind, s.text, start, end, unit, detail)

    @property
    def unique(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.duplicate]

    def star_presence(self) -> dict[str, float]:
        return {p: float(self.features[f"star_{p}"]) for p in STAR_PARTS}


def _dedupe_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise(text))


def _rule_star(text: str, lex: Lexicon, quantified: bool) -> dict[str, float]:
    """Fallback when the STAR model is unavailable: crude lexical cues, flagged in the notes."""
    lang = lex.lang
    own = bool(_OWN_ZH.search(text)) if lang == "zh" else bool(_OWN_EN.search(text.lower()))
    if lex.find("reflection", text):
        return _onehot("reflection")
    if quantified and re.search(
        r"提升|下降|增长|减少|达到|节省|rose|fell|grew|cut|saved|reached|up|down", text
    ):
        return _onehot("result")
    if lex.find("vague", text):
        return _onehot("other")
    if own:
        return _onehot("action")
    if lex.find("time", text):
        return _onehot("situation")
    return _onehot("other")


def _onehot(label: str) -> dict[str, float]:
    labels = (*STAR_PARTS, "reflection", "other")
    return {k: (0.85 if k == label else 0.03) for k in labels}


def _pronouns(text: str, lang: str) -> tuple[int, int]:
    if lang == "zh":
        return len(_OWN_ZH.findall(text)), len(_TEAM_ZH.findall(text))
    low = text.lower()
    return len(_OWN_EN.findall(low)), len(_TEAM_EN.findall(low))


def _rule_own(text: str, lang: str) -> float:
    own, team = _pronouns(text, lang)
    return (own + 0.5) / (own + team + 1.0)


def _blend_own(model_p: float, text: str, lang: str, previous: float | None) -> float:
    """Combine the model with explicit pronouns; a Chinese clause without a subject keeps the
    previous clause's actor (pro-drop: "我负责…，先访谈了…")."""
    own, team = _pronouns(text, lang)
    if own or team:
        cue = (own + 0.2) / (own + team + 0.4)
        return 0.4 * model_p + 0.6 * cue
    if lang == "zh" and previous is not None:
        return 0.5 * model_p + 0.5 * previous
    return model_p


def analyse(answer: AnswerInput, models: ScoringModels) -> AnswerAnalysis:
    """Split, classify and mark every sentence; compute the answer-level features."""
    lang = norm_lang(answer.lang, answer.text)
    lex = load_lexicons()[lang]
    spans = sentence_spans(answer.text, lang)
    inputs = [model_input(s.text, lang) for s in spans]
    notes = list(models.notes)
    star_p = models.star.run(inputs) if models.star is not None and spans else None
    own_p = models.ownership.run(inputs) if models.ownership is not None and spans else None
    seen: set[str] = set()
    sentences: list[Sentence] = []
    previous_own: float | None = None
    for i, sp in enumerate(spans):
        markers = {c: lex.find(c, sp.text) for c in lex.matchers}
        quantified = bool(
            _NUMBER.search(sp.text)
            or (_ZH_QUANT.search(sp.text) if lang == "zh" else _EN_QUANT.search(sp.text.lower()))
        )
        names = _ZH_NAME.findall(sp.text) if lang == "zh" else _EN_NAME.findall(sp.text)
        quants = _ZH_QUANT.findall(sp.text) if lang == "zh" else _EN_QUANT.findall(sp.text.lower())
        digits = len(_NUMBER.findall(re.sub(r"\d+", "0", sp.text)))
        specifics = min(3, digits + len(quants) + len(markers["time"]) + len(names))
        if star_p is not None and models.star is not None:
            star = {lab: float(star_p[i][j]) for j, lab in enumerate(models.star.labels)}
        else:
            star = _rule_star(sp.text, lex, quantified)
        if own_p is not None and models.ownership is not None:
            model_own = float(own_p[i][models.ownership.labels.index("own")])
            own = _blend_own(model_own, sp.text, lang, previous_own)
        else:
            own = _rule_own(sp.text, lang)
        previous_own = own
        key = _dedupe_key(sp.text)
        dup = key in seen or len(key) < 2
        seen.add(key)
        sentences.append(
            Sentence(
                i,
                sp.start,
                sp.end,
                sp.text,
                inputs[i],
                star,
                own,
                quantified,
                specifics,
                markers,
                dup,
            )
        )
    analysis = AnswerAnalysis(answer, sentences, {}, notes)
    analysis.features = _features(analysis)
    if models.similarity is not None and sentences:
        mat = models.similarity.run([s.model_text for s in sentences])
        analysis.sentence_vectors = mat
        keep = [s.index for s in analysis.unique if s.substantive > 0.3] or [
            s.index for s in analysis.unique
        ]
        if keep:
            v = mat[keep].sum(axis=0)
            norm = float(np.linalg.norm(v))
            analysis.sim_vector = v / norm if norm > 0 else v
    return analysis


def _features(a: AnswerAnalysis) -> dict[str, float]:
    uniq = a.unique
    f: dict[str, float] = {"sentences": float(len(a.sentences)), "unique": float(len(uniq))}
    # Every finding is weighted by how substantive its sentence is (1 - P(other)), so chat and
    # filler that the models half-read as actions, results or reflection add (almost) nothing.
    for part in (*STAR_PARTS, "reflection"):
        f[f"star_{part}"] = max(
            (soft(s.star.get(part, 0.0)) * s.substantive for s in uniq), default=0.0
        )
    f["star_other"] = max((soft(s.star.get("other", 0.0)) for s in uniq), default=0.0)
    acts = [
        ((soft(s.star.get("action", 0.0)) + 0.5 * soft(s.star.get("task", 0.0))) * s.substantive, s)
        for s in uniq
    ]
    n_own = sum(w * s.own for w, s in acts)
    n_team = sum(w * (1 - s.own) for w, s in acts)
    f["n_own"], f["n_team"] = n_own, n_team
    f["own"] = _saturate(n_own, 1.0)
    f["own_share"] = n_own / (n_own + n_team) if n_own + n_team > 0.2 else 0.0
    n_res = sum(
        soft(s.star.get("result", 0.0)) * (1.0 if s.quantified else 0.3) * s.substantive
        for s in uniq
    )
    f["n_result"] = n_res
    f["result"] = _saturate(n_res, 0.8)
    sub = [s for s in uniq if s.substantive >= 0.5]
    f["specific"] = _saturate(sum(s.specifics * s.substantive for s in sub), 4.0)
    n_dec = sum(min(2, len(s.markers["decision"])) * s.substantive for s in sub)
    f["decision"] = _saturate(n_dec / 2, 1.2)
    n_refl = sum(
        max(sharp(s.star.get("reflection", 0.0)), 0.7 if s.markers["reflection"] else 0.0)
        * s.substantive
        for s in uniq
    )
    f["reflection"] = _saturate(n_refl, 1.0)
    n_scope = sum(
        (min(1, len(s.markers["scope"])) + min(1, len(s.markers["multiple"]))) * s.substantive
        for s in sub
    )
    f["scope"] = _saturate(n_scope, 1.5)
    f["structure"] = _saturate(sum(len(s.markers["structure"]) * s.substantive for s in uniq), 3.0)
    # Blaming others or circumstances: the level-2 behaviour of every bundled anchor set.
    f["blame"] = float(sum(min(1, len(s.markers["blame"])) for s in uniq))
    star = 0.2 * f["star_situation"] + 0.15 * f["star_task"] + 0.35 * f["star_action"]
    f["star"] = star + 0.3 * f["star_result"]
    # Share of the substantive sentences that are plans ("I would…") rather than past events.
    weight = sum(s.substantive for s in uniq)
    hyp = sum(s.substantive for s in uniq if s.markers["hypothetical"])
    f["hypothetical"] = hyp / weight if weight > 0 else 0.0
    n = max(1, len(a.sentences))
    # Filler share counts repeats as filler too, so padding can only lower the level.
    filler = sum(1.0 - s.substantive for s in a.sentences)
    buzz = sum(min(2, len(s.markers["vague"])) for s in a.sentences)
    hedge = sum(min(1, len(s.markers["hedge"])) for s in a.sentences)
    f["vague"] = min(1.0, (filler + 0.5 * buzz + 0.5 * hedge) / n)
    return f
