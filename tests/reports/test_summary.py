from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from app.context import open_context
from app.reports.summary import build_summary, display_width, render_text
from app.samples import load_sample_interview, read_sample
from app.storage import repo
from app.storage.tables import AISuggestion, Answer, InterviewerRating, OutboxOp


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def test_sample_loads_once_and_everything_is_queued_for_the_hub(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    again = ctx.db.write(load_sample_interview)
    assert sid == again
    sample = read_sample()
    with ctx.db.read() as s:
        answers = s.exec(select(Answer).where(Answer.session_id == sid)).all()
        assert len(answers) == len(sample["answers"])
        assert all(a.end_ms > a.start_ms for a in answers)
        ratings = s.exec(select(InterviewerRating)).all()
        assert len(ratings) == len(sample["ratings"])
        entities = {o.entity for o in s.exec(select(OutboxOp)).all()}
        assert {
            "candidate",
            "application",
            "interviewsession",
            "answer",
            "interviewerrating",
            "consentrecord",
        } <= entities
        assert repo.verify_audit(s) == []


def test_summary_numbers_follow_the_ratings(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        summary = build_summary(s, sid)
    by_key = {c.key: c for c in summary.lines}
    # Two raters on teamwork (5 and 6) average to 5.5, below the bar of 7.
    assert by_key["teamwork"].interviewer_level == 5.5
    assert by_key["teamwork"].meets_bar is False
    assert [c.key for c in summary.gaps] == ["teamwork"]
    expected = (
        100
        * sum(c.weight * min(c.interviewer_level / c.required_level, 1) for c in summary.lines)
        / sum(c.weight for c in summary.lines)
    )
    assert summary.match == pytest.approx(expected, abs=0.05)

    # A lower rating lowers the match and adds a gap; an AI suggestion 2+ levels off is flagged.
    def lower(s):  # type: ignore[no-untyped-def]
        r = s.exec(
            select(InterviewerRating).where(InterviewerRating.competency_key == "user-insight")
        ).one()
        r.level = 4
        repo.save(s, r)
        repo.save(
            s, AISuggestion(session_id=sid, competency_key="user-insight", level=7, confidence=0.6)
        )

    ctx.db.write(lower)
    with ctx.db.read() as s:
        worse = build_summary(s, sid)
    assert worse.match is not None and summary.match is not None
    assert worse.match < summary.match
    ui = next(c for c in worse.lines if c.key == "user-insight")
    assert ui.disagreement and ui.ai_level == 7
    assert next(c.key for c in worse.gaps) == "user-insight"  # 0.2 x 4 outweighs 0.15 x 1.5


def test_unknown_session(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.read() as s, pytest.raises(Exception, match="No interview session"):
        build_summary(s, uuid.uuid4())


def test_text_rendering_is_aligned_in_chinese_and_english(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        summary = build_summary(s, sid)
    for lang in ("zh", "en"):
        lines = render_text(summary, lang)
        table = lines[2 : 3 + len(summary.lines)]
        # The level column ends at the same terminal column on every row.
        ends = {display_width(row.split("≥")[0].rstrip()) for row in table[1:]}
        assert len(ends) == 1, table
    assert any("岗位匹配度" in ln for ln in render_text(summary, "zh"))
    assert any("Job match" in ln for ln in render_text(summary, "en"))


def test_demo_command(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("demo", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "Job match:" in r.stdout and "Teamwork" in r.stdout
    assert cli("demo", "--lang", "en").stdout == r.stdout, "re-running the demo changes nothing"
