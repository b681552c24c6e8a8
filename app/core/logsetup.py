"""Logging to a rotating file in the data directory, plus a faulthandler crash log."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

_crash_file: IO[str] | None = None  # kept open for the life of the process: faulthandler needs it

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def configure_logging(log_file: Path, crash_log: Path, level: str = "INFO") -> None:
    """Log to `log_file` (5 x 2 MB), dump fatal-signal tracebacks of all threads to `crash_log`."""
    global _crash_file
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_roundtwo", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._roundtwo = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)

    if _crash_file is not None:
        _crash_file.close()
    _crash_file = crash_log.open("a", encoding="utf-8")
    faulthandler.enable(file=_crash_file, all_threads=True)

    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_uncaught


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("roundtwo.crash").critical("uncaught exception", exc_info=(exc_type, exc, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    logging.getLogger("roundtwo.crash").critical(
        "uncaught exception in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
