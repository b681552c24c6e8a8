"""Tailored probes (résumé projects, round-1 notes, past training) and career-plan alignment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.domain import CareerTrack
from app.core.jobprofile import Competency, JobProfile
from app.scoring.lexicon import load_lexicons, matcher
from app.scoring.text import norm_lang, sentence_spans

MAX_TAILORED = 5
_LEAD_ZH = ("负责", "主导", "牵头", "负责人", "owner")
_LEAD_EN = ("lead", "led", "owner", "head", "responsible", "manager")


@dataclass(frozen=True)
class CandidateBrief:
    """What the interviewer knows before round two (from the résumé and round one)."""

    projects: Sequence[dict[str, Any]] = ()
    round1_notes: str = ""
    past_training: Sequence[str] = ()
    career_goal: str = ""


@dataclass(frozen=True)
class TailoredProbe:
    """A probe for this candidate, attached to a competency; never part of the common core."""

    competency: str
    source: str  # project | round1 | training
    text: str
    basis: str  # the résumé/notes text it was made from

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": "tailored",
            "competency": self.competency,
            "source": self.source,
            "text": self.text,
            "basis": self.basis,
        }


def _best_competency(profile: JobProfile, text: str, lang: str, exclude: set[str]) -> Competency:
    """The competency whose indicators and name the text touches most (weight breaks ties)."""

    def score(c: Competency) -> float:
        hits = 0.0
        for code in ("zh", "en"):
            hits += len(matcher(c.indicators.get(code), code).find(text))
            hits += 2 * len(matcher([c.name.get(code)], code).find(text))
            words = [w for p in c.indicators.get(code) for w in p.split() if len(w) >= 2]
            hits += 0.3 * sum(1 for w in set(words) if code == "zh" and len(w) >= 2 and w in text)
        return hits + c.weight * 0.5 - (5.0 if c.id in exclude else 0.0)

    return max(profile.competencies, key=score)


def tailored_probes(
    profile: JobProfile, brief: CandidateBrief, lang: str, limit: int = MAX_TAILORED
) -> list[TailoredProbe]:
    """Bounded probes from the candidate's own material, at most one per project or note."""
    zh = lang.startswith("zh")
    out: list[TailoredProbe] = []
    used: set[str] = set()
    for proj in list(brief.projects)[:3]:
        name = str(proj.get("name", "")).strip()
        if not name:
            continue
        role = str(proj.get("role", ""))
        outcome = str(proj.get("outcome", "")).strip()
        c = _best_competency(profile, f"{name} {role} {outcome}", lang, used)
        used.add(c.id)
        led = any(k in role.lower() for k in (_LEAD_ZH if zh else _LEAD_EN)) or any(
            k in role for k in _LEAD_ZH
        )
        cname = c.name.get(lang)
        if zh:
            text = (
                f"在你{'负责' if led else '参与'}的「{name}」项目中，你在{cname}方面具体做了什么？"
            )
            text += f"「{outcome}」这个结果是怎么得来的？" if outcome else "结果如何？"
            if not led:
                text += "其中哪些部分是你本人完成的？"
        else:
            text = (
                f"On the {name} project you {'led' if led else 'worked on'}, what exactly did you "
                f"do for {cname.lower()}? "
            )
            text += f"How did you get to '{outcome}'?" if outcome else "What was the result?"
            if not led:
                text += " Which parts were yours?"
        out.append(TailoredProbe(c.id, "project", text, f"{name} ({role}) {outcome}".strip()))
    lex = load_lexicons()
    note_lang = norm_lang(None, brief.round1_notes) if brief.round1_notes.strip() else lang
    for sp in sentence_spans(brief.round1_notes, note_lang):
        if not lex[note_lang].find("weakness", sp.text):
            continue
        c = _best_competency(profile, sp.text, note_lang, used)
        used.add(c.id)
        note = sp.text.strip("。.；; ")
        text = (
            f"一面反馈提到「{note}」。请讲一个能体现你{c.name.zh}的具体例子：你本人做了什么，结果如何？"
            if zh
            else f'Round one noted: "{note}". Give a specific example of your '
            f"{c.name.en.lower()}: what did you do yourself, and what was the result?"
        )
        out.append(TailoredProbe(c.id, "round1", text, sp.text))
    for course in list(brief.past_training)[:2]:
        c = _best_competency(profile, course, lang, set())
        text = (
            f"你参加过「{course}」，之后在工作中具体用到了哪些？带来了什么变化？"
            if zh
            else f"You took '{course}'. What have you applied from it at work, and what changed?"
        )
        out.append(TailoredProbe(c.id, "training", text, course))
    return out[:limit]


@dataclass
class CareerAlignment:
    job_track: str
    stated: str  # management | specialist | mixed | unknown
    aligned: bool | None
    quotes: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_track": self.job_track,
            "stated": self.stated,
            "aligned": self.aligned,
            "quotes": self.quotes,
            "note": self.note,
        }


def career_alignment(profile: JobProfile, statements: Sequence[tuple[str, str]]) -> CareerAlignment:
    """Compare the candidate's stated direction with the job's career track.

    `statements` are (source, text) pairs, e.g. ("career_goal", ...), ("answer q11", ...).
    """
    lex = load_lexicons()
    mgmt = spec = 0.0
    quotes: list[dict[str, Any]] = []
    for source, text in statements:
        lang = norm_lang(None, text)
        for sp in sentence_spans(text, lang):
            m = lex[lang].find("management", sp.text)
            s = lex[lang].find("specialist", sp.text)
            if m or s:
                mgmt += math.tanh(len(m))
                spec += math.tanh(len(s))
                quotes.append(
                    {
                        "source": source,
                        "quote": sp.text,
                        "start": sp.start,
                        "end": sp.end,
                        "unit": "char",
                        "direction": "management" if len(m) >= len(s) else "specialist",
                        "markers": m + s,
                    }
                )
    if mgmt == 0 and spec == 0:
        stated = "unknown"
    elif mgmt > 0 and spec > 0 and min(mgmt, spec) / max(mgmt, spec) >= 0.5:
        stated = "mixed"
    else:
        stated = "management" if mgmt > spec else "specialist"
    track = profile.career_track
    aligned: bool | None
    if stated == "unknown":
        aligned, note = None, "no stated direction found; ask about the next three to five years"
    elif track == CareerTrack.MIXED or stated == "mixed":
        aligned, note = (
            True,
            "the job allows both directions"
            if track == CareerTrack.MIXED
            else ("the candidate wants both; the job leans one way"),
        )
    else:
        aligned = stated == track.value
        note = (
            "matches the job's path"
            if aligned
            else (f"the candidate leans {stated}, the job's path is {track.value}")
        )
    return CareerAlignment(track.value, stated, aligned, quotes, note)
