"""`roundtwo privacy keys ...`: which keychain holds the master key (recordings and the
database), and passphrase mode. Switching mode re-encrypts the database under the new key."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from app.core.errors import InvalidInputError


def register_keys(privacy: Any) -> None:
    """Add `keys` under `roundtwo privacy` (called from cmd_privacy.register)."""
    k: argparse.ArgumentParser = privacy.add_parser(
        "keys", help="encryption at rest: the key of recordings and database, where it is kept"
    )
    ks = k.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)
    st = ks.add_parser("status", help="keychain backend, encryption mode, key present")
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=_status)
    kc = ks.add_parser(
        "keychain-mode", help="encrypt recordings and database with a key in the OS keychain"
    )
    kc.set_defaults(handler=_keychain_mode)
    pm = ks.add_parser(
        "passphrase-mode",
        help="(admin) encrypt with a key derived from a passphrase entered at start",
        description="For computers without a usable OS keychain. The passphrase is asked at "
        "each start (or read from ROUNDTWO_PASSPHRASE); only a salt and a verifier are "
        "stored. A lost passphrase makes the database and recordings unreadable.",
    )
    pm.add_argument("--yes", action="store_true", help="confirm (an admin decision)")
    pm.add_argument(
        "--if-no-keychain",
        action="store_true",
        help="only if the OS keychain is not usable and passphrase mode is not on yet "
        "(used by `make demo` for its sample-data home)",
    )
    pm.set_defaults(handler=_passphrase_mode)


def _settings() -> tuple[Any, Any]:
    from app.core.paths import prepare_home
    from app.core.settings import load_settings

    paths = prepare_home(None)
    return load_settings(paths.settings), paths.settings


def _status(args: argparse.Namespace) -> int:
    from app.security.keys import keychain_status, stored_key_present

    settings, _ = _settings()
    st = keychain_status()
    key_id = settings.recording_key_id
    info = {
        "mode": settings.recording_encryption,
        "backend": st.backend,
        "keychain_usable": st.usable,
        "keychain_problem": st.reason,
        "key_id": key_id or None,
        "key_in_keychain": stored_key_present(key_id) if key_id and st.usable else False,
        "passphrase_set": bool(settings.recording_passphrase),
    }
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    for name, value in info.items():
        print(f"{name:16} {value if value not in (None, '') else '-'}")
    return 0


def _database_key_now(settings: Any, path: Any) -> bytes | None:
    """The database's current key (asks for the passphrase on a terminal if needed)."""
    from app.core.paths import prepare_home
    from app.security.keys import database_key, needs_passphrase, unlock_passphrase
    from app.storage.db import is_plaintext

    if is_plaintext(prepare_home(None).database) in (None, True):
        return None  # no database yet, or not encrypted yet: nothing to decrypt
    if needs_passphrase(settings) and sys.stdin.isatty():
        unlock_passphrase(settings.recording_passphrase, getpass.getpass("Current passphrase: "))
    return database_key(settings, path, database=prepare_home(None).database)


def _rekey(old_key: bytes | None, new_key: bytes | None) -> None:
    from app.core.paths import prepare_home
    from app.storage.db import change_key, is_plaintext

    db = prepare_home(None).database
    if is_plaintext(db) is None or old_key == new_key:
        return
    if is_plaintext(db) and old_key is not None:
        old_key = None  # not encrypted yet (made before encryption was on)
    change_key(db, old_key, new_key)
    print(f"the database {db} was re-encrypted under the new key")


def _keychain_mode(args: argparse.Namespace) -> int:
    from app.core.settings import save_settings
    from app.security.keys import database_key, recording_key

    settings, path = _settings()
    old_db_key = _database_key_now(settings, path)
    settings.recording_encryption = "keychain"
    key = recording_key(settings, path)  # refuses without a usable keychain
    _rekey(old_db_key, database_key(settings, path))
    save_settings(path, settings)
    assert key is not None
    print(f"recordings are encrypted with key {key.key_id.hex()} from the OS keychain")
    return 0


def _passphrase_mode(args: argparse.Namespace) -> int:
    from app.core.settings import save_settings
    from app.security.keys import (
        PASSPHRASE_ENV,
        database_key,
        keychain_status,
        passphrase_record,
        unlock_passphrase,
    )

    if not args.yes:
        raise InvalidInputError(
            "Passphrase mode is an administrator's decision: add --yes to confirm."
        )
    if args.if_no_keychain:
        current, _ = _settings()
        if keychain_status().usable or current.recording_encryption == "passphrase":
            return 0
        print(
            "No usable OS keychain: this data directory now uses passphrase mode.",
            file=sys.stderr,
        )
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase is None:
        if not sys.stdin.isatty():
            raise InvalidInputError(f"No passphrase: run in a terminal or set {PASSPHRASE_ENV}.")
        passphrase = getpass.getpass("New recording passphrase: ")
        if getpass.getpass("Repeat it: ") != passphrase:
            raise InvalidInputError("The two passphrases differ; nothing was changed.")
    settings, path = _settings()
    record = passphrase_record(passphrase)
    old_db_key = None if args.if_no_keychain else _database_key_now(settings, path)
    key = unlock_passphrase(record, passphrase)
    settings.recording_passphrase = record
    settings.recording_encryption = "passphrase"
    _rekey(old_db_key, database_key(settings, path))
    save_settings(path, settings)
    print(f"recordings are encrypted with key {key.key_id.hex()} from the passphrase")
    return 0
