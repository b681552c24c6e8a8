"""Importing into a real store: bad rows reported, good rows imported, idempotent, reviewable."""

from __future__ import annotations

import os
import sys
import threading
import types
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.core.cancel import CancelledError
from app.migrate.baseline import baseline_link
from app.migrate.importer import import_file, wait_released
from app.migrate.linkage import Person, link, pairwise_scores
from app.migrate.mapping import MappingFile, load_mapping
from app.migrate.review import Decision, decide, pending
from app.migrate.tables import ReviewItem, SourceRow
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate, OutboxOp
from tests.migrate.datagen import (
    BAD_KINDS,
    DEV_MIX,
    FIELD_OF,
    HELD_OUT_MIX,
    labelled,
    with_faults,
    write_xlsx_fast,
)


def _count(db: Database, table: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


def test_every_bad_row_is_reported_and_every_good_row_imported(
    tmp_path: Path, db: Database
) -> None:
    records, _ = labelled(1500, 11, DEV_MIX)  # ~2,500 rows with duplicates
    rows, bad = with_faults(records, 1100, seed=5)
    path = tmp_path / "legacy.xlsx"
    write_xlsx_fast(path, rows)
    report = import_file(db, path, "candidates")

    # Data starts on spreadsheet row 2: record i is row i + 2.
    reported = {r.row: r for r in report.rejected}
    assert set(reported) == {i + 2 for i in bad}
    for i, (column, kind) in bad.items():
        r = reported[i + 2]
        assert r.column == column, (kind, r)
        assert r.reason, kind
    good_rows = {i + 2 for i in range(len(rows)) if i not in bad}
    with db.read() as s:
        prov = s.exec(select(SourceRow.row_number, SourceRow.record_id)).all()
        ids = set(s.exec(select(Candidate.id)).all())
        outbox = s.exec(select(OutboxOp.entity_id).where(OutboxOp.entity == "candidate")).all()
    assert {r for r, _ in prov} == good_rows
    assert {rid for _, rid in prov} == ids  # every record came from some row, and back
    assert set(outbox) == ids  # each new candidate has its outbox row
    assert report.counts["created"] == len(ids)
    assert report.counts["created"] + report.counts["merged"] == len(good_rows)
    assert sorted(BAD_KINDS) == sorted({k for _, k in bad.values()})


def test_reimport_is_idempotent_and_new_rows_match_the_store(tmp_path: Path, db: Database) -> None:
    records, _ = labelled(300, 21, DEV_MIX, dup_rate=0.0)
    path = tmp_path / "a.xlsx"
    write_xlsx_fast(path, records)
    first = import_file(db, path, "candidates")
    n_cand, n_out = _count(db, Candidate), _count(db, OutboxOp)
    assert n_cand == first.counts["created"] > 250

    again = import_file(db, path, "candidates")
    assert again.counts["unchanged"] == again.counts["accepted"] == first.counts["accepted"]
    assert (_count(db, Candidate), _count(db, OutboxOp)) == (n_cand, n_out)

    # A later export of the same people, reformatted, merges into the stored records.
    later = [dict(r) for r in records[:50]]
    for r in later:
        r["手机"] = f"+86 {r['手机'][:3]}-{r['手机'][3:7]}-{r['手机'][7:]}"
        r["城市"] = None
    path2 = tmp_path / "b.xlsx"
    write_xlsx_fast(path2, later)
    third = import_file(db, path2, "candidates")
    assert third.counts["created"] == 0
    assert third.counts["merged"] == 50
    assert _count(db, Candidate) == n_cand


def test_uncertain_pairs_go_to_review_and_can_be_merged_or_kept_apart(
    tmp_path: Path, db: Database
) -> None:
    # Same name and city, one phone each, nothing else: could be two people.
    path = tmp_path / "pairs.csv"
    path.write_text(
        "姓名,手机,邮箱,城市\n"
        "王芳,13800000001,,杭州\n王芳,13900000002,,杭州\n"
        "Li Na,13700000003,lina@a.com,上海\n李娜,13600000004,,上海\n",
        "utf-8",
    )
    report = import_file(db, path, "candidates", auto_merge=0.999, review_threshold=0.05)
    assert report.counts["created"] == 4
    items = pending(db)
    assert len(items) == 2
    names = {(v.fields[0].left, v.fields[0].right) for v in items}
    assert names == {("王芳", "王芳"), ("Li Na", "李娜")} or names == {
        ("王芳", "王芳"),
        ("李娜", "Li Na"),
    }
    wang = next(v for v in items if v.fields[0].left == "王芳")
    li = next(v for v in items if v is not wang)
    decide(db, wang.id, Decision.KEEP_APART)
    decide(db, li.id, Decision.MERGE)
    assert pending(db) == []
    with db.read() as s:
        names_left = sorted(c.name for c in s.exec(select(Candidate)).all())
        kept = s.get(Candidate, li.left_id)
        rows = s.exec(select(SourceRow).where(SourceRow.record_id == li.left_id)).all()
        tombstones = s.exec(select(OutboxOp).where(OutboxOp.op == "delete")).all()
        statuses = sorted(i.status for i in s.exec(select(ReviewItem)).all())
    assert len(names_left) == 3 and names_left.count("王芳") == 2
    assert kept is not None and kept.email == "lina@a.com"
    assert sorted(r.row_number for r in rows) == [4, 5]  # provenance of both rows
    assert [t.entity_id for t in tombstones] == [li.right_id]
    assert statuses == ["kept_apart", "merged"]
    with db.read() as s:
        assert repo.verify_audit(s) == []


def test_mapping_file_overrides_and_is_reused(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Who,Reach me,Where\nWei Zhang,13812345678,北京\n", "utf-8")
    mapping = MappingFile(
        entity="candidates", columns={"Who": "name", "Reach me": "phone", "Where": "city"}
    )
    mfile = tmp_path / "m.json"
    mapping.save(mfile)
    report = import_file(db, path, "candidates", mapping=load_mapping(mfile))
    assert report.counts["created"] == 1
    with db.read() as s:
        c = s.exec(select(Candidate)).one()
    assert (c.name, c.phone, c.city) == ("Wei Zhang", "+8613812345678", "北京")


def _clean_people(records: list[dict[str, object]]) -> list[Person]:
    from app.migrate import cleaning as cl
    from app.migrate.importer import clean_candidate

    people = []
    for i, r in enumerate(records):
        res = clean_candidate("s", i, {FIELD_OF[h]: v for h, v in r.items()}, {})
        assert not isinstance(res, cl.Rejection), res
        v = res.values
        birth = v.get("birth_date")
        people.append(
            Person(
                v["name"],
                v.get("phone"),
                v.get("email"),
                birth.isoformat() if birth else None,
                v.get("city"),
                v.get("school"),
            )
        )
    return people


@pytest.mark.slow
def test_dedup_quality_on_held_out_data_beats_the_plain_baseline() -> None:
    records, truth = labelled(2500, 4242, HELD_OUT_MIX)
    ours = pairwise_scores(link(_clean_people(records)).clusters, truth)
    raw = [
        {
            "name": str(r["姓名"]),
            "phone": str(r["手机"]),
            "email": str(r["邮箱"]),
            "birth_date": str(r["出生日期"]),
            "city": str(r["城市"]),
        }
        for r in records
    ]
    base = pairwise_scores(baseline_link(raw), truth)
    assert ours["precision"] >= 0.98, ours
    assert ours["f1"] >= 0.95, ours
    assert ours["f1"] > base["f1"], (ours, base)


def test_a_cancelled_import_leaves_the_store_as_it_was(tmp_path: Path, db: Database) -> None:
    records, _ = labelled(200, 41, DEV_MIX, dup_rate=0.0)
    path = tmp_path / "a.xlsx"
    write_xlsx_fast(path, records)
    import_file(db, path, "candidates")
    before = (_count(db, Candidate), _count(db, OutboxOp), _count(db, SourceRow))

    more, _ = labelled(300, 42, DEV_MIX)
    path2 = tmp_path / "b.xlsx"
    write_xlsx_fast(path2, more)
    stop = threading.Event()

    def press_cancel(stage: str, done: int, total: int) -> None:
        if stage == "matching":
            stop.set()  # the person presses Cancel while duplicates are being matched

    with pytest.raises(CancelledError, match=r"b\.xlsx"):
        import_file(db, path2, "candidates", progress=press_cancel, cancel=stop)
    assert (_count(db, Candidate), _count(db, OutboxOp), _count(db, SourceRow)) == before


def _outcome(report: object) -> tuple[object, ...]:
    r = report  # an ImportReport
    return (
        r.counts,  # type: ignore[attr-defined]
        [(x.row, x.column, x.reason) for x in r.rejected],  # type: ignore[attr-defined]
        [(c.row, c.field, c.before, c.after) for c in r.corrections],  # type: ignore[attr-defined]
        sorted(sorted(c.rows) for c in r.clusters),  # type: ignore[attr-defined]
    )


def test_cleaning_in_worker_processes_gives_the_serial_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big files are cleaned in spawned worker processes (with the linkage keys made there):
    the report and the store must be exactly what one process makes, rejections included,
    and cyclic garbage collection is back on afterwards."""
    import gc

    from app.migrate import workers

    records, _ = labelled(900, 12, DEV_MIX)
    rows, _bad = with_faults(records, 150, seed=6)
    path = tmp_path / "legacy.xlsx"
    write_xlsx_fast(path, rows)
    outcomes = []
    for min_rows in (10**9, 100):
        monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", min_rows)
        monkeypatch.setattr(workers, "CHUNK_ROWS", 250)
        db = Database(tmp_path / f"store-{min_rows}.db").open()
        try:
            n = workers.workers_for(len(rows))
            assert n == 1 if min_rows > 100 else n == min(os.cpu_count() or 1, 4)
            report = import_file(db, path, "candidates")
            with db.read() as s:
                names = sorted(s.exec(select(Candidate.name)).all())
        finally:
            db.close()
        assert wait_released(30) and gc.isenabled()
        outcomes.append((_outcome(report), names))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][1], "the faults were rejected"


def test_workers_start_while_reading_and_skip_the_main_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big file starts the cleaning workers before it is read; a spawned worker does not
    re-run the parent's main module (here pytest's), and the parallel import still gives the
    serial result."""
    from app.migrate import workers

    started: list[workers.CleaningPool] = []
    real_init = workers.CleaningPool.__init__

    def spy(self: workers.CleaningPool, n: int) -> None:
        real_init(self, n)
        started.append(self)

    monkeypatch.setattr(workers.CleaningPool, "__init__", spy)
    records, _ = labelled(700, 14, DEV_MIX)
    path = tmp_path / "c.xlsx"
    write_xlsx_fast(path, records)
    small = Database(tmp_path / "small.db").open()
    try:
        serial = import_file(small, path, "candidates")
    finally:
        small.close()
    assert not started, "a small file is cleaned in this process"

    monkeypatch.setattr(workers, "EARLY_START_BYTES", 1)
    monkeypatch.setattr(workers, "CHUNK_ROWS", 200)
    # A main module run from a file, as the `roundtwo` script or the GUI's entry point is
    # (pytest's own is run with -m, which multiprocessing never re-imports).
    marker = tmp_path / "main-ran"
    script = tmp_path / "fake_main.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    fake_main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    db = Database(tmp_path / "big.db").open()
    try:
        parallel = import_file(db, path, "candidates")
    finally:
        db.close()
    assert len(started) == 1
    pids = set()
    for fut in started[0]._warm:
        pid, main_file = fut.result(timeout=5)
        assert main_file is None, f"the worker re-ran the parent's main module {main_file}"
        pids.add(pid)
    assert os.getpid() not in pids and len(pids) == started[0].workers
    assert not marker.exists()
    assert _outcome(parallel) == _outcome(serial)


def test_cancel_stops_the_cleaning_workers(tmp_path: Path, db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gc

    from app.migrate import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr(workers, "CHUNK_ROWS", 100)
    records, _ = labelled(800, 13, DEV_MIX)
    path = tmp_path / "c.xlsx"
    write_xlsx_fast(path, records)
    stop = threading.Event()

    def press_cancel(stage: str, done: int, total: int) -> None:
        if stage == "cleaning" and done >= 200:
            stop.set()

    with pytest.raises(CancelledError):
        import_file(db, path, "candidates", progress=press_cancel, cancel=stop)
    assert _count(db, Candidate) == 0
    assert wait_released(30) and gc.isenabled()


def test_bulk_ids_are_time_ordered_version_7_uuids() -> None:
    """Bulk-written rows get RFC 9562 version 7 ids: unique, increasing in the order made
    (as hex too, which is how SQLite stores and orders them), carrying the time in ms."""
    import time
    import uuid

    from app.migrate.importer import _uuid7s

    before = time.time_ns() // 1_000_000
    ids = _uuid7s(5000)
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 5000
    assert [u.int for u in ids] == sorted(u.int for u in ids)
    assert [u.hex for u in ids] == sorted(u.hex for u in ids)
    for u in ids[:50] + ids[-50:]:
        assert u.version == 7 and u.variant == uuid.RFC_4122
        assert before <= u.int >> 80 <= after
        assert uuid.UUID(str(u)) == u and hash(uuid.UUID(u.hex)) == hash(u)
    assert len({u.int & (2**42 - 1) for u in ids}) > 4990, "the low bits are random"


def test_bulk_written_candidates_are_what_the_orm_path_stores(tmp_path: Path, db: Database) -> None:
    """The import writes candidate rows and outbox payloads as driver tuples and JSON text;
    each must be what `repo.save` of the same candidate stores (column by column in SQLite,
    payload equal as JSON): Chinese text, missing values, dates, floats, lists."""
    import json

    records, _ = labelled(150, 21, DEV_MIX)
    for r in records[::7]:
        r["出生日期"] = None
        r["城市"] = ""
    path = tmp_path / "c.xlsx"
    write_xlsx_fast(path, records)
    import_file(db, path, "candidates")

    def raw(d: Database, sql: str) -> list[tuple[object, ...]]:
        with d.read() as s:
            return list(s.connection().exec_driver_sql(sql).all())

    cols = "id, created_at, name, email, phone, birth_date, city, education_level, school, "
    cols += "major, years_experience, experience, skills, career_goal, projects, source"
    imported = {r[0]: r for r in raw(db, f"SELECT {cols} FROM candidate")}
    payloads = {r[0]: json.loads(r[1]) for r in raw(db, "SELECT entity_id, payload FROM outboxop")}
    assert len(imported) > 100 and set(payloads) == set(imported)
    assert any(r[5] is None for r in imported.values()) and any(r[5] for r in imported.values())

    with db.read() as s:
        cands = list(s.exec(select(Candidate)).all())
    ref = Database(tmp_path / "ref.db").open()
    try:
        ref.write(lambda s: [repo.save(s, Candidate(**c.model_dump())) for c in cands])
        expected = {r[0]: r for r in raw(ref, f"SELECT {cols} FROM candidate")}
        ref_payloads = {
            r[0]: json.loads(r[1]) for r in raw(ref, "SELECT entity_id, payload FROM outboxop")
        }
    finally:
        ref.close()
    assert expected == imported
    for key, body in ref_payloads.items():
        body.pop("updated_at")  # repo.save stamps the time of the save
        got = dict(payloads[key])
        got.pop("updated_at")
        assert got == body
    first = next(iter(imported.values()))
    with db.read() as s:
        found = repo.search_candidates(s, str(first[3]))  # by e-mail
        total = s.connection().exec_driver_sql("SELECT count(*) FROM candidate_fts").scalar()
    assert total == len(imported), "the search index was filled"
    assert [c.id.hex for c in found] == [first[0]]
