"""Recording keys: one random master key per installation in the OS keychain (keyring), or,
only if an admin chose it, a key derived from a passphrase entered at start (scrypt).

No usable keychain and no passphrase mode means recording is refused: there is no plaintext
fallback. Keys are found again by the key id written in each encrypted file's header, so a
reader needs no settings: first this process's unlocked keys, then the keychain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.settings import Settings, save_settings
from app.security.errors import KeyUnavailableError, PassphraseError

log = logging.getLogger(__name__)

SERVICE = "RoundTwo recording keys"
KEY_ID_SIZE = 16
PASSPHRASE_ENV = "ROUNDTWO_PASSPHRASE"
LEGACY_PASSPHRASE_ENV = "ROUNDTWO_RECORDING_PASSPHRASE"
MIN_PASSPHRASE = 12
# scrypt cost: 2**15 * 8 * 128 B = 32 MiB of memory, about 0.1 s on a laptop core.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
ADMIN_HINT = (
    "Install or unlock the system keychain (Windows Credential Manager, macOS Keychain, "
    "GNOME Keyring/KWallet), or an administrator can choose passphrase mode with "
    "`roundtwo privacy keys passphrase-mode`."
)


@dataclass(frozen=True)
class RecordingKey:
    """A 32-byte master key and its id (the id is stored in every file it encrypts)."""

    key_id: bytes
    secret: bytes = field(repr=False)

    @staticmethod
    def from_secret(secret: bytes) -> RecordingKey:
        if len(secret) != 32:
            raise ValueError("a recording key has 32 bytes")
        return RecordingKey(key_id_of(secret), secret)


def key_id_of(secret: bytes) -> bytes:
    return hashlib.sha256(b"roundtwo key id\x00" + secret).digest()[:KEY_ID_SIZE]


_unlocked: dict[bytes, RecordingKey] = {}
_unlocked_lock = threading.Lock()


def remember(key: RecordingKey) -> None:
    """Keep `key` in this process's memory (a passphrase key entered at start)."""
    with _unlocked_lock:
        _unlocked[key.key_id] = key


def forget_all() -> None:
    with _unlocked_lock:
        _unlocked.clear()


# --- the keychain ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeychainStatus:
    backend: str
    usable: bool
    reason: str


def _backend() -> Any:
    import keyring

    return keyring.get_keyring()


def keychain_status() -> KeychainStatus:
    """Which keyring backend this process would use and whether it can keep secrets."""
    try:
        kr = _backend()
    except Exception as exc:  # a broken keyring configuration file or backend import
        return KeychainStatus("unknown", False, f"the keyring could not be loaded ({exc})")
    cls = type(kr)
    name = f"{cls.__module__}.{cls.__qualname__}"
    from keyring.backends import chainer, fail

    if isinstance(kr, fail.Keyring):
        return KeychainStatus(name, False, "no OS keychain backend is available")
    if isinstance(kr, chainer.ChainerBackend) and not kr.backends:
        return KeychainStatus(name, False, "no OS keychain backend is available")
    try:
        priority = float(kr.priority)
    except Exception as exc:  # backends compute priority by probing the system
        return KeychainStatus(name, False, f"the keychain is not usable ({exc})")
    if priority <= 0:
        return KeychainStatus(name, False, "the keychain backend reports it is not usable")
    return KeychainStatus(name, True, "")


def _keychain_get(key_id: bytes) -> RecordingKey | None:
    from keyring.errors import KeyringError

    try:
        value = _backend().get_password(SERVICE, key_id.hex())
    except KeyringError as exc:
        raise KeyUnavailableError(f"the keychain could not be read ({exc}).") from exc
    if value is None:
        return None
    key = RecordingKey.from_secret(base64.b64decode(value))
    if key.key_id != key_id:
        raise KeyUnavailableError(f"the keychain entry of key {key_id.hex()} is damaged.")
    return key


