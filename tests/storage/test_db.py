from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from app.core.errors import ErrorKind, StorageError
from app.storage import migrate, repo
from app.storage.db import Database
from app.storage.migrate import include_object
from app.storage.tables import Candidate, Competency, InterviewSession, Job, OutboxOp


@pytest.fixture
def db(tmp_path: Path):
    d = Database(tmp_path / "t.db", busy_timeout_s=0.5).open()
    yield d
    d.close()


def test_pragmas_wal_foreign_keys_full_sync(db: Database) -> None:
    with db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_foreign_keys_are_enforced(db: Database) -> None:
    import uuid

    def bad(s):  # type: ignore[no-untyped-def]
        s.add(
            Competency(
                job_id=uuid.uuid4(),
                key="x",
                position=0,
                category="general",
                name_zh="x",
                name_en="x",
                weight=1,
                required_level=5,
            )
        )

    with pytest.raises(IntegrityError):
        db.write(bad)


def test_all_writes_run_on_one_writer_thread(db: Database) -> None:
    names = set()

    def w(s):  # type: ignore[no-untyped-def]
        names.add(threading.current_thread().name)
        repo.save(s, Candidate(name="甲"))

    futures = []
    threads = [threading.Thread(target=lambda: futures.append(db.submit(w))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in futures:
        f.result()
    assert len(names) == 1 and next(iter(names)).startswith("db-writer")


def test_change_and_outbox_row_commit_or_fail_together(db: Database) -> None:
    def fails_after_save(s):  # type: ignore[no-untyped-def]
        repo.save(s, Candidate(name="乙"))
        raise RuntimeError("crash between change and commit")

    with pytest.raises(RuntimeError):
        db.write(fails_after_save)
    with db.read() as s:
        assert s.exec(select(Candidate)).all() == []
        assert s.exec(select(OutboxOp)).all() == []
    db.write(lambda s: repo.save(s, Candidate(name="乙")))
    with db.read() as s:
        ops = s.exec(select(OutboxOp)).all()
        assert [(o.entity, o.op, o.payload["name"]) for o in ops] == [("candidate", "upsert", "乙")]


def test_timestamps_are_utc_aware_and_naive_ones_refused(db: Database) -> None:
    cid = db.write(lambda s: repo.save(s, Candidate(name="丙")).id)
    with db.read() as s:
        c = s.get(Candidate, cid)
        assert c is not None and c.created_at.tzinfo is dt.UTC

    def naive(s):  # type: ignore[no-untyped-def]
        s.add(
            InterviewSession(
                candidate_id=cid, job_id=cid, scheduled_at=dt.datetime(2026, 1, 1, 9, 0)
            )
        )
        s.flush()

    with pytest.raises(Exception, match="naive datetime"):
        db.write(naive)


def test_head_schema_matches_the_tables(db: Database) -> None:
    with db.read() as s:
        ctx = MigrationContext.configure(
            s.connection(), opts={"include_object": include_object, "compare_type": True}
        )
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"tables and migrations disagree; write a migration: {diff}"


def test_first_migration_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, migrate.all_revisions()[0])
        assert migrate.current_revision(conn) == "0001"
        conn.execute(
            text(
                "INSERT INTO candidate (id, created_at, updated_at, name, email, phone, experience,"
                " projects, skills, source) VALUES ('0123456789abcdef0123456789abcdef',"
                " '2025-01-01 00:00:00', '2025-01-01 00:00:00', '欧阳娜娜', 'nana@example.com',"
                " '13912345678', '[]', '[]', '[\"SQL\"]', 'legacy')"
            )
        )
    engine.dispose()

    db = Database(path).open()
    try:
        with db.read() as s:
            assert migrate.current_revision(s.connection()) == migrate.head_revision()
            found = repo.search_candidates(s, "欧阳娜")
            assert [c.email for c in found] == ["nana@example.com"]
            assert [c.name for c in repo.search_candidates(s, "12345")] == ["欧阳娜娜"]
        # The triggers added by the upgrade keep the index current for new rows too.
        db.write(lambda s: repo.save(s, Candidate(name="司马相如", phone="13700001111")))
        with db.read() as s:
            assert [c.name for c in repo.search_candidates(s, "司马相")] == ["司马相如"]
    finally:
        db.close()


def test_random_bytes_are_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is no database at all" * 100)
    with pytest.raises(StorageError) as err:
        Database(path).open()
    assert err.value.kind is ErrorKind.DATABASE_CORRUPT
    assert str(path) in err.value.message


def test_damaged_pages_are_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    d = Database(path).open()
    d.write(
        lambda s: [
            repo.save(s, Candidate(name=f"候选人{i}", email=f"c{i}@x.cn")) for i in range(300)
        ]
    )
    d.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for p in range(2, len(data) // page):  # keep the header page, scramble the rest
        data[p * page + 8 : p * page + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError) as err:
        Database(path).open()
    assert err.value.kind is ErrorKind.DATABASE_CORRUPT


def test_a_locked_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    Database(path).open().close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sqlite3, sys, time
            c = sqlite3.connect({str(path)!r}, isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        with pytest.raises(StorageError) as err:
            Database(path, busy_timeout_s=0.3).open()
        assert err.value.kind is ErrorKind.DATABASE_LOCKED
        assert time.monotonic() - t0 < 10
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    Database(path).open().close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(StorageError) as err:
        Database(path).open()
    assert err.value.kind is ErrorKind.DATABASE_TOO_NEW


def test_failed_migration_leaves_the_file_unchanged(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001")
    engine.dispose()

    real_upgrade = migrate.upgrade

    def upgrade_then_fail(conn, target="head"):  # type: ignore[no-untyped-def]
        real_upgrade(conn, target)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrate, "upgrade", upgrade_then_fail)
    with pytest.raises(StorageError):
        Database(path).open()
    monkeypatch.setattr(migrate, "upgrade", real_upgrade)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert con.execute(
        "SELECT count(*) FROM sqlite_master WHERE name='candidate_fts'"
    ).fetchone() == (0,)
    con.close()


def test_job_rows_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    d = Database(path).open()
    d.write(
        lambda s: s.add(
            Job(slug="j", version=1, title_zh="职位", title_en="Job", content_hash="0" * 64)
        )
    )
    d.close()
    d = Database(path).open()
    with d.read() as s:
        assert [j.title_zh for j in s.exec(select(Job)).all()] == ["职位"]
    d.close()


def test_opening_a_database_at_the_newest_schema_skips_alembic(tmp_path: Path) -> None:
    """The revision read from the migration files agrees with Alembic's graph, and a second
    open (already at head) neither imports Alembic nor changes the version row; a database
    one migration behind is still upgraded on open."""
    assert migrate.quick_head() == migrate.head_revision()
    path = tmp_path / "t.db"
    Database(path).open().close()
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from app.storage.db import Database
        db = Database(Path({str(path)!r})).open()
        db.close()
        print("alembic" in sys.modules)
    """)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
    path = tmp_path / "behind.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, migrate.all_revisions()[-2])
    engine.dispose()
    probe = probe.replace("t.db", "behind.db")
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True"
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (migrate.head_revision(),)
    ]
    con.close()
