"""The local database encrypted at rest (SQLCipher, #11): what is on disk, where the key comes
from, what happens without one, and the upgrade of a plaintext database in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from app.context import open_context
from app.core.errors import ErrorKind, StorageError
from app.core.settings import load_settings, save_settings
from app.security import keys
from app.security.errors import KeyUnavailableError
from app.storage import repo
from app.storage.db import SQLITE_HEADER, Database, change_key, connect_raw
from app.storage.tables import Candidate
from tests.dbkey import home_key

NAME = "欧阳明轩"
EMAIL = "mingxuan.ouyang@example.cn"
PHONE = "13912345678"
NEEDLES = [NAME.encode(), EMAIL.encode(), PHONE.encode()]


def _add_candidate(db: Database) -> None:
    db.write(lambda s: s.add(Candidate(name=NAME, email=EMAIL, phone=PHONE)))


def _files(home: Path) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file()]


def _leaks(home: Path) -> list[str]:
    return [f"{p.name}:{n!r}" for p in _files(home) for n in NEEDLES if n in p.read_bytes()]


def test_a_new_database_is_encrypted_and_searchable(home: Path) -> None:
    with open_context() as ctx:
        _add_candidate(ctx.db)
        with ctx.db.read() as s:  # FTS5 trigram search works inside SQLCipher
            hits = repo.search_candidates(s, "欧阳明")
        assert [c.name for c in hits] == [NAME]
        assert ctx.db.key is not None
    db = home / "roundtwo.db"
    assert db.read_bytes()[:16] != SQLITE_HEADER
    assert _leaks(home) == []  # database, WAL, settings, logs: no plaintext anywhere
    # The same installation opens it again; a plain SQLite reader cannot.
    with open_context() as ctx, ctx.db.read() as s:
        assert s.exec(select(Candidate.email)).all() == [EMAIL]
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(db).execute("select count(*) from candidate").fetchone()


def test_a_plaintext_database_is_encrypted_in_place(home: Path) -> None:
    home.mkdir(parents=True)
    settings = load_settings(home / "settings.json")
    settings.database_encryption = False
    save_settings(home / "settings.json", settings)
    with open_context() as ctx:
        assert ctx.db.key is None
        _add_candidate(ctx.db)
        # deleted rows leave their bytes in free pages unless overwritten: make some
        ctx.db.write(lambda s: s.add(Candidate(name="临时" + NAME, email="x" + EMAIL)))
    assert (home / "roundtwo.db").read_bytes()[:16] == SQLITE_HEADER
    assert _leaks(home) != []  # the scan does find plaintext: the check below can fail

    settings = load_settings(home / "settings.json")
    settings.database_encryption = True
    save_settings(home / "settings.json", settings)
    with open_context() as ctx, ctx.db.read() as s:
        assert sorted(s.exec(select(Candidate.name)).all()) == sorted([NAME, "临时" + NAME])
    assert (home / "roundtwo.db").read_bytes()[:16] != SQLITE_HEADER
    assert not (home / "roundtwo.db.rekeying").exists()
    assert _leaks(home) == []


def test_a_crash_while_encrypting_leaves_the_plaintext_file_whole(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = home / "roundtwo.db"
    home.mkdir(parents=True)
    db = Database(path).open()
    _add_candidate(db)
    db.close()
    before = path.read_bytes()

    with monkeypatch.context() as m:  # the power goes before the copy is on disk
        m.setattr("app.storage.db.os.fsync", lambda fd: (_ for _ in ()).throw(OSError("cut")))
        with pytest.raises(OSError, match="cut"):
            change_key(path, None, b"k" * 32)
    assert path.read_bytes() == before  # the copy was not finished: nothing touched
    change_key(path, None, b"k" * 32)  # the next attempt succeeds
    with Database(path, key=b"k" * 32).open() as again, again.read() as s:
        assert s.exec(select(Candidate.name)).all() == [NAME]


def test_the_wrong_key_is_one_clear_error(home: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with open_context() as ctx:
        _add_candidate(ctx.db)
    path = home / "roundtwo.db"
    with pytest.raises(StorageError) as err:
        Database(path, key=b"\x01" * 32).open()
    assert err.value.kind is ErrorKind.DATABASE_CORRUPT
    assert "cannot be decrypted" in err.value.message and str(path) in err.value.message
    assert "hmac" not in capfd.readouterr().err  # SQLCipher's own log stays quiet
    with pytest.raises(StorageError, match="damaged or encrypted"):
        Database(path).open()  # encryption turned off by hand: not read as garbage


def test_no_keychain_refuses_before_any_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    with pytest.raises(KeyUnavailableError) as err:
        open_context()
    assert "database was not opened" in err.value.message
    assert "no OS keychain" in err.value.message
    assert not (home / "roundtwo.db").exists()


def test_lost_settings_find_the_key_again(home: Path) -> None:
    with open_context() as ctx:
        _add_candidate(ctx.db)
        key_id = ctx.settings.recording_key_id
    assert (home / "roundtwo.db.key-id").read_text().strip() == key_id
    (home / "settings.json").write_text(json.dumps({"version": 4}))  # reset by hand
    with open_context() as ctx, ctx.db.read() as s:
        assert s.exec(select(Candidate.name)).all() == [NAME]
        assert ctx.settings.recording_key_id == key_id


def test_passphrase_mode_and_switching_back_rekey_the_database(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    pw = "a long enough passphrase"
    assert cli("demo").returncode == 0
    keychain_key = home_key(home)
    r = cli("privacy", "keys", "passphrase-mode", "--yes", env={"ROUNDTWO_PASSPHRASE": pw})
    assert r.returncode == 0 and "re-encrypted" in r.stdout, r.stderr
    missing = cli("jobs", "list", env={"ROUNDTWO_PASSPHRASE": ""})
    assert missing.returncode != 0
    assert "no passphrase was entered" in missing.stderr and "Traceback" not in missing.stderr
    wrong = cli("jobs", "list", env={"ROUNDTWO_PASSPHRASE": pw + "?"})
    assert wrong.returncode != 0 and "passphrase is wrong" in wrong.stderr
    assert cli("jobs", "list", env={"ROUNDTWO_PASSPHRASE": pw}).returncode == 0
    with pytest.raises(Exception, match="not a database"):  # the keychain key no longer fits
        connect_raw(home / "roundtwo.db", keychain_key).execute("select 1 from job").fetchone()

    keys.forget_all()
    back = cli("privacy", "keys", "keychain-mode", env={"ROUNDTWO_PASSPHRASE": pw})
    assert back.returncode == 0 and "re-encrypted" in back.stdout, back.stderr
    assert cli("report", "latest", "--json", str(home.parent / "r.json")).returncode == 0
    assert home_key(home) == keychain_key  # the same keychain key as before the round trip