def _keychain_put(key: RecordingKey) -> None:
    from keyring.errors import KeyringError

    try:
        _backend().set_password(SERVICE, key.key_id.hex(), base64.b64encode(key.secret).decode())
    except KeyringError as exc:
        raise KeyUnavailableError(
            f"Recording refused: the new recording key could not be stored in the keychain "
            f"({exc}).",
            hint=ADMIN_HINT,
        ) from exc


def find_key(key_id: bytes) -> RecordingKey:
    """The key with this id: unlocked in this process, else from the keychain."""
    with _unlocked_lock:
        key = _unlocked.get(key_id)
    if key is not None:
        return key
    status = keychain_status()
    if status.usable:
        key = _keychain_get(key_id)
        if key is not None:
            remember(key)
            return key
        raise KeyUnavailableError(
            f"its key {key_id.hex()} is neither in the keychain ({status.backend}) nor "
            "unlocked with a passphrase in this run.",
            hint=f"In passphrase mode set {PASSPHRASE_ENV} or enter the passphrase at start.",
        )
    raise KeyUnavailableError(
        f"its key {key_id.hex()} is not unlocked and {status.reason} ({status.backend}).",
        hint=ADMIN_HINT,
    )


# --- passphrase mode -------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32
    )


def _verifier(secret: bytes) -> str:
    return hmac.new(secret, b"roundtwo passphrase verifier", hashlib.sha256).hexdigest()


