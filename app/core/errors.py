"""Typed errors with kinds: one place decides how each kind is shown to a person."""

from __future__ import annotations

import enum


class ErrorKind(enum.Enum):
    """What went wrong, from the user's point of view; decides the exit code and the dialog."""

    INVALID_INPUT = "invalid-input"
    NOT_FOUND = "not-found"
    DATABASE_CORRUPT = "database-corrupt"
    DATABASE_LOCKED = "database-locked"
    DATABASE_TOO_NEW = "database-too-new"
    PERMISSION = "permission"
    DISK_FULL = "disk-full"
    MISSING_DEPENDENCY = "missing-dependency"
    DEVICE = "device"
    CONFLICT = "conflict"
    INTERNAL = "internal"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]


# Exit codes follow the BSD sysexits conventions where one fits.
_EXIT_CODES: dict[ErrorKind, int] = {
    ErrorKind.INVALID_INPUT: 65,  # EX_DATAERR
    ErrorKind.NOT_FOUND: 66,  # EX_NOINPUT
    ErrorKind.DATABASE_CORRUPT: 74,  # EX_IOERR
    ErrorKind.DATABASE_LOCKED: 75,  # EX_TEMPFAIL
    ErrorKind.DATABASE_TOO_NEW: 65,
    ErrorKind.PERMISSION: 77,  # EX_NOPERM
    ErrorKind.DISK_FULL: 74,
    ErrorKind.MISSING_DEPENDENCY: 69,  # EX_UNAVAILABLE
    ErrorKind.DEVICE: 69,
    ErrorKind.CONFLICT: 75,
    ErrorKind.INTERNAL: 70,  # EX_SOFTWARE
}


class RoundTwoError(Exception):
    """An error a person can act on. `message` is one complete sentence, shown as is."""

    kind: ErrorKind = ErrorKind.INTERNAL

    def __init__(self, message: str, *, kind: ErrorKind | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if kind is not None:
            self.kind = kind

    def user_message(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InvalidInputError(RoundTwoError):
    kind = ErrorKind.INVALID_INPUT


class NotFoundError(RoundTwoError):
    kind = ErrorKind.NOT_FOUND


class ProfileError(InvalidInputError):
    """A job profile file that cannot be used; the message names the file and the field."""


class SettingsError(InvalidInputError):
    """A settings file that cannot be used; the message names the file and the field."""


class DataDirError(RoundTwoError):
    kind = ErrorKind.PERMISSION


class StorageError(RoundTwoError):
    """Database trouble a person can act on (corrupt, locked, too new, disk full)."""


class DependencyError(RoundTwoError):
    kind = ErrorKind.MISSING_DEPENDENCY
