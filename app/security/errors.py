"""Errors of encryption at rest: a missing key or keychain, and a damaged encrypted file."""

from __future__ import annotations

from app.core.errors import ErrorKind, RoundTwoError


class KeyUnavailableError(RoundTwoError):
    """No key to encrypt or decrypt with (no keychain, key missing, passphrase not entered)."""

    kind = ErrorKind.MISSING_DEPENDENCY


class PassphraseError(RoundTwoError):
    """A wrong or unusable passphrase."""

    kind = ErrorKind.PERMISSION


class IntegrityError(RoundTwoError):
    """An encrypted file whose bytes were changed, cut, reordered or spliced."""

    kind = ErrorKind.INVALID_INPUT

    def __init__(self, message: str, *, chunk: int | None = None) -> None:
        super().__init__(message)
        self.chunk = chunk
