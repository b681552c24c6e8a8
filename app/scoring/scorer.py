"""Per-competency suggestions: a BARS level 0-10 or "insufficient evidence", with quotes."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.core.errors import InvalidInputError, NotFoundError
from app.core.jobprofile import Competency, JobProfile
from app.scoring.evidence import AnswerAnalysis, AnswerInput, Evidence, Sentence, analyse
from app.scoring.lexicon import matcher
from app.scoring.models import ScoringModels, default_models
from app.scoring.text import model_input, norm_lang, sentence_spans

SCORER_VERSION = "scoring-1"
MAX_EVIDENCE = 8


@dataclass(frozen=True)
class Weights:
    """The few tunable numbers of the level rule (see `level_from`), per job if calibrated.

    The rule follows the BARS ladder shared by the bundled jobs: a concrete personal case
    lifts an answer towards 5, a complete case with a decision and a measured result towards 8,
    repeated practice, mechanisms and reflection towards 10.
    """

    concrete: float = 4.0
    depth: float = 3.0
    mastery: float = 2.0
    relevance: float = 0.2
    vague: float = 1.5
    counter: float = 1.0
    offset: float = 2.0
    # The only numbers fitted to graded answers (the "tune" split of resources/eval): a
    # linear map of the rule's output onto the graders' scale. Ranking does not depend on it.
    scale: float = 1.1
    shift: float = 0.45

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "weights") -> Weights:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInputError(f"{source}: unknown weight fields {unknown}.")
        try:
            return cls(**{k: float(v) for k, v in data.items()})
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"{source}: weights must be numbers ({exc}).") from exc


@dataclass
class Suggestion:
    competency: str
    level: int | None  # None = insufficient evidence
    score: float  # the unrounded level, for ranking and calibration
    confidence: float
    evidence: list[Evidence]
    features: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def insufficient(self) -> bool:
        return self.level is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "competency": self.competency,
            "level": self.level,
            "insufficient_evidence": self.level is None,
            "score": round(self.score, 2),
            "confidence": round(self.confidence, 2),
            "evidence": [e.to_dict() for e in self.evidence],
            "features": {k: round(v, 3) for k, v in sorted(self.features.items())},
            "notes": self.notes,
        }


@dataclass
class AnswerScore:
    answer_id: str
    question_id: str | None
    lang: str
    suggestions: dict[str, Suggestion]
    star: dict[str, float]
    analysis: AnswerAnalysis

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.answer_id,
            "question_id": self.question_id,
            "lang": self.lang,
            "star": {k: round(v, 2) for k, v in self.star.items()},
            "suggestions": {k: s.to_dict() for k, s in self.suggestions.items()},
            "notes": self.analysis.model_notes,
        }


@dataclass
class _CompetencyTexts:
    indicators: Any
    counters: Any
    # Distinctive words of the indicator phrases -> the phrase, for partial matches
    # ("访谈了24位会员" shows 用户访谈 in part).
    words: dict[str, str]
    vector: np.ndarray[Any, np.dtype[np.float32]] | None
    anchors: list[tuple[int, np.ndarray[Any, np.dtype[np.float32]]]]


def level_from(f: Mapping[str, float], w: Weights) -> float:
    """The level rule: a few principled features, each in 0..1, on the BARS ladder.

    Behavioural questions ask for a past case: plans ("I would…") are not one. Situational
    questions ask for a plan: there is no result to report, so the plan's steps and decisions
    carry the depth instead. The e_* emphases come from the competency's own high anchors.
    """
    situational = f.get("situational", 0.0) >= 0.5
    hyp = 0.0 if situational else f.get("hypothetical", 0.0)
    concrete = f["own"] * (0.4 + 0.6 * f["specific"]) * (1.0 - hyp)
    e_res, e_dec = f.get("e_result", 1.0), f.get("e_decision", 1.0)
    e_refl, e_scope = f.get("e_reflection", 1.0), f.get("e_scope", 1.0)
    if situational:
        plan = (0.2 * f["star_situation"] + 0.15 * f["star_task"] + 0.35 * f["star_action"]) / 0.7
        depth = (e_dec * f["decision"] + plan + f["specific"] + f["structure"]) / (e_dec + 3.0)
    else:
        depth = (e_res * f["result"] + e_dec * f["decision"] + f["star"]) / (e_res + e_dec + 1.0)
    mastery = (e_refl * f["reflection"] + e_scope * f["scope"]) / (e_refl + e_scope)
    gate = 0.5 + 0.5 * concrete  # depth and mastery count fully only with a concrete case
    raw = w.offset + w.concrete * concrete + (w.depth * depth + w.mastery * mastery) * gate
    raw *= 1.0 - w.relevance + w.relevance * f["relevance"]
    raw -= w.vague * f["vague"]
    raw -= w.counter * min(3.0, f["counter"] + f.get("blame", 0.0))
    return float(min(10.0, max(0.0, w.shift + w.scale * raw)))


class Scorer:
    """Scores answers against one job profile. Thread-safe for concurrent `score` calls."""

    def __init__(
        self,
        profile: JobProfile,
        models: ScoringModels | None = None,
        weights: Weights | None = None,
        per_competency: Mapping[str, Weights] | None = None,
    ) -> None:
        self.profile = profile
        self.models = models if models is not None else default_models()
        self.weights = weights or Weights()
        self.per_competency = dict(per_competency or {})
        self._questions = {q.id: q for q in profile.questions}
        self._emphasis = {c.id: _anchor_emphasis(c) for c in profile.competencies}
        self._question_vectors: dict[tuple[str, str], np.ndarray[Any, np.dtype[np.float32]]] = {}
        if self.models.similarity is not None:
            for q in profile.questions:
                for lang in ("zh", "en"):
                    text = " ".join([q.text.get(lang), *[p.get(lang) for p in q.probes]])
                    self._question_vectors[(q.id, lang)] = self.models.similarity.run(
                        [_doc(text, lang)]
                    )[0]
        self._texts: dict[tuple[str, str], _CompetencyTexts] = {}
        self._distinctive = self._distinctive_words()
        for c in profile.competencies:
            for lang in ("zh", "en"):
                self._texts[(c.id, lang)] = self._competency_texts(c, lang)

    def _competency_texts(self, c: Competency, lang: str) -> _CompetencyTexts:
        other = "en" if lang == "zh" else "zh"
        # Chinese answers often use the English terms (AB测试, SQL, NPS): match both lists.
        phrases = c.indicators.get(lang) + (
            [p for p in c.indicators.get(other) if p.isascii()] if lang == "zh" else []
        )
        vec = None
        anchors: list[tuple[int, np.ndarray[Any, np.dtype[np.float32]]]] = []
        sim = self.models.similarity
        if sim is not None:
            bag = [c.definition.get(lang), " ".join(c.indicators.get(lang))]
            bag += [a.get(lang) for lv, a in c.anchors.items() if lv >= 5]
            texts = [_doc(t, lang) for t in bag]
            mat = sim.run([" ".join(texts)])
            vec = mat[0]
            levels = sorted(c.anchors)
            amat = sim.run([_doc(c.anchors[lv].get(lang), lang) for lv in levels])
            anchors = [(lv, amat[i]) for i, lv in enumerate(levels)]
        return _CompetencyTexts(
            matcher(phrases, lang),
            matcher(c.counter_indicators.get(lang), lang),
            self._distinctive.get((c.id, lang), {}),
            vec,
            anchors,
        )

    def _distinctive_words(self) -> dict[tuple[str, str], dict[str, str]]:
        """Indicator words used by at most two of the job's competencies (distinctive ones)."""
        out: dict[tuple[str, str], dict[str, str]] = {}
        for lang in ("zh", "en"):
            per: dict[str, dict[str, str]] = {}
            for c in self.profile.competencies:
                words: dict[str, str] = {}
                for phrase in c.indicators.get(lang):
                    for w in _phrase_words(phrase, lang):
                        words.setdefault(w, phrase)
                per[c.id] = words
            counts: dict[str, int] = {}
            for words in per.values():
                for w in words:
                    counts[w] = counts.get(w, 0) + 1
            for cid, words in per.items():
                out[(cid, lang)] = {w: p for w, p in words.items() if counts[w] <= 2}
        return out

    def question_competencies(self, question_id: str | None) -> list[str]:
        if question_id is None:
            return [c.id for c in self.profile.competencies]
        q = self._questions.get(question_id)
        if q is None:
            raise NotFoundError(
                f"Job {self.profile.id} has no question '{question_id}' "
                f"(known: {', '.join(self._questions)})."
            )
        return list(q.competencies)

    def weights_for(self, competency: str) -> Weights:
        return self.per_competency.get(competency, self.weights)

    def score(self, answer: AnswerInput, competencies: Iterable[str] | None = None) -> AnswerScore:
        """Evidence and a suggestion for each competency (default: the question's targets)."""
        keys = list(competencies) if competencies is not None else None
        if keys is None:
            keys = self.question_competencies(answer.question_id)
        else:
            for k in keys:
                self.profile.competency(k)  # raises NotFoundError naming the competency
        answer = replace(answer, lang=norm_lang(answer.lang, answer.text))
        analysis = analyse(answer, self.models)
        out = {k: self._suggest(analysis, self.profile.competency(k)) for k in keys}
        return AnswerScore(
            answer.id, answer.question_id, answer.lang, out, analysis.star_presence(), analysis
        )

    def _suggest(self, a: AnswerAnalysis, c: Competency) -> Suggestion:
        lang = a.answer.lang
        ct = self._texts[(c.id, lang)]
        f = dict(a.features)
        ev: list[tuple[float, Evidence]] = []
        hits: set[str] = set()
        partial: set[str] = set()
        counters = 0
        for s in a.unique:
            if s.substantive < 0.5:
                continue
            found = ct.indicators.find(s.text)
            new = [h for h in found if h not in hits]
            hits.update(found)
            toks = set(_sentence_words(s.model_text, lang))
            part = {ct.words[w] for w in toks if w in ct.words} - hits - partial
            partial.update(part)
            if new or part:
                detail = ", ".join(new + [f"~{p}" for p in sorted(part)])
                ev.append(
                    (1.0 + len(new) + 0.5 * len(part), a.evidence_for(s, "indicator", detail))
                )
        partial -= hits
        for s in a.unique:
            bad = ct.counters.find(s.text)
            if bad:
                counters += len(bad)
                ev.append((3.0, a.evidence_for(s, "counter-indicator", ", ".join(bad))))
        n_hits = len(hits) + 0.5 * len(partial)
        f["indicator_hits"] = float(n_hits)
        f["counter"] = float(counters)
        rel_ind = 1.0 - math.exp(-n_hits / 2.0)
        rel_sim = 0.0
        notes: list[str] = []
        if ct.vector is not None and a.sim_vector is not None:
            cos = float(np.dot(ct.vector, a.sim_vector))
            f["similarity"] = cos
            rel_sim = min(1.0, cos / 0.25)
            best = _closest_anchor(a, ct)
            if best is not None:
                lv, s, score = best
                f["closest_anchor"] = float(lv)
                ev.append(
                    (
                        0.5,
                        a.evidence_for(
                            s, "anchor", f"closest BARS anchor: level {lv} ({score:.2f})"
                        ),
                    )
                )
        else:
            notes.append("anchor similarity unavailable (model missing): indicators only")
        qvec = self._question_vectors.get((a.answer.question_id or "", lang))
        if qvec is not None and a.sim_vector is not None:
            f["question_similarity"] = float(np.dot(qvec, a.sim_vector))
        f["relevance"] = max(rel_ind, 0.5 * (rel_ind + rel_sim))
        q = self._questions.get(a.answer.question_id or "")
        f["situational"] = 1.0 if q is not None and q.kind.value == "situational" else 0.0
        f.update(self._emphasis[c.id])
        ev += _answer_evidence(a)
        w = self.weights_for(c.id)
        score = level_from(f, w)
        ev.sort(key=lambda x: -x[0])
        evidence = _unique_evidence([e for _, e in ev])[:MAX_EVIDENCE]
        substantive = (
            f["n_own"] + f["n_team"] >= 0.6 or f["n_result"] >= 0.3 or hits or counters > 0
        )
        level: int | None = round(score)
        if not evidence or not substantive or f["unique"] < 1:
            level = None
            notes.append("insufficient evidence: no concrete statement bears on this competency")
        conf = 0.2 + 0.45 * (1 - math.exp(-len(evidence) / 4.0)) + 0.2 * f["relevance"]
        conf += 0.1 * _certainty(a)
        if a.model_notes:
            conf -= 0.15
        if level is None:
            conf = min(conf, 0.5)
        return Suggestion(c.id, level, score, float(min(0.95, max(0.05, conf))), evidence, f, notes)


