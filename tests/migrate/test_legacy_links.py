"""Imported interviews, training and jobs are linked to stored candidates and job profiles,
go with the candidate when erased, show in the candidate view and feed the probes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.context import bundled_profiles_dir, scan_profiles
from app.migrate import legacy
from app.migrate.importer import import_file
from app.migrate.tables import LegacyRecord
from app.storage import queries, repo
from app.storage.db import Database
from app.storage.deletion import delete_candidate
from app.storage.tables import Candidate

CANDIDATES = (
    "姓名,手机,邮箱,出生日期,城市\n"
    "张伟,13800000001,zhangwei@example.com,1995-03-02,北京\n"
    "Li Na,13700000003,lina@example.com,1993-07-19,上海\n"
    "王芳,13900000005,wangfang@example.com,1990-11-30,深圳\n"
    "张伟,13600000009,zw2@example.com,1988-01-05,成都\n"
)
# Row 2: same phone as the first 张伟 (in another format); row 3: Li Na by e-mail, name in
# pinyin order swapped; row 4: a 张伟 with nothing else (two stored candidates share the
# name: must not be linked); row 5: a stranger; row 6: 王芳 by phone, an unknown job title.
INTERVIEWS = (
    "姓名,手机,邮箱,应聘职位,面试官,面试日期,轮次,评分,结果,评语\n"
    "张伟,+86 138-0000-0001,,互联网产品经理,周敏,2024-05-10,1,82,通过,"
    "主导过会员增长项目，数据意识强，但跨部门冲突处理说得笼统\n"
    "Na Li,,LINA@example.com,Internet Product Manager,Tom,2024-06-01,1,65,未通过,"
    "Answers were vague on stakeholder management\n"
    "张伟,,,financial risk control analyst,吴刚,2023-01-01,1,70,通过,一般\n"
    "赵六,13500000007,,互联网产品经理,周敏,2024-05-11,1,75,通过,尚可\n"
    "王芳,13900000005,,区块链架构师,周敏,2022-09-09,2,88,通过,技术扎实\n"
)
TRAINING = (
    "学员姓名,手机,培训课程,完成日期,学时,成绩\n"
    "张伟,13800000001,结构化沟通,2023-03-01,8,优秀\n"
    "王芳,13900000005,数据分析入门,2023-04-01,16,合格\n"
)


@pytest.fixture
def store(db: Database) -> Database:
    profiles = scan_profiles([bundled_profiles_dir()]).profiles
    db.write(lambda s: [repo.upsert_job_profile(s, p) for p in profiles])
    return db


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _by_name(db: Database) -> dict[str, list[Candidate]]:
    with db.read() as s:
        out: dict[str, list[Candidate]] = {}
        for c in s.exec(select(Candidate)).all():
            out.setdefault(c.name, []).append(c)
        return out


def test_interviews_link_to_the_right_candidate_and_job_or_are_reported(
    tmp_path: Path, store: Database
) -> None:
    import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
    people = _by_name(store)
    assert len(people["张伟"]) == 2
    report = import_file(store, _write(tmp_path, "i.csv", INTERVIEWS), "interviews")
    assert report.counts["linked"] == 3 and report.counts["unlinked"] == 2
    assert {u["row"] for u in report.unlinked} == {"4", "5"}
    assert all(u["reason"] for u in report.unlinked)
    assert report.unknown_jobs == [
        {"title": "区块链架构师", "rows": ["6"], "reason": "no job profile has this title"}
    ]
    assert report.counts["job_linked"] == 4
    with store.read() as s:
        rows = {r.data["_source_row"]: r for r in s.exec(select(LegacyRecord)).all()}
        jobs = {j.id: j.slug for j in repo.list_jobs(s)}
    zhang = next(c for c in people["张伟"] if c.phone and c.phone.endswith("0001"))
    assert rows[2].candidate_id == zhang.id and rows[2].link_probability >= 0.99
    assert rows[3].candidate_id == people["Li Na"][0].id
    assert rows[4].candidate_id is None and rows[5].candidate_id is None
    assert rows[6].candidate_id == people["王芳"][0].id
    assert jobs[rows[2].job_id] == jobs[rows[3].job_id] == "internet-product-manager"
    assert jobs[rows[4].job_id] == "risk-control-analyst"
    assert rows[6].job_id is None


def test_rows_imported_before_their_candidates_are_linked_later(
    tmp_path: Path, store: Database
) -> None:
    first = import_file(store, _write(tmp_path, "t.csv", TRAINING), "training")
    assert first.counts["linked"] == 0 and first.counts["unlinked"] == 2
    assert first.unlinked[0]["reason"] == "no stored candidate matches"
    dry = import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates", dry_run=True)
    assert "relinked" not in dry.counts
    later = import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
    assert later.counts["relinked"] == 2
    people = _by_name(store)
    with store.read() as s:
        zhang = next(c for c in people["张伟"] if c.phone and c.phone.endswith("0001"))
        items = legacy.history(s, zhang.id)
    assert [(h.entity, h.title, h.date, h.result) for h in items] == [
        ("training", "结构化沟通", "2023-03-01", "优秀")
    ]


def test_history_feeds_the_candidate_view_and_the_probes(tmp_path: Path, store: Database) -> None:
    import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
    import_file(store, _write(tmp_path, "i.csv", INTERVIEWS), "interviews")
    import_file(store, _write(tmp_path, "t.csv", TRAINING), "training")
    zhang = next(c for c in _by_name(store)["张伟"] if c.phone and c.phone.endswith("0001"))
    with store.read() as s:
        detail = queries.candidate_detail(s, zhang.id)
        job = repo.get_job(s, "internet-product-manager")
        brief = queries.candidate_brief(s, zhang.id)
        probes = queries.candidate_probes(s, zhang.id, job.id, "zh")
    assert [h.entity for h in detail.history] == ["interviews", "training"]
    assert "会员增长" in brief.round1_notes
    assert brief.past_training == ("结构化沟通",)
    sources = {p.source for p in probes}
    assert {"round1", "training"} <= sources
    assert any("会员增长" in p.basis for p in probes)


def test_erasing_a_candidate_erases_their_imported_history(tmp_path: Path, store: Database) -> None:
    import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
    import_file(store, _write(tmp_path, "i.csv", INTERVIEWS), "interviews")
    import_file(store, _write(tmp_path, "t.csv", TRAINING), "training")
    wang = _by_name(store)["王芳"][0]
    report = delete_candidate(store, wang.id, by="test", reason="request")
    assert report.rows["migrationlegacyrecord"] == 2
    with store.read() as s:
        left = s.exec(select(LegacyRecord)).all()
    assert len(left) == 5  # 7 rows, 王芳's interview and training gone
    assert all("王芳" not in str(r.data) for r in left)


def test_erasing_a_candidate_erases_their_import_bookkeeping(db: Database) -> None:
    """Row fingerprints and review pairs (which show the fields side by side) name the
    candidate by id only; they go with the candidate."""
    from app.core.paths import resources_dir
    from app.migrate.tables import ReviewItem, SourceRow

    import_file(db, resources_dir() / "samples/legacy-candidates.csv", "candidates")
    with db.read() as s:
        pair = s.exec(select(ReviewItem)).first()
        assert pair is not None
        gone = pair.right_id
        assert s.exec(select(SourceRow).where(SourceRow.record_id == gone)).first()
        other_rows = len(s.exec(select(SourceRow).where(SourceRow.record_id != gone)).all())
    report = delete_candidate(db, gone, by="test", reason="request")
    assert report.rows["migrationsourcerow"] >= 1 and report.rows["migrationreview"] >= 1
    with db.read() as s:
        assert not s.exec(select(SourceRow).where(SourceRow.record_id == gone)).all()
        assert not s.exec(
            select(ReviewItem).where((ReviewItem.left_id == gone) | (ReviewItem.right_id == gone))
        ).all()
        assert len(s.exec(select(SourceRow)).all()) == other_rows


def test_rows_staged_before_the_upgrade_are_kept_and_linked_by_the_next_import(
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, text

    from app.storage import migrate

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0004")
        conn.execute(
            text(
                "INSERT INTO migrationbatch (id, created_at, updated_at, entity, file_name,"
                " file_sha256, counts, mapping) VALUES ('00000000000000000000000000000001',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'training', 't.csv', 'x',"
                " '{}', '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO migrationlegacyrecord (id, created_at, updated_at, batch_id,"
                " entity, data) VALUES ('00000000000000000000000000000002',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
                " '00000000000000000000000000000001', 'training',"
                ' \'{"name": "王芳", "phone": "+8613900000005",'
                ' "course": "数据分析入门"}\')'
            )
        )
    engine.dispose()
    db = Database(path).open()
    try:
        with db.read() as s:
            (row,) = s.exec(select(LegacyRecord)).all()
            assert row.candidate_id is None and row.data["course"] == "数据分析入门"
        report = import_file(db, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
        assert report.counts["relinked"] == 1
        wang = _by_name(db)["王芳"][0]
        with db.read() as s:
            assert [h.title for h in legacy.history(s, wang.id)] == ["数据分析入门"]
    finally:
        db.close()


def test_job_rows_link_to_the_profile_of_the_same_title(tmp_path: Path, store: Database) -> None:
    jobs = (
        "岗位名称,所属部门,招聘人数,岗位职责\n"
        "互联网产品经理,产品部,2,负责会员产品：需求、方案、上线\n"
        "RETAIL  STORE-MANAGER,零售,5,门店运营\n"
        "区块链架构师,技术部,1,设计链上系统\n"
    )
    report = import_file(store, _write(tmp_path, "j.csv", jobs), "jobs")
    assert report.counts["job_linked"] == 2 and "linked" not in report.counts
    assert [j["title"] for j in report.unknown_jobs] == ["区块链架构师"]
    with store.read() as s:
        slugs = {j.id: j.slug for j in repo.list_jobs(s)}
        rows = {r.data["_source_row"]: r for r in s.exec(select(LegacyRecord)).all()}
    assert slugs[rows[2].job_id] == "internet-product-manager"
    assert slugs[rows[3].job_id] == "retail-store-manager"
    assert rows[4].job_id is None
    # Prose is kept as written: the Chinese colon and comma are not folded to ASCII.
    assert rows[2].data["description"] == "负责会员产品：需求、方案、上线"


def test_unlinked_rows_are_only_compared_with_candidates_changed_since(
    tmp_path: Path, store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(store, _write(tmp_path, "t.csv", TRAINING), "training")
    compared: list[int] = []
    real = legacy.link_people

    def spy(ids, keys, rows, auto_merge=legacy.AUTO_MERGE):  # type: ignore[no-untyped-def]
        compared.append(len(ids))
        return real(ids, keys, rows, auto_merge)

    monkeypatch.setattr(legacy, "link_people", spy)
    first = import_file(store, _write(tmp_path, "c.csv", CANDIDATES), "candidates")
    assert first.counts["relinked"] == 2 and compared == [4]
    # Nothing about the remaining rows changed: a later import does not compare them again.
    jobs = _write(tmp_path, "j.csv", "岗位名称\n互联网产品经理\n")
    import_file(store, jobs, "jobs")
    assert compared == [4]
    more = "姓名,手机\n赵六,13500000007\n"
    import_file(
        store,
        _write(tmp_path, "t2.csv", "学员姓名,手机,培训课程\n赵六,13500000007,安全\n"),
        "training",
    )
    assert compared == [4, 4]  # the fresh row against everyone
    later = import_file(store, _write(tmp_path, "c2.csv", more), "candidates")
    assert later.counts["relinked"] == 1 and compared == [4, 4, 1]  # only the new candidate
