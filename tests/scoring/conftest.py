"""Shared scorers: job profiles and models load once per test session (jieba takes ~1.4 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.jobprofile import JobProfile, load_profile
from app.scoring.models import ScoringModels, load_models, models_dir
from app.scoring.scorer import Scorer

REPO = Path(__file__).resolve().parents[2]
JOBS = sorted(p.stem for p in (REPO / "resources/jobs").glob("*.yaml"))


@pytest.fixture(scope="session")
def profiles() -> dict[str, JobProfile]:
    return {j: load_profile(REPO / "resources/jobs" / f"{j}.yaml") for j in JOBS}


@pytest.fixture(scope="session")
def models() -> ScoringModels:
    m = load_models(models_dir())
    assert not m.notes, m.notes  # the shipped models must load
    return m


@pytest.fixture(scope="session")
def scorers(profiles: dict[str, JobProfile], models: ScoringModels) -> dict[str, Scorer]:
    return {j: Scorer(p, models) for j, p in profiles.items()}
