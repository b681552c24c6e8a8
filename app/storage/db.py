"""The SQLite database: pragmas, migrations on open, one writer thread, clear errors."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from app.core.errors import ErrorKind, StorageError
from app.storage import migrate

log = logging.getLogger(__name__)

T = TypeVar("T")
SQLITE_HEADER = b"SQLite format 3\x00"


def classify_sqlite_error(path: Path, exc: BaseException) -> StorageError:
    """Map a SQLite failure to something a person can act on (qutebrowser's split: the
    errors below are the user's to fix; anything else is a bug and is re-raised)."""
    text = str(getattr(exc, "orig", exc) or exc).lower()
    if "locked" in text or "busy" in text:
        return StorageError(
            f"The database {path} is locked by another program (another RoundTwo window?).",
            kind=ErrorKind.DATABASE_LOCKED,
            hint="Close the other program and try again.",
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError(
            f"The database {path} is damaged ({text.strip()}).",
            kind=ErrorKind.DATABASE_CORRUPT,
            hint="Restore it from a backup, or move it aside to start with an empty one.",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(
            f"The database {path} cannot be written ({text.strip()}).",
            kind=ErrorKind.PERMISSION,
            hint="Check the permissions of the data directory.",
        )
    if "disk is full" in text or "disk i/o" in text:
        return StorageError(
            f"The database {path} cannot be written: the disk is full or failing ({text.strip()}).",
            kind=ErrorKind.DISK_FULL,
        )
    raise exc


_USER_ERRORS = (sqlite3.DatabaseError, DBAPIError)


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except _USER_ERRORS as exc:
        raise classify_sqlite_error(path, exc) from exc


def _check_header(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if head != SQLITE_HEADER:
        raise StorageError(
            f"The database {path} is damaged (it is not an SQLite file).",
            kind=ErrorKind.DATABASE_CORRUPT,
            hint="Restore it from a backup, or move it aside to start with an empty one.",
        )


def make_engine(path: Path, busy_timeout_s: float = 5.0, *, writer: bool = False) -> Engine:
    """An engine whose transactions are real SQLite transactions (DDL included).

    pysqlite's own transaction handling skips DDL and begins lazily; we switch it off and
    emit BEGIN ourselves. The writer's engine uses BEGIN IMMEDIATE so it takes the write lock
    up front: a busy database then waits (busy_timeout) instead of failing on lock upgrade.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": busy_timeout_s, "check_same_thread": False},
        pool_size=1 if writer else 5,
        max_overflow=0 if writer else 10,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: consent, deletion and outbox rows must survive power loss; every domain
        # write carries an outbox row, and writes are batched, so the fsync cost is small.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    """One SQLite file. Reads use short sessions from any thread; every write goes through
    one executor with a single worker (Anki's pattern), so there is exactly one writer."""

    def __init__(self, path: Path, busy_timeout_s: float = 5.0) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.engine: Engine | None = None
        self.write_engine: Engine | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._writer_thread: threading.Thread | None = None

    def open(self, *, upgrade: bool = True) -> Database:
        """Check the file, apply pending migrations and prove we can write."""
        _check_header(self.path)
        engine = make_engine(self.path, self.busy_timeout_s)
        write_engine = make_engine(self.path, self.busy_timeout_s, writer=True)
        try:
            with sqlite_errors(self.path), engine.connect() as conn:
                result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                if result != "ok":
                    raise StorageError(
                        f"The database {self.path} is damaged (integrity check: {result}).",
                        kind=ErrorKind.DATABASE_CORRUPT,
                        hint="Restore it from a backup, or move it aside to start afresh.",
                    )
                known = migrate.head_revision()
                current = migrate.current_revision(conn)
                if current is not None and not migrate.is_known(current):
                    raise StorageError(
                        f"The database {self.path} was written by a newer RoundTwo "
                        f"(schema {current}; this version knows up to {known}).",
                        kind=ErrorKind.DATABASE_TOO_NEW,
                        hint="Install the newer RoundTwo or use another data directory.",
                    )
            if upgrade:
                # One IMMEDIATE transaction: a locked file is reported before any change,
                # and a failed migration leaves the file as it was.
                with sqlite_errors(self.path), write_engine.begin() as conn:
                    migrate.upgrade(conn)
            elif current is None or current != known:
                raise StorageError(
                    f"The database {self.path} needs an upgrade (schema {current}, "
                    f"current {known}).",
                    kind=ErrorKind.CONFLICT,
                    hint="Run `roundtwo db upgrade`.",
                )
        except BaseException:
            engine.dispose()
            write_engine.dispose()
            raise
        self.engine = engine
        self.write_engine = write_engine
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        return self

    def _require_engine(self) -> Engine:
        if self.engine is None:
            raise RuntimeError("database is not open")
        return self.engine

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with sqlite_errors(self.path), Session(self._require_engine()) as session:
            yield session

    def submit(self, fn: Callable[[Session], T]) -> Future[T]:
        """Run `fn(session)` in the writer thread and commit; the future holds its result."""
        if self._writer is None or self.write_engine is None:
            raise RuntimeError("database is not open")
        engine = self.write_engine

        def job() -> T:
            with sqlite_errors(self.path), Session(engine, expire_on_commit=False) as session:
                try:
                    result = fn(session)
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
                finally:
                    session.info.pop("outbox_seq", None)
                return result

        return self._writer.submit(job)

    def write(self, fn: Callable[[Session], T], timeout: float | None = 60.0) -> T:
        return self.submit(fn).result(timeout=timeout)

    def maintenance(self, *statements: str) -> None:
        """Run statements that must not be inside a transaction (VACUUM, checkpoints) on the
        writer thread, so they never race a write."""
        if self._writer is None or self.write_engine is None:
            raise RuntimeError("database is not open")
        engine = self.write_engine

        def job() -> None:
            with sqlite_errors(self.path):
                raw = engine.raw_connection()
                try:
                    cur = raw.cursor()
                    for sql in statements:
                        cur.execute(sql)
                    cur.close()
                finally:
                    raw.close()

        self._writer.submit(job).result(timeout=600)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        if self.write_engine is not None:
            with contextlib.suppress(Exception), self.write_engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.write_engine.dispose()
            self.write_engine = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Database", "OperationalError", "classify_sqlite_error", "make_engine", "sqlite_errors"]
