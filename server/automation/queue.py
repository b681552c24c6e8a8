"""The persistent job queue: idempotent enqueue, leased claims, sent/retry/failed, the log.

Guarantee (stated, and tested with a killed hub): a job is claimed in one committed
transaction (status `sending`, a lease, its fixed Message-ID), then sent over SMTP, then marked
`sent` in a second transaction. A crash before the SMTP server accepts the message leaves the
job `sending`; when its lease runs out it is sent again — once, because the server never took
the first copy. Only a crash in the few milliseconds between the server's "250 accepted" and our
commit can produce a second copy; it carries the SAME Message-ID, so receivers that
de-duplicate by Message-ID drop it, and the log shows the retry. Nothing is ever sent twice
for any other reason: the idempotency key (`kind:object[:recipient]`) is unique.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from server.tables import Notification, QueuedJob

PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
Clock = Callable[[], dt.datetime]


def message_id_for(key: str, domain: str = "roundtwo.hub") -> str:
    """A Message-ID fixed by the idempotency key, so any re-send is recognisably the same."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def enqueue(
    s: Session,
    *,
    key: str,
    kind: str,
    org_id: uuid.UUID,
    run_at: dt.datetime,
    candidate_ref: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Add a job unless one with this key exists; True if it was added. Safe under concurrent
    transactions: the unique key decides, with INSERT ... ON CONFLICT DO NOTHING."""
    values = {
        "id": uuid.uuid4(),
        "key": key,
        "kind": kind,
        "org_id": org_id,
        "candidate_ref": candidate_ref,
        "payload": payload or {},
        "status": PENDING,
        "attempts": 0,
        "run_at": run_at,
        "message_id": message_id_for(key),
        "last_error": "",
        "created_at": dt.datetime.now(dt.UTC),
    }
    table = QueuedJob.__table__  # type: ignore[attr-defined]
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    result: Any = s.execute(stmt)
    return bool(result.rowcount)


def claim(s: Session, now: dt.datetime, lease_seconds: float) -> QueuedJob | None:
    """Take the next due job (or one whose sender died: lease run out) and lease it."""
    row = s.exec(
        select(QueuedJob)
        .where(
            or_(
                (col(QueuedJob.status) == PENDING) & (col(QueuedJob.run_at) <= now),
                (col(QueuedJob.status) == SENDING) & (col(QueuedJob.lease_until) <= now),
            )
        )
        .order_by(col(QueuedJob.run_at), col(QueuedJob.created_at))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    row.status = SENDING
    row.attempts += 1
    row.lease_until = now + dt.timedelta(seconds=lease_seconds)
    s.add(row)
    s.flush()
    return row


def log(
    s: Session,
    job: QueuedJob,
    recipient: str,
    subject: str,
    result: str,
    detail: str = "",
    *,
    now: dt.datetime,
    org_unit_id: uuid.UUID | None = None,
) -> None:
    s.add(
        Notification(
            org_id=job.org_id,
            org_unit_id=org_unit_id,
            candidate_ref=job.candidate_ref,
            job_id=job.id,
            kind=job.kind,
            recipient=recipient[:200],
            subject=subject[:300],
            message_id=job.message_id,
            result=result,
            detail=detail[:500],
            created_at=now,
        )
    )


def finish(s: Session, job_id: uuid.UUID, status: str, now: dt.datetime, error: str = "") -> None:
    job = s.get(QueuedJob, job_id)
    assert job is not None
    job.status = status
    job.lease_until = None
    job.last_error = error[:500]
    if status == SENT:
        job.sent_at = now
    s.add(job)


def retry_later(
    s: Session, job_id: uuid.UUID, now: dt.datetime, base_seconds: float, error: str
) -> dt.datetime:
    """Exponential backoff: base, 2x base, 4x base ... capped at a day."""
    job = s.get(QueuedJob, job_id)
    assert job is not None
    delay = min(base_seconds * 2 ** max(0, job.attempts - 1), 86400.0)
    job.status = PENDING
    job.lease_until = None
    job.run_at = now + dt.timedelta(seconds=delay)
    job.last_error = error[:500]
    s.add(job)
    return job.run_at
