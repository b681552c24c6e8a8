"""The automation worker: one thread per hub that reads new synced records (rules) and sends
due jobs from the queue. Started and stopped with the hub; its clock can be replaced in tests."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
import uuid
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from server import audit
from server.automation import delivery, mailer, queue, rules
from server.config import HubSettings
from server.db import session_scope
from server.tables import QueuedJob, utcnow

log = logging.getLogger(__name__)


def unit_of(s: Session, job: QueuedJob) -> uuid.UUID | None:
    """The org unit a job's log rows belong to (its candidate's), so unit-scoped HR see them."""
    cand = rules.live(s, "candidate", job.candidate_ref)
    return cand.org_unit_id if cand is not None else None


class AutomationWorker:
    def __init__(self, settings: HubSettings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.clock: Callable[[], dt.datetime] = utcnow
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()  # one tick at a time (the thread, or a test's run_once)
        self._thread: threading.Thread | None = None
        self._warned_no_smtp = False

    def now(self) -> dt.datetime:
        return self.clock()

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="hub-automation", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def wake(self) -> None:
        """Ask for a tick now (after a booking, so the confirmation goes out at once)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a bad record or a database hiccup must not end the worker
                log.exception("automation tick failed")
            self._wake.wait(self.settings.automation_poll_seconds)
            self._wake.clear()

    # --- one tick ------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Read new records, then send every due job; returns how many jobs were handled."""
        with self._lock:
            while not self._stop.is_set():
                with session_scope(self.engine) as s:
                    if rules.process_new_records(s, self.settings, self.now()) < rules.BATCH:
                        break
            handled = 0
            conn = mailer.Connection(
                self.settings.smtp_host,
                self.settings.smtp_port,
                self.settings.smtp_timeout_seconds,
            )
            try:
                while not self._stop.is_set() and self._one_job(conn):
                    handled += 1
            finally:
                conn.close()
            return handled

    def _one_job(self, conn: mailer.Connection) -> bool:
        now = self.now()
        if not self.settings.smtp_host:
            if not self._warned_no_smtp:
                log.warning("no SMTP host is configured: automation e-mails wait in the queue")
                self._warned_no_smtp = True
            return False
        try:
            with session_scope(self.engine) as s:
                job = queue.claim(s, now, self.settings.queue_lease_seconds)
                if job is None:
                    return False
                job_id = job.id
        except OperationalError:
            log.exception("could not claim a job")
            return False
        with session_scope(self.engine) as s:
            job = s.get(QueuedJob, job_id)
            assert job is not None
            try:
                r = delivery.render_job(s, job, self.settings, now)
            except Exception as exc:  # a job that cannot render must not block the queue
                log.exception("job %s (%s) cannot be rendered", job_id, job.key)
                s.rollback()  # whatever the renderer did is void; the failure is recorded
                job = s.get(QueuedJob, job_id)
                assert job is not None
                queue.finish(s, job_id, queue.FAILED, now, f"cannot render: {exc}")
                queue.log(
                    s,
                    job,
                    "—",
                    job.kind,
                    queue.FAILED,
                    f"cannot render: {exc}",
                    now=now,
                    org_unit_id=unit_of(s, job),
                )
                return True
            if r.later is not None:  # not due yet after all (e.g. the interview end moved)
                job.status = queue.PENDING
                job.run_at = r.later
                job.lease_until = None
                job.attempts = max(0, job.attempts - 1)
                s.add(job)
                return True
            if r.out is None:
                queue.finish(s, job_id, queue.SKIPPED, now, r.skip)
                queue.log(
                    s,
                    job,
                    "—",
                    job.kind,
                    queue.SKIPPED,
                    r.skip,
                    now=now,
                    org_unit_id=r.org_unit_id or unit_of(s, job),
                )
                return True
            msg = mailer.build_message(r.out, self.settings.smtp_sender, job.message_id, now)
            key, candidate, org_unit = job.key, job.candidate_ref, r.org_unit_id
        out = r.out
        try:
            conn.send(msg)
        except mailer.PermanentFailureError as exc:
            self._record(job_id, out, r.recipients, queue.FAILED, str(exc), org_unit)
            return True
        except (OSError, smtplib.SMTPException) as exc:
            self._record(
                job_id, out, r.recipients, "retrying", f"{type(exc).__name__}: {exc}", org_unit
            )
            return True
        self._record(job_id, out, r.recipients, queue.SENT, "accepted by the SMTP server", org_unit)
        log.info("sent %s to %s (candidate %s)", key, ", ".join(r.recipients), candidate)
        return True

    def _record(
        self,
        job_id: uuid.UUID,
        out: mailer.Outgoing,
        recipients: list[str],
        result: str,
        detail: str,
        org_unit: uuid.UUID | None,
    ) -> None:
        now = self.now()
        with session_scope(self.engine) as s:
            job = s.get(QueuedJob, job_id)
            assert job is not None
            if result == "retrying":
                if job.attempts >= self.settings.queue_max_attempts:
                    result = queue.FAILED
                    detail = f"gave up after {job.attempts} attempts: {detail}"
                    queue.finish(s, job_id, queue.FAILED, now, detail)
                else:
                    at = queue.retry_later(
                        s, job_id, now, self.settings.queue_backoff_seconds, detail
                    )
                    detail = f"{detail}; next attempt at {at.isoformat()}"
            else:
                queue.finish(s, job_id, result, now, "" if result == queue.SENT else detail)
                audit.mail_sent(s, job, result, len(recipients))
            for to in recipients:
                queue.log(s, job, to, out.subject, result, detail, now=now, org_unit_id=org_unit)
