"""The SQLite database: pragmas, migrations on open, one writer thread, clear errors."""

from __future__ import annotations

import contextlib
import json
import logging
import os
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


def dump_json(value: Any) -> str:
    """JSON columns as UTF-8 without padding: a Chinese character costs 3 bytes instead of
    the 6 of a \\u escape (outbox payloads of a Chinese import were a third smaller)."""
    return _JSON.encode(value)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


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


def _cipher_module() -> Any:
    """The SQLCipher DB-API module (sqlcipher3-wheels: SQLCipher 4 with OpenSSL, FTS5)."""
    import sqlcipher3

    return sqlcipher3


def _user_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, DBAPIError)
    with contextlib.suppress(ImportError):  # a development install without SQLCipher
        errors += (_cipher_module().DatabaseError,)
    return errors


_USER_ERRORS = _user_errors()


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except _USER_ERRORS as exc:
        raise classify_sqlite_error(path, exc) from exc


def is_plaintext(path: Path) -> bool | None:
    """True: a plaintext SQLite file; False: something else (encrypted or damaged);
    None: no file yet (or an empty one)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    return head == SQLITE_HEADER


def _check_header(path: Path, key: bytes | None) -> None:
    plain = is_plaintext(path)
    if plain is None:
        return
    if key is None and not plain:
        raise StorageError(
            f"The database {path} is damaged or encrypted (it is not a plaintext SQLite file).",
            kind=ErrorKind.DATABASE_CORRUPT,
            hint="If it is encrypted, turn 'database_encryption' back on in settings.json; "
            "otherwise restore it from a backup, or move it aside to start with an empty one.",
        )
    if key is not None and plain:
        encrypt_in_place(path, key)


def connect_raw(path: Path, key: bytes | None, timeout_s: float = 5.0) -> Any:
    """A DB-API connection: sqlite3 for a plaintext file, SQLCipher keyed with the raw 256-bit
    `key` (no KDF: the key is already random or scrypt-derived) for an encrypted one."""
    if key is None:
        return sqlite3.connect(path, timeout=timeout_s, check_same_thread=False)
    if len(key) != 32:
        raise ValueError("a database key has 32 bytes")
    conn = _cipher_module().connect(str(path), timeout=timeout_s, check_same_thread=False)
    # The key must be the first statement that reads the file. SQLCipher's own log would
    # print "hmac check failed" lines on stderr for a wrong key: we say it in one sentence.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Turn a plaintext database into an SQLCipher one (see `change_key`)."""
    change_key(path, None, key)


def change_key(path: Path, old_key: bytes | None, new_key: bytes | None) -> None:
    """Rewrite the database under `new_key` (None: plaintext) with sqlcipher_export,
    crash-safely: the new copy is written and fsynced beside it, the old file's bytes are
    overwritten with zeros (its free pages may hold deleted plaintext), then the copy takes
    its name. A crash before the rename leaves the old file whole (the next open starts
    again); the database must not be open elsewhere."""
    tmp = path.with_name(path.name + ".rekeying")
    tmp.unlink(missing_ok=True)
    target = "''" if new_key is None else f"\"x'{new_key.hex()}'\""
    with sqlite_errors(path):
        if old_key is None:
            src = _cipher_module().connect(str(path), timeout=30, check_same_thread=False)
        else:
            src = connect_raw(path, old_key, 30)
        try:
            src.isolation_level = None
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = src.execute("PRAGMA user_version").fetchone()[0]
            src.execute(f"ATTACH DATABASE ? AS rekeyed KEY {target}", (str(tmp),))
            src.execute("SELECT sqlcipher_export('rekeyed')")
            src.execute(f"PRAGMA rekeyed.user_version = {int(version)}")
            src.execute("DETACH DATABASE rekeyed")
        finally:
            src.close()
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    size = path.stat().st_size
    with path.open("rb+") as f:
        zeros = b"\0" * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(zeros))
            f.write(zeros[:n])
            left -= n
        f.flush()
        os.fsync(f.fileno())
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    tmp.replace(path)
    _fsync_dir(path.parent)
    log.info(
        "rewrote the database %s: %s -> %s",
        path,
        "plaintext" if old_key is None else "encrypted",
        "plaintext" if new_key is None else "encrypted",
    )


