from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from app.context import open_context
from app.core.compliance import load_compliance_profile
from app.samples import load_sample_interview
from app.storage import repo
from app.storage.retention import sweep
from app.storage.tables import Candidate, Observation, Recording


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def test_strict_drops_cue_features_after_the_session_and_keeps_the_rest(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)  # ended 2026-11-20
    ctx.db.write(
        lambda s: [
            repo.save(
                s, Observation(session_id=sid, t_ms=i * 100, signal="face_visible", value=1.0)
            )
            for i in range(50)
        ]
    )
    strict = load_compliance_profile("strict")  # derived features: 0 days
    now = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    dry = sweep(ctx.db, strict, now=now, dry_run=True)
    assert dry.observation_rows == 50 and dry.candidates == []
    with ctx.db.read() as s:
        assert len(s.exec(select(Observation)).all()) == 50  # a dry run changes nothing
    rep = sweep(ctx.db, strict, now=now)
    assert rep.observation_rows == 50
    with ctx.db.read() as s:
        assert s.exec(select(Observation)).all() == []
        assert len(s.exec(select(Candidate)).all()) == 1


def test_recordings_then_candidates_expire_on_their_own_timers(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    f = ctx.paths.recordings / "old.mkv"
    f.write_bytes(b"x")
    started = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ctx.db.write(
        lambda s: repo.save(
            s, Recording(session_id=sid, path=str(f), started_at=started, ended_at=started)
        )
    )
    prof = load_compliance_profile("consented-nonverbal")  # recordings 180 d, records 365 d
    rep = sweep(ctx.db, prof, now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    assert rep.recordings == [str(f)] and not f.exists() and rep.candidates == []
    with ctx.db.read() as s:
        assert s.exec(select(Recording)).all() == []
    later = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    rep = sweep(ctx.db, prof, now=later)
    assert len(rep.candidates) == 1
    with ctx.db.read() as s:
        assert s.exec(select(Candidate)).all() == []
        assert repo.verify_audit(s) == []
