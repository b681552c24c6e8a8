"""Background sync: a thread that syncs every `interval_s`, backs off (exponential, jittered)
while the hub is unreachable, and waits for a person when the problem needs one."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.core.errors import RoundTwoError
from app.sync.client import SyncError
from app.sync.engine import SyncReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    """What the UI shows: the last outcome and when the next attempt comes."""

    ok: bool
    message: str
    next_in_s: float
    failures: int
    report: SyncReport | None = None
    needs_person: bool = False


class SyncWorker:
    def __init__(
        self,
        run_once: Callable[[], SyncReport],
        *,
        interval_s: float = 300.0,
        base_backoff_s: float = 5.0,
        max_backoff_s: float = 900.0,
        on_status: Callable[[SyncStatus], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.run_once = run_once
        self.interval_s = interval_s
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.on_status = on_status
        self.rng = rng or random.Random()
        self.failures = 0
        self.last: SyncStatus | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="sync-worker", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def backoff(self) -> float:
        """Delay after the n-th failure in a row: full jitter, capped."""
        ceiling = min(self.max_backoff_s, self.base_backoff_s * 2 ** max(0, self.failures - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def step(self) -> SyncStatus:
        """One attempt; returns the status (also published)."""
        try:
            report = self.run_once()
        except SyncError as exc:
            self.failures += 1
            if exc.retryable:
                status = SyncStatus(False, exc.user_message(), self.backoff(), self.failures)
            else:  # wrong token, revoked device, version mismatch: retrying will not help
                status = SyncStatus(
                    False, exc.user_message(), self.max_backoff_s, self.failures, needs_person=True
                )
        except RoundTwoError as exc:
            self.failures += 1
            status = SyncStatus(False, exc.user_message(), self.backoff(), self.failures)
        except Exception as exc:  # a bug: log it, keep the worker alive, back off
            log.exception("sync failed")
            self.failures += 1
            status = SyncStatus(False, f"Sync failed: {exc}", self.backoff(), self.failures)
        else:
            self.failures = 0
            msg = f"Synced: {report.pushed} sent, {report.pulled} received"
            if report.rejected:
                msg += f", {len(report.rejected)} refused by the hub"
            status = SyncStatus(True, msg + ".", self.interval_s, 0, report)
        self.last = status
        if self.on_status is not None:
            self.on_status(status)
        return status

    def _loop(self) -> None:
        while not self._stop.is_set():
            status = self.step()
            self._wake.wait(status.next_in_s)
            self._wake.clear()
