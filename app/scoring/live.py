"""Live helpers: coverage per competency, STAR completeness and 1-2 probes for what is missing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.scoring.evidence import STAR_PARTS, AnswerInput
from app.scoring.scorer import AnswerScore, Scorer

MAX_PROBES = 2
PRESENT = 0.6  # a STAR part counts as there from this presence on

# What each gap is, the words that show a guide probe asks for it, and a generic fallback.
_GAPS: list[tuple[str, str, str, str]] = [
    (
        "own",
        r"你个人|你自己|你具体|你本人|personally|you yourself|your own|exactly what you",
        "这件事里你自己具体做了什么？哪些是你本人的决定？",
        "What exactly did you do yourself, and which decisions were yours?",
    ),
    (
        "result",
        r"结果|数字|指标|效果|变化了多少|result|figure|metric|number|outcome|how much",
        "最后的结果是什么？有没有可以量化的数字？",
        "What was the result, and can you put a number on it?",
    ),
    (
        "situation",
        r"背景|当时|情况|context|background|situation",
        "能具体说说当时的背景吗？是什么时候、在哪个项目里？",
        "Can you set the scene: when was this, and on which project?",
    ),
    (
        "decision",
        r"取舍|方案|为什么选|权衡|options|why did you choose|trade|instead",
        "当时考虑过哪些方案？你为什么选了这一个？",
        "Which options did you consider, and why did you choose this one?",
    ),
    (
        "reflection",
        r"重来|不同|学到|反思|局限|differently|learn|limitations|looking back",
        "回头看，你会在哪里做得不同？学到了什么？",
        "Looking back, what would you do differently, and what did you learn?",
    ),
]


@dataclass
class LiveStatus:
    question_id: str | None
    star: dict[str, float]
    star_complete: float
    coverage: dict[str, float]
    missing: list[str]
    probes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "star": {k: round(v, 2) for k, v in self.star.items()},
            "star_complete": round(self.star_complete, 2),
            "coverage": {k: round(v, 2) for k, v in self.coverage.items()},
            "missing": self.missing,
            "probes": self.probes,
        }


def live_status(scorer: Scorer, answer: AnswerInput, asked: set[str] | None = None) -> LiveStatus:
    """Coverage and STAR completeness of the answer so far, with up to two follow-up probes.

    `asked` holds probes already put to the candidate, so the same one is not offered twice.
    """
    return status_of(scorer, scorer.score(answer), asked)


def status_of(scorer: Scorer, result: AnswerScore, asked: set[str] | None = None) -> LiveStatus:
    """The live status of an answer already scored (no second scoring pass)."""
    lang = result.lang
    star = result.star
    f = result.analysis.features
    coverage = {}
    for key, s in result.suggestions.items():
        # Coverage = how much usable evidence there is, not how good it is.
        coverage[key] = 0.0 if s.level is None else min(1.0, len(s.evidence) / 5.0)
    missing: list[str] = []
    if f["own"] < 0.5 or f["own_share"] < 0.5:
        missing.append("own")
    if star["result"] < PRESENT or f["result"] < 0.5:
        missing.append("result")
    if star["situation"] < PRESENT:
        missing.append("situation")
    if f["decision"] < 0.3:
        missing.append("decision")
    if f["reflection"] < 0.3:
        missing.append("reflection")
    probes = _probes(scorer, result.question_id, lang, missing, asked or set())
    complete = sum(min(1.0, star[p]) for p in STAR_PARTS) / len(STAR_PARTS)
    return LiveStatus(result.question_id, star, complete, coverage, missing, probes)


def _probes(
    scorer: Scorer, qid: str | None, lang: str, missing: list[str], asked: set[str]
) -> list[str]:
    guide = []
    if qid is not None:
        q = next((x for x in scorer.profile.questions if x.id == qid), None)
        guide = [p.get(lang) for p in q.probes] if q is not None else []
    out: list[str] = []
    for gap in missing:
        spec = next(g for g in _GAPS if g[0] == gap)
        pattern = re.compile(spec[1], re.IGNORECASE)
        # The job's own guide probe for this gap first; the generic one only if it has none.
        own = [p for p in guide if pattern.search(p) and p not in asked and p not in out]
        candidate = own[0] if own else (spec[2] if lang == "zh" else spec[3])
        if candidate not in asked and candidate not in out:
            out.append(candidate)
        if len(out) >= MAX_PROBES:
            break
    return out
