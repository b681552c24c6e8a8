"""After the interview the room asks the on-device scorer for suggestions (only with AI consent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.context import open_context
from app.core.compliance import load_compliance_profile, permissions
from app.core.domain import ConsentPurpose as P
from app.room import InterviewRoom
from app.samples import read_sample
from app.storage import repo
from app.storage.tables import AISuggestion, Candidate, InterviewSession

ANSWER = (
    "去年我负责会员体系改版。我访谈了24位用户，发现权益感知弱，"
    "于是推动分层权益，三个月后复购率从18%提升到23%。"
)


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def _interview(ctx, granted: set[P]) -> tuple[object, InterviewRoom]:  # type: ignore[no-untyped-def]
    def w(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, read_sample()["job"])
        cand = repo.save(s, Candidate(name="建议测试"))
        return repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id)).id

    iid = ctx.db.write(w)
    perm = permissions(load_compliance_profile("strict"), granted)
    room = InterviewRoom(ctx.db, iid, perm, lang="zh")
    room.start()  # no camera: notes only
    room.set_text(ANSWER)
    room.stop()
    return iid, room


def test_suggestions_are_saved_when_the_interview_ends(ctx) -> None:  # type: ignore[no-untyped-def]
    iid, _ = _interview(ctx, {P.AI_CONTENT})
    with ctx.db.read() as s:
        rows = s.exec(select(AISuggestion).where(AISuggestion.session_id == iid)).all()
    assert rows
    rated = [r for r in rows if r.level is not None]
    assert rated, [(r.competency_key, r.level) for r in rows]
    # Evidence quotes come from the answer, with its time on the interview clock.
    quotes = [e for r in rated for e in r.evidence if e.get("quote")]
    assert quotes and all(str(e["quote"]) in ANSWER for e in quotes)


def test_no_ai_consent_no_suggestions(ctx) -> None:  # type: ignore[no-untyped-def]
    iid, room = _interview(ctx, set())
    assert room.suggest() == 0
    with ctx.db.read() as s:
        assert not s.exec(select(AISuggestion).where(AISuggestion.session_id == iid)).all()
