from __future__ import annotations

from pathlib import Path

import pytest

from app.context import open_context
from app.core.errors import InvalidInputError
from app.samples import load_sample_interview
from app.storage import ratings, repo


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def test_rating_is_created_then_updated_and_audited(ctx) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    ctx.db.write(lambda s: ratings.save_rating(s, sid, "teamwork", "李雷", 6, "具体"))
    ctx.db.write(lambda s: ratings.save_rating(s, sid, "teamwork", "李雷", 7, "补充了例子"))
    with ctx.db.read() as s:
        mine = ratings.ratings_by(s, sid, "李雷")
        assert (mine["teamwork"].level, mine["teamwork"].note) == (7, "补充了例子")
        # Panel mean now includes the third rater: (5 + 6 + 7) / 3.
        assert repo.final_levels(s, sid)["teamwork"] == 6.0
        assert repo.verify_audit(s) == []


@pytest.mark.parametrize(
    ("key", "level", "rater", "match"),
    [
        ("teamwork", 11, "x", "outside 0..10"),
        ("telepathy", 5, "x", "telepathy"),
        ("teamwork", 5, " ", "interviewer's name"),
    ],
)
def test_bad_ratings_are_refused_with_a_reason(ctx, key, level, rater, match) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    with pytest.raises(InvalidInputError, match=match):
        ctx.db.write(lambda s: ratings.save_rating(s, sid, key, rater, level))
