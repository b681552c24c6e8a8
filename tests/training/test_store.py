"""Plans from the stored sample interview: saved with outbox rows, progress, bad references."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from app.context import AppContext, open_context
from app.core.errors import InvalidInputError, NotFoundError
from app.samples import load_sample_interview, read_sample
from app.storage import repo
from app.storage.tables import AISuggestion, Candidate, InterviewSession, OutboxOp, TrainingPlan
from app.training import progress, store
from app.training.plan import PlanOptions
from tests.training.helpers import NOW, START


@pytest.fixture
def ctx(home: Path) -> Iterator[AppContext]:
    c = open_context()
    yield c
    c.close()


def _plan(ctx: AppContext, ref: str, **kw: bool) -> store.StoredPlan:
    return ctx.db.write(lambda s: store.create_or_get_plan(s, ref, PlanOptions(START), NOW, **kw))


def test_plan_from_the_sample_interview_targets_its_teamwork_gap(ctx: AppContext) -> None:
    sid = ctx.db.write(load_sample_interview)
    # An AI suggestion's evidence quote is used as interview evidence too.
    ctx.db.write(
        lambda s: s.add(
            AISuggestion(
                session_id=sid,
                competency_key="teamwork",
                level=5,
                confidence=0.7,
                evidence=[{"quote": "基本上就是按领导的安排来推进", "start_ms": 481000}],
                scorer_version="test-1",
            )
        )
    )
    stored = _plan(ctx, str(sid))
    doc = stored.doc
    assert stored.created
    remedial = [i for i in doc.items if i.kind == "remedial"]
    # Teamwork (5 and 6 from two raters = 5.5 vs bar 7) is the sample's only gap.
    assert remedial and {i.competency_key for i in remedial} == {"teamwork"}
    assert remedial[0].level == 5.5 and remedial[0].required_level == 7
    evidence = [(e.source, e.text) for e in remedial[0].evidence]
    assert ("rating", "跨团队推进的例子缺少本人行动。") in evidence
    assert ("ai", "基本上就是按领导的安排来推进") in evidence
    # The sample's ratings meet the values bar (7 vs 7): no culture items.
    assert "culture" not in {i.kind for i in doc.items}
    assert doc.header.candidate_name == read_sample()["candidate"]["name"]
    with ctx.db.read() as s:
        row = s.get(TrainingPlan, stored.id)
        assert row is not None and row.session_id == sid and row.status == "active"
        ops = s.exec(select(OutboxOp).where(OutboxOp.entity == "trainingplan")).all()
        assert [o.entity_id for o in ops] == [stored.id]


def test_plan_by_candidate_name_reuses_the_plan_and_regenerate_supersedes(ctx: AppContext) -> None:
    sid = ctx.db.write(load_sample_interview)
    name = read_sample()["candidate"]["name"]
    first = _plan(ctx, str(sid))
    again = _plan(ctx, name)
    assert again.id == first.id and not again.created
    new = _plan(ctx, name, regenerate=True)
    assert new.id != first.id and new.created
    with ctx.db.read() as s:
        old = s.get(TrainingPlan, first.id)
        assert old is not None and old.status == "superseded"
        assert store.load_plan(s, name).id == new.id


def test_progress_is_saved_and_synced_and_a_failed_change_saves_nothing(ctx: AppContext) -> None:
    sid = ctx.db.write(load_sample_interview)
    stored = _plan(ctx, str(sid))
    later = NOW + dt.timedelta(days=45)
    updated = ctx.db.write(
        lambda s: store.update_plan(
            s,
            str(stored.id),
            lambda d: progress.record_reassessment(d, "teamwork", 8, later, by="王磊"),
            later,
        )
    )
    assert all(i.status == "closed" for i in updated.doc.items if i.competency_key == "teamwork")

    def bad(d):  # type: ignore[no-untyped-def]
        progress.record_checkin(d, later, by="王磊", note="好")
        progress.record_reassessment(d, "teamwork", 42, later, by="王磊")

    with pytest.raises(InvalidInputError, match="whole BARS level"):
        ctx.db.write(lambda s: store.update_plan(s, str(sid), bad, later))
    with ctx.db.read() as s:
        reloaded = store.load_plan(s, str(sid))
        assert [e.kind for e in reloaded.doc.events] == ["reassessment"]
        ops = s.exec(select(OutboxOp).where(OutboxOp.entity == "trainingplan")).all()
        assert len(ops) == 2 and ops[-1].payload["items"] == reloaded_entries(s, stored.id)


def reloaded_entries(s, plan_id: uuid.UUID):  # type: ignore[no-untyped-def]
    row = s.get(TrainingPlan, plan_id)
    return row.items


@pytest.mark.parametrize(
    "ref",
    ["nobody-by-this-name", str(uuid.UUID(int=7))],
)
def test_unknown_session_or_candidate_is_a_clear_error(ctx: AppContext, ref: str) -> None:
    with pytest.raises(NotFoundError) as err:
        _plan(ctx, ref)
    assert ref in err.value.message
    with ctx.db.read() as s, pytest.raises(NotFoundError):
        store.load_plan(s, ref)


def test_an_interview_without_ratings_cannot_be_planned(ctx: AppContext) -> None:
    def unrated(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, "retail-store-manager")
        cand = Candidate(name="赵一鸣")
        repo.save(s, cand)
        interview = InterviewSession(candidate_id=cand.id, job_id=job.id)
        repo.save(s, interview)
        return interview.id

    sid = ctx.db.write(unrated)
    with pytest.raises(InvalidInputError, match="no interviewer ratings yet"):
        _plan(ctx, "赵一鸣")
    with ctx.db.read() as s:
        assert s.exec(select(TrainingPlan)).all() == []
        assert s.get(InterviewSession, sid) is not None


def test_no_plan_yet_points_to_the_command(ctx: AppContext) -> None:
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s, pytest.raises(NotFoundError, match="roundtwo training plan"):
        store.load_plan(s, str(sid))
