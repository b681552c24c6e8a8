"""Cancelling long work: the UI sets a `threading.Event`; the core checks it between steps."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.errors import ErrorKind, RoundTwoError

# (done, total) in whatever unit the work counts: files, frames, pages, steps.
StepProgress = Callable[[int, int], None]


class CancelledError(RoundTwoError):
    """The person stopped the work; what was already committed stays consistent."""

    kind = ErrorKind.CONFLICT


def check(cancel: threading.Event | None, what: str) -> None:
    """Raise `CancelledError` naming the work when `cancel` is set."""
    if cancel is not None and cancel.is_set():
        raise CancelledError(f"{what} was cancelled.")
