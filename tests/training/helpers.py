"""Builders shared by the training tests: plan inputs from the bundled profiles."""

from __future__ import annotations

import datetime as dt

from app.context import bundled_profiles_dir
from app.core.jobprofile import JobProfile, load_profile
from app.training.plan import Bilingual, CompetencyBaseline, Evidence, PlanInput

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
START = dt.date(2026, 11, 30)  # a Monday


def profile(job: str = "risk-control-analyst") -> JobProfile:
    return load_profile(bundled_profiles_dir() / f"{job}.yaml")


def plan_input(
    levels: dict[str, float],
    bars: dict[str, int] | None = None,
    job: str = "risk-control-analyst",
    evidence: dict[str, list[Evidence]] | None = None,
) -> PlanInput:
    """The job's competencies with these interview levels (and optionally other bars)."""
    p = profile(job)
    bars = bars or {}
    comps = [
        CompetencyBaseline(
            key=c.id,
            name_zh=c.name.zh,
            name_en=c.name.en,
            category=c.category.value,
            weight=c.weight,
            required_level=bars.get(c.id, c.required_level),
            level=levels.get(c.id),
            anchors={str(k): Bilingual(zh=v.zh, en=v.en) for k, v in c.anchors.items()},
        )
        for c in p.competencies
    ]
    return PlanInput(
        candidate_name="周子涵",
        job_slug=p.id,
        job_title=Bilingual(zh=p.title.zh, en=p.title.en),
        session_id=None,
        language="zh",
        competencies=comps,
        evidence=evidence or {},
        interviewed_at=NOW - dt.timedelta(days=3),
    )


# The example on the risk-control analyst job: data analysis 7.0 vs 8.0,
# communication 8.5 vs 8.0 and culture fit 75 % (values-fit 6 against a bar of 8);
# everything else exactly at its bar.
SEED_BARS = {"communication": 8, "values-fit": 8}


def seed_levels() -> dict[str, float]:
    p = profile()
    levels = {c.id: float(SEED_BARS.get(c.id, c.required_level)) for c in p.competencies}
    levels.update({"data-analysis": 7.0, "communication": 8.5, "values-fit": 6.0})
    return levels
