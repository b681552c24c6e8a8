"""Camera/voice cues as observations; a capped "delivery" dimension only where a profile allows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Signals the pipeline may report. None of them is turned into an emotion or personality label.
OBSERVABLE = (
    "speaking_rate",  # words (en) or characters (zh) per minute
    "pause_ratio",  # share of answer time in pauses
    "gaze_at_camera",
    "smiling",
    "hand_near_face",
    "face_visible",
)
DELIVERY_CAP = 0.10  # the most a delivery dimension may weigh in any profile


@dataclass(frozen=True)
class CuePolicy:
    """What a compliance profile lets the cues do."""

    name: str
    show: bool
    delivery_allowed: bool
    delivery_weight: float = 0.0


POLICIES = {
    "strict": CuePolicy("strict", show=True, delivery_allowed=False),
    "consented-nonverbal": CuePolicy(
        "consented-nonverbal", show=True, delivery_allowed=True, delivery_weight=DELIVERY_CAP
    ),
}


@dataclass
class CueReport:
    observations: dict[str, dict[str, float]]
    delivery: dict[str, Any] | None
    note: str
    ignored: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "observations": self.observations,
            "delivery": self.delivery,
            "note": self.note,
            "ignored": self.ignored,
        }


def cue_report(
    samples: Iterable[tuple[str, int, float]],
    profile: str = "strict",
    cue_consent: bool = False,
) -> CueReport:
    """Summarise (signal, t_ms, value) samples; score delivery only if profile AND consent allow."""
    policy = POLICIES.get(profile, POLICIES["strict"])
    acc: dict[str, list[float]] = {}
    ignored: set[str] = set()
    for signal, _t, value in samples:
        if signal not in OBSERVABLE:
            ignored.add(signal)  # e.g. an "emotion" stream: never stored or shown
            continue
        acc.setdefault(signal, []).append(float(value))
    obs = {
        k: {"mean": round(sum(v) / len(v), 3), "n": float(len(v))} for k, v in sorted(acc.items())
    }
    if not policy.delivery_allowed:
        return CueReport(
            obs, None, f"profile '{policy.name}': cues are observations only", sorted(ignored)
        )
    if not cue_consent:
        return CueReport(
            obs,
            None,
            "no separate consent for camera/voice cues: observations only",
            sorted(ignored),
        )
    level = _delivery_level(obs)
    if level is None:
        return CueReport(
            obs, None, "not enough speech signals for a delivery dimension", sorted(ignored)
        )
    weight = min(policy.delivery_weight, DELIVERY_CAP)
    return CueReport(
        obs,
        {
            "label": "delivery (speech pace and pauses; not a personality or emotion judgement)",
            "level": level,
            "weight": weight,
        },
        f"profile '{policy.name}' with consent: delivery weighs at most {weight:.0%}",
        sorted(ignored),
    )


def _delivery_level(obs: dict[str, dict[str, float]]) -> float | None:
    """Only speech pace and pauses (content-adjacent, observable); gaze/smile never count."""
    rate = obs.get("speaking_rate", {}).get("mean")
    pauses = obs.get("pause_ratio", {}).get("mean")
    if rate is None and pauses is None:
        return None
    score = 7.0
    if rate is not None and not 80 <= rate <= 320:
        score -= 2.0
    if pauses is not None and pauses > 0.4:
        score -= 2.0
    return score
