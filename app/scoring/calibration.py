"""Agreement of AI suggestions with interviewer ratings, and per-job re-weighting from it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from app.scoring.scorer import Weights

# Re-weighting trusts the data in proportion n / (n + SHRINK): with few ratings it stays near
# the default rule.
SHRINK = 10.0


def _ranks(x: Sequence[float]) -> np.ndarray[Any, np.dtype[np.float64]]:
    a = np.asarray(x, dtype=np.float64)
    order = np.argsort(a, kind="mergesort")
    ranks = np.empty(len(a), dtype=np.float64)
    ranks[order] = np.arange(1, len(a) + 1, dtype=np.float64)
    for v in np.unique(a):  # ties share their mean rank
        idx = a == v
        ranks[idx] = ranks[idx].mean()
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho with tie correction; None when it is undefined (n < 3 or no spread)."""
    if len(x) != len(y):
        raise ValueError("spearman needs two sequences of the same length")
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def icc_2_1(ratings: Sequence[Sequence[float]]) -> float | None:
    """ICC(2,1), two-way random effects, absolute agreement, single rater (Shrout & Fleiss)."""
    m = np.asarray(ratings, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] < 2 or m.shape[1] < 2:
        return None
    n, k = m.shape
    grand = m.mean()
    msr = k * ((m.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msc = n * ((m.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    sse = ((m - m.mean(axis=1, keepdims=True) - m.mean(axis=0, keepdims=True) + grand) ** 2).sum()
    mse = sse / ((n - 1) * (k - 1))
    denom = msr + (k - 1) * mse + k * (msc - mse) / n
    if denom <= 0:
        return None
    return float((msr - mse) / denom)


@dataclass(frozen=True)
class Pair:
    """One competency of one interview: the AI's suggestion and the interviewers' final level."""

    competency: str
    ai: float
    human: float


@dataclass(frozen=True)
class Agreement:
    competency: str
    n: int
    spearman: float | None
    icc: float | None
    exact: float
    adjacent: float
    mean_difference: float  # AI minus interviewer

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in d.items()}


def agreement(competency: str, pairs: Sequence[Pair]) -> Agreement:
    ai = [p.ai for p in pairs]
    hu = [p.human for p in pairs]
    diffs = [round(a) - round(h) for a, h in zip(ai, hu, strict=True)]
    n = len(pairs)
    return Agreement(
        competency,
        n,
        spearman(ai, hu),
        icc_2_1([[a, h] for a, h in zip(ai, hu, strict=True)]),
        sum(1 for d in diffs if d == 0) / n if n else 0.0,
        sum(1 for d in diffs if abs(d) <= 1) / n if n else 0.0,
        float(np.mean([a - h for a, h in zip(ai, hu, strict=True)])) if n else 0.0,
    )


def calibration_report(pairs: Iterable[Pair]) -> dict[str, Agreement]:
    """Agreement per competency, plus '*' over all of them."""
    items = list(pairs)
    by: dict[str, list[Pair]] = {}
    for p in items:
        by.setdefault(p.competency, []).append(p)
    out = {k: agreement(k, v) for k, v in sorted(by.items())}
    if items:
        out["*"] = agreement("*", items)
    return out


def reweight(pairs: Iterable[Pair], base: Weights | None = None) -> dict[str, Weights]:
    """Per-competency weights that map the AI's levels onto the interviewers' on average.

    A least-squares line human = a + b * ai per competency, shrunk towards the identity by
    n / (n + SHRINK), is folded into the rule's final linear map (scale and shift).
    """
    w0 = base or Weights()
    by: dict[str, list[Pair]] = {}
    for p in pairs:
        by.setdefault(p.competency, []).append(p)
    out: dict[str, Weights] = {}
    for key, items in sorted(by.items()):
        x = np.array([p.ai for p in items])
        y = np.array([p.human for p in items])
        if len(items) >= 3 and x.std() > 0:
            b, a = np.polyfit(x, y, 1)
        else:
            a, b = float(np.mean(y - x)) if len(items) else 0.0, 1.0
        t = len(items) / (len(items) + SHRINK)
        b = 1.0 + t * (float(b) - 1.0)
        a = t * float(a)
        b = float(min(2.0, max(0.5, b)))
        out[key] = replace(w0, scale=w0.scale * b, shift=w0.shift * b + a)
    return out


def job_weights_path(home: Path, job_id: str) -> Path:
    """Where `roundtwo score` looks for a job's calibrated weights."""
    return home / "scoring" / f"weights-{job_id}.json"


def save_weights(path: Path, default: Weights, per: dict[str, Weights]) -> None:
    data = {"default": asdict(default), "competencies": {k: asdict(v) for k, v in per.items()}}
    tmp = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
