"""Worker processes for the cleaning stage of a big import.

Cleaning is pure Python and the slowest stage of a big import, so from `PARALLEL_MIN_ROWS`
rows on it is spread over worker processes. They are spawned (never forked), so they are safe
from the GUI's threads and work in the frozen app, whose entry point calls freeze_support().

Two things make a spawned worker cheap:
- It does not re-run the parent's main module. `spawn` normally imports `__main__` again in
  every child (the GUI's entry point, the CLI, a benchmark driver: Qt, NumPy, the models), which
  cost each worker more CPU than its share of the cleaning. The workers run only
  `app.migrate.rows.clean_chunk`, an importable function, so the main module is hidden while
  they start.
- It starts while the file is still being read (`start_for`), when a file is big enough to
  make one likely to be needed.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from app.migrate.rows import warm

T = TypeVar("T")

PARALLEL_MIN_ROWS = 20_000
CHUNK_ROWS = 5000
# A file of this size is likely to hold PARALLEL_MIN_ROWS rows (an .xlsx row of a candidate
# export takes 60-80 compressed bytes, a CSV row 80-150): start the workers while reading.
EARLY_START_BYTES = 1_200_000

_main_lock = threading.Lock()


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """While processes start, `__main__` is a bare module with no file and no spec, so
    multiprocessing's spawn preparation has no main module to re-import in the child."""
    with _main_lock:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def workers_for(rows: int) -> int:
    """How many cleaning processes `rows` rows deserve (1 = clean in this process)."""
    if rows < PARALLEL_MIN_ROWS:
        return 1
    return max(1, min(os.cpu_count() or 1, 4, rows // CHUNK_ROWS))


class CleaningPool:
    """A process pool whose workers are started as soon as it is made."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=gc.disable
        )
        # ProcessPoolExecutor starts a process per submit while none is idle: one warm-up
        # task per worker starts them all now, and each imports the cleaning code.
        with _main_hidden():
            self._warm = [self._pool.submit(warm) for _ in range(workers)]

    def submit(self, fn: Callable[..., T], /, *args: Any) -> Future[T]:
        with _main_hidden():  # in case a worker has to be replaced
            return self._pool.submit(fn, *args)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)

    @classmethod
    def start_for(cls, path: Path) -> CleaningPool | None:
        """A pool started before `path` is read, if the file is big enough to need one."""
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size < EARLY_START_BYTES:
            return None
        return cls(workers_for(PARALLEL_MIN_ROWS * 4))
