from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.context import open_context
from app.samples import load_sample_interview
from app.storage import queries


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def test_interviews_filter_by_job_and_day(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        rows = queries.interviews(s)
        assert [r.session_id for r in rows] == [sid]
        assert rows[0].candidate_name == "林晓雯"
        assert queries.interviews(s, job_slug="retail-store-manager") == []
        day = rows[0].scheduled_at.astimezone(dt.UTC).date()
        assert len(queries.interviews(s, day=day, tz=dt.UTC)) == 1
        assert queries.interviews(s, day=day + dt.timedelta(days=1), tz=dt.UTC) == []


def test_candidate_detail(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        row = queries.interviews(s)[0]
        d = queries.candidate_detail(s, row.candidate_id)
    assert d.school == "浙江大学" and "SQL" in d.skills
    assert d.applications[0]["round1_passed"] is True
    assert d.applications[0]["profile"].id == "internet-product-manager"