_EN_STOP = frozenset(
    [
        "with",
        "from",
        "that",
        "this",
        "have",
        "their",
        "about",
        "into",
        "over",
        "under",
        "than",
        "then",
        "they",
        "them",
        "were",
        "what",
        "when",
        "which",
        "while",
        "would",
        "could",
        "should",
        "your",
        "team",
        "data",
        "user",
        "users",
        "work",
        "made",
        "make",
    ]
)


def _stem_word(w: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def _phrase_words(phrase: str, lang: str) -> list[str]:
    toks = model_input(phrase, lang).split()[1:]
    if lang == "zh":
        return [t for t in toks if len(t) >= 2 and not t.isascii()]
    return [_stem_word(t) for t in toks if len(t) >= 4 and t not in _EN_STOP]


def _sentence_words(model_text: str, lang: str) -> list[str]:
    toks = model_text.split()[1:]
    return toks if lang == "zh" else [_stem_word(t) for t in toks]


_RESULT_WORDS = ("量化", "数字", "结果", "效果", "quantif", "figure", "result", "outcome", "%")


def _anchor_emphasis(c: Competency) -> dict[str, float]:
    """What this competency's top anchors (8 and 10) ask for, from their own wording: each
    element the anchors name weighs 1 to 2 in the depth and mastery averages."""
    from app.scoring.lexicon import load_lexicons

    lex = load_lexicons()
    counts = {"e_result": 0, "e_decision": 0, "e_reflection": 0, "e_scope": 0}
    for lv, text in c.anchors.items():
        if lv < 8:
            continue
        for lang in ("zh", "en"):
            t = text.get(lang)
            counts["e_result"] += sum(1 for wd in _RESULT_WORDS if wd in t.lower())
            counts["e_decision"] += len(lex[lang].find("decision", t))
            counts["e_reflection"] += len(lex[lang].find("reflection", t))
            counts["e_scope"] += len(lex[lang].find("scope", t)) + len(
                lex[lang].find("multiple", t)
            )
    return {k: 1.0 + min(4, v) / 4.0 for k, v in counts.items()}


def _doc(text: str, lang: str) -> str:
    return " ".join(model_input(s.text, lang) for s in sentence_spans(text, lang))


def _closest_anchor(a: AnswerAnalysis, ct: _CompetencyTexts) -> tuple[int, Sentence, float] | None:
    if not ct.anchors or a.sim_vector is None or a.sentence_vectors is None or not a.unique:
        return None
    sims = [(lv, float(np.dot(vec, a.sim_vector))) for lv, vec in ct.anchors]
    level, score = max(sims, key=lambda x: x[1])
    if score <= 0.05:
        return None
    vec = dict(ct.anchors)[level]
    # The quote shown beside the anchor is the answer's sentence closest to it.
    best = max(a.unique, key=lambda s: float(np.dot(a.sentence_vectors[s.index], vec)))  # type: ignore[index]
    return level, best, score


def _certainty(a: AnswerAnalysis) -> float:
    if not a.unique:
        return 0.0
    return float(np.mean([max(s.star.values()) for s in a.unique]))


def _answer_evidence(a: AnswerAnalysis) -> list[tuple[float, Evidence]]:
    out: list[tuple[float, Evidence]] = []
    for s in a.unique:
        part = s.part
        p = s.star.get(part, 0.0)
        if part == "result" and p >= 0.4:
            kind = "result" if s.quantified else "outcome"
            out.append((3.0 if s.quantified else 1.5, a.evidence_for(s, kind, f"p={p:.2f}")))
        elif part in ("action", "task") and p >= 0.4:
            who = "own" if s.own >= 0.5 else "team"
            detail = f"{part}, {'own action' if who == 'own' else 'team / assisting'} ({s.own:.2f})"
            out.append((2.5 if who == "own" else 1.0, a.evidence_for(s, f"{part}:{who}", detail)))
        elif part == "situation" and p >= 0.5:
            out.append((0.8, a.evidence_for(s, "situation", f"p={p:.2f}")))
        elif part == "reflection" or s.markers["reflection"]:
            out.append((1.5, a.evidence_for(s, "reflection", ", ".join(s.markers["reflection"]))))
        elif part == "other" and s.markers["vague"]:
            out.append((0.6, a.evidence_for(s, "vague", ", ".join(s.markers["vague"]))))
        if s.markers["decision"] and s.substantive >= 0.5:
            out.append((2.0, a.evidence_for(s, "decision", ", ".join(s.markers["decision"]))))
        if (s.markers["scope"] or s.markers["multiple"]) and s.substantive >= 0.5:
            found = s.markers["scope"] + s.markers["multiple"]
            out.append((1.5, a.evidence_for(s, "scope", ", ".join(found))))
    return out


def _unique_evidence(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for e in items:
        key = (e.kind.split(":")[0], e.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def load_weights(path: Path) -> tuple[Weights, dict[str, Weights]]:
    """A calibration file: {"default": {...}, "competencies": {"id": {...}}}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFoundError(f"Weights file {path} does not exist.") from exc
    except ValueError as exc:
        raise InvalidInputError(f"{path}: not valid JSON ({exc}).") from exc
    default = Weights.from_dict(data.get("default", {}), str(path))
    per = {
        k: Weights.from_dict({**asdict(default), **v}, f"{path} competencies.{k}")
        for k, v in data.get("competencies", {}).items()
    }
    return default, per
