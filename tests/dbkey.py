"""Open a RoundTwo home's database the way the app does: encrypted with the key derived from
the home's settings (the test keychain of tests/conftest.py), or plaintext if it says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.settings import load_settings
from app.security.keys import database_key
from app.storage.db import Database, connect_raw


def home_key(home: Path) -> bytes | None:
    """The SQLCipher key of `home`'s database (None: plaintext)."""
    path = home / "settings.json"
    return database_key(load_settings(path), path, database=home / "roundtwo.db")


def connect(home: Path) -> Any:
    """A DB-API connection to `home`/roundtwo.db (sqlite3 or SQLCipher), autocommit off."""
    return connect_raw(home / "roundtwo.db", home_key(home))


def database(home: Path) -> Database:
    """The opened Database of `home` (migrated), keyed like the app's."""
    return Database(home / "roundtwo.db", key=home_key(home)).open()
