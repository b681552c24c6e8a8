from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from app.context import bundled_profiles_dir
from app.core.errors import NotFoundError
from app.core.jobprofile import load_profile
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate, Competency, InterviewerRating, Job, OutboxOp, Question


@pytest.fixture
def db(tmp_path: Path):
    d = Database(tmp_path / "t.db").open()
    yield d
    d.close()


@pytest.fixture
def profile():
    return load_profile(bundled_profiles_dir() / "risk-control-analyst.yaml")


def test_profile_is_stored_with_competencies_and_questions(db: Database, profile) -> None:
    assert db.write(lambda s: repo.upsert_job_profile(s, profile)) is True
    assert db.write(lambda s: repo.upsert_job_profile(s, profile)) is False, "idempotent"
    with db.read() as s:
        job = repo.get_job(s, profile.id)
        assert repo.job_profile(job) == profile
        comps = repo.competencies(s, job)
        assert [c.key for c in comps] == [c.id for c in profile.competencies]
        assert {c.key: c.required_level for c in comps} == {
            c.id: c.required_level for c in profile.competencies
        }
        assert "8" in comps[0].anchors and comps[0].anchors["8"]["zh"]
        assert len(repo.questions(s, job)) == len(profile.questions)
        # Profiles come from the hub or the bundle; the laptop never pushes them back.
        assert s.exec(select(OutboxOp)).all() == []


def test_newer_profile_replaces_older_and_older_never_downgrades(db: Database, profile) -> None:
    db.write(lambda s: repo.upsert_job_profile(s, profile))
    comps = [
        c.model_copy(update={"required_level": 9}) if i == 0 else c
        for i, c in enumerate(profile.competencies)
    ]
    newer = profile.model_copy(update={"version": profile.version + 1, "competencies": comps})
    assert db.write(lambda s: repo.upsert_job_profile(s, newer, "hub")) is True
    assert db.write(lambda s: repo.upsert_job_profile(s, profile)) is False
    with db.read() as s:
        job = repo.get_job(s, profile.id)
        assert (job.version, job.source) == (profile.version + 1, "hub")
        first = repo.competencies(s, job)[0]
        assert first.required_level == 9
        assert len(s.exec(select(Competency)).all()) == len(profile.competencies)
        assert len(s.exec(select(Question)).all()) == len(profile.questions)


def test_unknown_job_names_the_known_ones(db: Database, profile) -> None:
    db.write(lambda s: repo.upsert_job_profile(s, profile))
    with db.read() as s, pytest.raises(NotFoundError) as err:
        repo.get_job(s, "astronaut")
    assert "astronaut" in err.value.message and profile.id in err.value.message


def test_candidate_search_chinese_short_and_long_and_phone(db: Database) -> None:
    def add(s):  # type: ignore[no-untyped-def]
        repo.save(s, Candidate(name="王芳", phone="+8613800138000", school="复旦大学"))
        repo.save(s, Candidate(name="Li Wei", email="li.wei@example.com", skills=["SQL", "Excel"]))
        repo.save(s, Candidate(name="王芳芳", phone="+8613911112222"))

    db.write(add)
    with db.read() as s:
        assert {c.name for c in repo.search_candidates(s, "王芳")} == {"王芳", "王芳芳"}
        assert [c.name for c in repo.search_candidates(s, "13800138")] == ["王芳"]
        assert [c.name for c in repo.search_candidates(s, "复旦大")] == ["王芳"]
        assert [c.name for c in repo.search_candidates(s, "excel")] == ["Li Wei"]
        assert repo.search_candidates(s, 'a"b OR x') == []


def test_delete_sends_a_tombstone(db: Database) -> None:
    cid = db.write(lambda s: repo.save(s, Candidate(name="赵六")).id)

    def remove(s):  # type: ignore[no-untyped-def]
        c = s.get(Candidate, cid)
        repo.delete(s, c)

    db.write(remove)
    with db.read() as s:
        ops = repo.pending_ops(s)
        assert [(o.op, o.entity_id) for o in ops] == [("upsert", cid), ("delete", cid)]
        assert [o.seq for o in ops] == [1, 2]


def test_final_levels_average_the_panel(db: Database, profile) -> None:
    db.write(lambda s: repo.upsert_job_profile(s, profile))

    def setup(s):  # type: ignore[no-untyped-def]
        from app.storage.tables import InterviewSession

        job = s.exec(select(Job)).one()
        cand = repo.save(s, Candidate(name="孙七"))
        sess = repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id))
        for rater, lv in (("a", 7), ("b", 8)):
            repo.save(
                s,
                InterviewerRating(
                    session_id=sess.id, competency_key="data-analysis", rater=rater, level=lv
                ),
            )
        return sess.id

    sid = db.write(setup)
    with db.read() as s:
        assert repo.final_levels(s, sid) == {"data-analysis": 7.5}


def test_audit_chain_detects_an_edited_row(db: Database, tmp_path: Path) -> None:
    def log(s):  # type: ignore[no-untyped-def]
        for i in range(5):
            repo.append_audit(s, "hr@corp", "view", "candidate", str(i), {"n": i})

    db.write(log)
    with db.read() as s:
        assert repo.verify_audit(s) == []
    con = sqlite3.connect(tmp_path / "t.db")
    con.execute("UPDATE auditlog SET actor = 'someone-else' WHERE seq = 3")
    con.commit()
    con.close()
    with db.read() as s:
        assert repo.verify_audit(s) == [3]


def test_profile_rows_have_the_same_ids_on_every_laptop(tmp_path: Path, profile) -> None:  # type: ignore[no-untyped-def]
    ids = []
    for name in ("a.db", "b.db"):
        d = Database(tmp_path / name).open()
        d.write(lambda s: repo.upsert_job_profile(s, profile))
        with d.read() as s:
            job = repo.get_job(s, profile.id)
            ids.append(
                (
                    job.id,
                    [c.id for c in repo.competencies(s, job)],
                    [q.id for q in repo.questions(s, job)],
                )
            )
        d.close()
    assert ids[0] == ids[1]
