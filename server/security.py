"""Password hashing (argon2id) and opaque bearer tokens stored only as their sha256."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's RFC 9106 "low memory" profile unless the settings say otherwise
# (tests use a cheap profile; production keeps the default).
_hasher = PasswordHasher()


def configure_hasher(time_cost: int | None, memory_kib: int | None) -> None:
    global _hasher
    default = PasswordHasher()
    _hasher = PasswordHasher(
        time_cost=time_cost or default.time_cost,
        memory_cost=memory_kib or default.memory_cost,
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    """Short enough to type: 12 characters in groups, without look-alike letters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")