def make_engine(
    path: Path, busy_timeout_s: float = 5.0, *, writer: bool = False, key: bytes | None = None
) -> Engine:
    """An engine whose transactions are real SQLite transactions (DDL included).

    pysqlite's own transaction handling skips DDL and begins lazily; we switch it off and
    emit BEGIN ourselves. The writer's engine uses BEGIN IMMEDIATE so it takes the write lock
    up front: a busy database then waits (busy_timeout) instead of failing on lock upgrade.
    With a `key` the file is an SQLCipher database (AES-256, HMAC per page).
    """
    extra: dict[str, Any] = {}
    if key is not None:
        extra["module"] = _cipher_module()
    engine = create_engine(
        f"sqlite:///{path}",
        creator=lambda: connect_raw(path, key, busy_timeout_s),
        pool_size=1 if writer else 5,
        max_overflow=0 if writer else 10,
        json_serializer=dump_json,
        **extra,
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

    def __init__(self, path: Path, busy_timeout_s: float = 5.0, key: bytes | None = None) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.key = key
        self.engine: Engine | None = None
        self.write_engine: Engine | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._writer_thread: threading.Thread | None = None

    def open(self, *, upgrade: bool = True) -> Database:
        """Check the file, apply pending migrations and prove we can write."""
        _check_header(self.path, self.key)
        engine = make_engine(self.path, self.busy_timeout_s, key=self.key)
        write_engine = make_engine(self.path, self.busy_timeout_s, writer=True, key=self.key)
        try:
            with self._open_errors(), engine.connect() as conn:
                result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
                if result != "ok":
                    raise StorageError(
                        f"The database {self.path} is damaged (integrity check: {result}).",
                        kind=ErrorKind.DATABASE_CORRUPT,
                        hint="Restore it from a backup, or move it aside to start afresh.",
                    )
                if migrate.at_head(conn):
                    current = known = migrate.quick_head()
                else:
                    known = migrate.head_revision()
                    current = migrate.current_revision(conn)
                if current is not None and current != known and not migrate.is_known(current):
                    raise StorageError(
                        f"The database {self.path} was written by a newer RoundTwo "
                        f"(schema {current}; this version knows up to {known}).",
                        kind=ErrorKind.DATABASE_TOO_NEW,
                        hint="Install the newer RoundTwo or use another data directory.",
                    )
            if upgrade:
                # One IMMEDIATE transaction: a locked file is reported before any change,
                # and a failed migration leaves the file as it was. At the newest schema it
                # is only the proof that we can write.
                with sqlite_errors(self.path), write_engine.begin() as conn:
                    if current != known:
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

    @contextlib.contextmanager
    def _open_errors(self) -> Iterator[None]:
        """On open, "not a database" from SQLCipher means the key does not fit (or the file
        is damaged): say both, since the two cannot be told apart."""
        try:
            with sqlite_errors(self.path):
                yield
        except StorageError as exc:
            if self.key is not None and exc.kind == ErrorKind.DATABASE_CORRUPT:
                raise StorageError(
                    f"The database {self.path} cannot be decrypted with this installation's "
                    "key: it was encrypted with another key (another keychain, account or "
                    "passphrase) or it is damaged.",
                    kind=ErrorKind.DATABASE_CORRUPT,
                    hint="Use the keychain or passphrase it was made with, or restore it "
                    "from a backup.",
                ) from exc
            raise

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

    def maintenance(self, *statements: str, wait: bool = True) -> None:
        """Run statements that must not be inside a transaction (VACUUM, checkpoints) on the
        writer thread, so they never race a write. `wait=False` queues them and returns;
        a failure is logged."""
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

        fut = self._writer.submit(job)
        if wait:
            fut.result(timeout=600)
            return

        def report(f: Future[None]) -> None:
            if f.exception() is not None:
                log.warning("%s failed: %s", "; ".join(statements), f.exception())

        fut.add_done_callback(report)

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


__all__ = [
    "Database",
    "OperationalError",
    "change_key",
    "classify_sqlite_error",
    "connect_raw",
    "encrypt_in_place",
    "is_plaintext",
    "make_engine",
    "sqlite_errors",
]