def passphrase_record(passphrase: str) -> str:
    """What settings keep for passphrase mode: KDF, parameters, salt and a verifier."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseError(
            f"The recording passphrase must have at least {MIN_PASSPHRASE} characters."
        )
    salt = secrets.token_bytes(16)
    secret = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    salt_b64 = base64.b64encode(salt).decode()
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt_b64}${_verifier(secret)}"


def unlock_passphrase(record: str, passphrase: str) -> RecordingKey:
    """Derive the key from `passphrase`, check it against the stored verifier, remember it."""
    try:
        kdf, n, r, p, salt_b64, verifier = record.split("$")
        if kdf != "scrypt":
            raise ValueError(kdf)
        salt = base64.b64decode(salt_b64, validate=True)
        params = int(n), int(r), int(p)
    except ValueError as exc:
        raise PassphraseError(
            "The settings field 'recording_passphrase' is not a valid passphrase record "
            f"({exc}); an administrator must set passphrase mode again."
        ) from exc
    secret = _derive(passphrase, salt, *params)
    if not hmac.compare_digest(_verifier(secret), verifier):
        raise PassphraseError("The passphrase is wrong.")
    key = RecordingKey.from_secret(secret)
    remember(key)
    return key


# --- the key for new recordings --------------------------------------------------------------


def passphrase_from_env() -> str | None:
    """The passphrase given in the environment (command line, kiosk and test runs)."""
    import os

    return os.environ.get(PASSPHRASE_ENV) or os.environ.get(LEGACY_PASSPHRASE_ENV) or None


def unlocked_for(record: str) -> RecordingKey | None:
    """The key this process already unlocked for passphrase `record` (entered at start)."""
    verifier = record.rsplit("$", 1)[-1]
    with _unlocked_lock:
        keys = list(_unlocked.values())
    for key in keys:
        if hmac.compare_digest(_verifier(key.secret), verifier):
            return key
    return None


def needs_passphrase(settings: Settings) -> bool:
    """True if starting needs a passphrase this process does not have yet (GUI: ask)."""
    return (
        settings.recording_encryption == "passphrase"
        and bool(settings.recording_passphrase)
        and unlocked_for(settings.recording_passphrase) is None
        and passphrase_from_env() is None
    )


def recording_key(
    settings: Settings,
    settings_path: Path,
    *,
    passphrase: str | None = None,
    refused: str = "Recording refused",
    what: str = "recordings",
) -> RecordingKey | None:
    """The installation's master key, per `settings.recording_encryption`; new recordings
    are encrypted with it and the database key is derived from it.

    "off" gives None (plaintext; for development only). "keychain" makes the installation's
    key on first use and keeps its id in settings; no usable keychain raises
    KeyUnavailableError, never a plaintext fallback. "passphrase" needs the passphrase: given,
    already entered in this process, or in the environment.
    """
    mode = settings.recording_encryption
    if mode == "off":
        return None
    if mode == "passphrase":
        if not settings.recording_passphrase:
            raise PassphraseError(
                f"{settings_path}: 'recording_encryption' is 'passphrase' but no passphrase "
                "was set; an administrator must run `roundtwo privacy keys passphrase-mode`."
            )
        if passphrase is None:
            known = unlocked_for(settings.recording_passphrase)
            if known is not None:
                return known
            passphrase = passphrase_from_env()
        if passphrase is None:
            raise KeyUnavailableError(
                f"{refused}: passphrase mode is on and no passphrase was entered.",
                hint=f"Enter it at start (or set {PASSPHRASE_ENV} for the command line).",
            )
        return unlock_passphrase(settings.recording_passphrase, passphrase)
    status = keychain_status()
    if not status.usable:
        raise KeyUnavailableError(
            f"{refused}: {what} must be encrypted and {status.reason} "
            f"(keyring backend {status.backend}).",
            hint=ADMIN_HINT,
        )
    if settings.recording_key_id:
        key_id = bytes.fromhex(settings.recording_key_id)
        key = _keychain_get(key_id)
        if key is None:
            raise KeyUnavailableError(
                f"{refused}: the key {settings.recording_key_id} named in "
                f"{settings_path} is not in the keychain ({status.backend}); the database "
                "and recordings made with it cannot be read on this account.",
                hint="Restore the keychain, or clear 'recording_key_id' to start a new key.",
            )
        remember(key)
        return key
    key = RecordingKey.from_secret(secrets.token_bytes(32))
    _keychain_put(key)
    settings.recording_key_id = key.key_id.hex()
    save_settings(settings_path, settings)
    log.info("created recording key %s in %s", settings.recording_key_id, status.backend)
    remember(key)
    return key


DATABASE_KEY_INFO = b"roundtwo database key v1"


def key_id_file(database: Path) -> Path:
    """Beside the database: the id (not the key) of the keychain key it is encrypted with,
    so a lost or reset settings file does not make a new key and lock the data out."""
    return database.with_name(database.name + ".key-id")


def database_key(
    settings: Settings,
    settings_path: Path,
    *,
    passphrase: str | None = None,
    database: Path | None = None,
) -> bytes | None:
    """The raw 256-bit SQLCipher key of the local database, derived from the master key
    (HMAC-SHA256 with a fixed label, so it never equals a recording's file key); None when
    the database is kept in plaintext (`database_encryption` off, or encryption 'off').

    With `database` given, keychain mode finds the key id again from the file beside it
    when settings lost it, and keeps that file up to date."""
    if not settings.database_encryption or settings.recording_encryption == "off":
        return None
    id_file = key_id_file(database) if database is not None else None
    if (
        settings.recording_encryption == "keychain"
        and id_file is not None
        and not settings.recording_key_id
        and id_file.is_file()
    ):
        kept = id_file.read_text(encoding="ascii").strip()
        if len(kept) == 2 * KEY_ID_SIZE and all(c in "0123456789abcdef" for c in kept):
            log.warning("settings had no key id; using %s from %s", kept, id_file)
            settings.recording_key_id = kept
            save_settings(settings_path, settings)
    master = recording_key(
        settings,
        settings_path,
        passphrase=passphrase,
        refused="The local database was not opened",
        what="candidate data",
    )
    if master is None:  # pragma: no cover - "off" returned above
        return None
    if id_file is not None and settings.recording_encryption == "keychain":
        wanted = master.key_id.hex()
        if not id_file.is_file() or id_file.read_text(encoding="ascii").strip() != wanted:
            id_file.write_text(wanted + "\n", encoding="ascii")
    return hmac.new(master.secret, DATABASE_KEY_INFO, hashlib.sha256).digest()


def stored_key_present(key_id_hex: str) -> bool:
    """True if the keychain holds the key with this id (for `privacy keys status`)."""
    try:
        return _keychain_get(bytes.fromhex(key_id_hex)) is not None
    except (ValueError, KeyUnavailableError):
        return False
