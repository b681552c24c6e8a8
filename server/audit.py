"""The hub's hash-chained audit log (#11): who logged in, viewed, exported, changed or deleted what.

`record()` queues an event on the session; the events are appended just before that session's
transaction commits, so an audit row commits together with the action it records (and is lost
with it on a rollback). Appending takes the organisation's `hub_audit_head` row lock last in
every transaction, so it cannot deadlock with the server-sequence counter lock, and seqs are
gapless per organisation. Each row's `hash` is sha256 over a canonical JSON of its fields
including `prev_hash` (the hash of the row before), so editing, deleting or inserting a row is
detected by `verify()`.

Rows hold ids, roles, action names and small counts/codes only: no names, e-mails, phones or
free text (the deletion test byte-scans the hub for personal data). Strings in `detail` that do
not look like a code are replaced before they are stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session
from sqlmodel import select as sm_select

from server.tables import AuditEntry, AuditHead, QueuedJob, User, utcnow

if TYPE_CHECKING:
    from server.identity import Principal

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Events that belong to no organisation (a failed log-in with an e-mail no user has) form
# their own chain under the nil id; no admin API shows it, `verify()` checks it.
HUB_WIDE = uuid.UUID(int=0)
SYSTEM, ANONYMOUS = "system", "anonymous"

_PENDING = "roundtwo_audit_pending"
_HOOKED = "roundtwo_audit_hooked"
_CODE = re.compile(r"^[A-Za-z0-9_.:\-]{0,64}$")
_REDACTED = "(redacted)"
_MAX_LIST = 50

ENTRY = AuditEntry.__table__  # type: ignore[attr-defined]
HEAD = AuditHead.__table__  # type: ignore[attr-defined]
HASHED = (
    "seq",
    "org_id",
    "at",
    "actor_id",
    "device_id",
    "actor_role",
    "action",
    "target",
    "target_id",
    "detail",
    "prev_hash",
)


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    DEVICE_ENROL = "device_enrol"
    USER_CREATE = "user_create"
    ENROLMENT_CODE_ISSUE = "enrolment_code_issue"
    DEVICE_REVOKE = "device_revoke"
    ASSIGNMENT_CREATE = "assignment_create"
    EXPORT = "export"  # HRIS exchange export
    IMPORT = "import"  # HRIS exchange import
    VIEW_REPORT = "view_report"  # a job's dashboard page
    DASHBOARD_EXPORT = "dashboard_export"
    VIEW_IMPACT = "view_impact"
    IMPACT_EXPORT = "impact_export"
    DEMOGRAPHICS_IMPORT = "demographics_import"
    DELETION_REQUEST = "deletion_request"
    PROFILE_CHANGE = "profile_change"
    REPORT_SENT = "report_sent"  # automation: the interview report e-mailed to HR/managers
    AUDIT_EXPORT = "audit_export"


# --- recording ---------------------------------------------------------------------------------


@dataclass
class _Event:
    org_id: uuid.UUID
    at: dt.datetime
    actor_id: uuid.UUID | None
    device_id: uuid.UUID | None
    actor_role: str
    action: str
    target: str | None
    target_id: uuid.UUID | None
    detail: dict[str, Any] = field(default_factory=dict)


def _clean_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, str):
        if _CODE.match(value):
            return value
        log.warning("audit detail %r is not a code; stored redacted", key)
        return _REDACTED
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return [_clean_value(key, v) for v in items[:_MAX_LIST]]
    log.warning("audit detail %r of type %s is not stored", key, type(value).__name__)
    return _REDACTED


def clean_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """Counts, ids, booleans and code-like strings only; anything else is redacted."""
    out: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        k = str(key) if _CODE.match(str(key)) else _REDACTED
        out[k] = _clean_value(k, value)
    return out


def record(
    s: Session,
    who: Principal | None,
    action: AuditAction,
    target: str | None = None,
    target_id: uuid.UUID | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    org_id: uuid.UUID | None = None,
    role: str | None = None,
) -> None:
    """Queue one audit event on `s`; it is appended when `s` commits (never if it rolls back).
    `who` is the caller (None for the system or an unknown caller: give `org_id` then)."""
    org = org_id or (who.org_id if who is not None else None)
    if org is None:
        raise ValueError("an audit event needs the caller or an organisation")
    if target is not None and not _CODE.match(target):
        raise ValueError(f"audit target {target!r} is not an entity name")
    ev = _Event(
        org_id=org,
        at=utcnow(),
        actor_id=who.user_id if who is not None else None,
        device_id=who.device_id if who is not None else None,
        actor_role=role or (who.role.value if who is not None else SYSTEM),
        action=action.value,
        target=target,
        target_id=target_id,
        detail=clean_detail(detail),
    )
    s.info.setdefault(_PENDING, []).append(ev)
    if not s.info.get(_HOOKED):
        s.info[_HOOKED] = True
        event.listen(s, "before_commit", _append_pending)
        event.listen(s, "after_transaction_end", _forget_pending)


def login_failed(s: Session, email: str, via: str) -> None:
    """A failed log-in: the account's org and id if the e-mail names a user, else hub-wide.
    The e-mail itself is never stored."""
    user = s.exec(sm_select(User).where(User.email == email.strip().lower())).first()
    org = user.org_id if user is not None else HUB_WIDE
    record(
        s,
        None,
        AuditAction.LOGIN_FAILED,
        "user" if user is not None else None,
        user.id if user is not None else None,
        {"via": via, "known_user": user is not None},
        org_id=org,
        role=ANONYMOUS,
    )


def mail_sent(s: Session, job: QueuedJob, result: str, recipients: int) -> None:
    """Automation: an interview report e-mail the SMTP server accepted (other mails are in the
    notifications log). Recipients are counted, never named."""
    if result != "sent" or job.kind != "report":
        return
    session_id = job.payload.get("session_id")
    record(
        s,
        None,
        AuditAction.REPORT_SENT,
        "interviewsession",
        uuid.UUID(str(session_id)) if session_id else None,
        {"job": job.id, "candidate": job.candidate_ref, "recipients": recipients},
        org_id=job.org_id,
    )


def _forget_pending(s: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        s.info.pop(_PENDING, None)


def _append_pending(s: Session) -> None:
    pending: list[_Event] = s.info.pop(_PENDING, None) or []
    if not pending:
        return
    # The action's own writes (and the row locks they take) first: the audit head lock is the
    # last lock of the transaction, so two transactions never wait for each other through it.
    s.flush()
    by_org: dict[uuid.UUID, list[_Event]] = {}
    for ev in pending:
        by_org.setdefault(ev.org_id, []).append(ev)
    for org in sorted(by_org):  # a fixed lock order if one transaction touches two orgs
        append(s, org, by_org[org])


def _lock_head(s: Session, org_id: uuid.UUID) -> tuple[int, str]:
    q = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.org_id == org_id).with_for_update()
    row = s.execute(q).first()
    if row is None:
        values = {"org_id": org_id, "seq": 0, "hash": GENESIS}
        if s.get_bind().dialect.name == "postgresql":
            stmt: Any = postgresql.insert(HEAD).values(**values).on_conflict_do_nothing()
        else:
            stmt = sqlite.insert(HEAD).values(**values).on_conflict_do_nothing()
        s.execute(stmt)
        row = s.execute(q).one()
    return int(row[0]), str(row[1])


def append(s: Session, org_id: uuid.UUID, events: list[_Event]) -> int:
    """Append `events` to `org_id`'s chain inside the current transaction; returns the last seq."""
    seq, prev = _lock_head(s, org_id)
    for ev in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "org_id": org_id,
            "at": ev.at,
            "actor_id": ev.actor_id,
            "device_id": ev.device_id,
            "actor_role": ev.actor_role,
            "action": ev.action,
            "target": ev.target,
            "target_id": ev.target_id,
            "detail": ev.detail,
            "prev_hash": prev,
        }
        row["hash"] = prev = digest(row)
        s.execute(ENTRY.insert().values(**row))
    s.execute(update(HEAD).where(HEAD.c.org_id == org_id).values(seq=seq, hash=prev))
    return seq


# --- the chain ---------------------------------------------------------------------------------


def _canon(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return utc.isoformat(timespec="microseconds")
    return value


def canonical(row: Mapping[str, Any]) -> bytes:
    """The bytes a row's hash covers: sorted-key compact JSON of every field but `hash`.
    `row` may be a database row or an exported JSON line (time as an ISO string)."""
    body = {k: _canon(row[k]) for k in HASHED}
    if isinstance(body["at"], str):
        body["at"] = _canon(dt.datetime.fromisoformat(body["at"]))
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


class Verification(BaseModel):
    """The verifier's answer: `broken` lists every seq whose hash or link does not hold, or
    that is missing (a deleted row, or a cut-off tail)."""

    intact: bool
    broken: list[int]
    rows: int


def _rows(s: Session, org_id: uuid.UUID) -> Iterator[Any]:
    q = (
        select(ENTRY)
        .where(ENTRY.c.org_id == org_id)
        .order_by(ENTRY.c.seq)
        .execution_options(yield_per=1000)
    )
    yield from s.execute(q).mappings()


def verify(s: Session, org_id: uuid.UUID) -> Verification:
    """Recompute `org_id`'s chain from the first row to the head."""
    broken: set[int] = set()
    prev, expected, n = GENESIS, 1, 0
    for r in _rows(s, org_id):
        n += 1
        seq = int(r["seq"])
        if seq > expected:
            broken.update(range(expected, seq))  # rows deleted from the middle
        if seq < 1 or digest(r) != r["hash"] or r["prev_hash"] != prev:
            broken.add(seq)
        prev, expected = str(r["hash"]), seq + 1
    last = expected - 1
    head = s.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.org_id == org_id)).first()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head is not None else (0, GENESIS)
    if head_seq > last:
        broken.update(range(last + 1, head_seq + 1))  # rows cut off the end
    elif head_seq < last:
        broken.update(range(head_seq + 1, last + 1))  # rows added behind the appender's back
    elif head_hash != prev:
        broken.add(last)
    return Verification(intact=not broken, broken=sorted(broken), rows=n)


def verify_all(s: Session) -> dict[uuid.UUID, Verification]:
    """Every organisation's chain (and the hub-wide one), by org id."""
    orgs = {r[0] for r in s.execute(select(HEAD.c.org_id)).all()}
    orgs |= {r[0] for r in s.execute(select(ENTRY.c.org_id).distinct()).all()}
    return {org: verify(s, org) for org in sorted(orgs)}


# --- reading -----------------------------------------------------------------------------------


class AuditRow(BaseModel):
    org_id: uuid.UUID
    seq: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    device_id: uuid.UUID | None
    actor_role: str
    action: str
    target: str | None
    target_id: uuid.UUID | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    rows: list[AuditRow]
    next_cursor: int | None  # pass as `cursor` for the next page; None = no more rows


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    actor_id: uuid.UUID | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """A filter time in UTC (no zone = UTC); times beyond the calendar's ends are clamped."""
    if t is None:
        return None
    try:
        return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
    except OverflowError:
        return (
            dt.datetime.max.replace(tzinfo=dt.UTC)
            if t.year > 1
            else dt.datetime.min.replace(tzinfo=dt.UTC)
        )


def _query(org_id: uuid.UUID, f: Filters) -> Any:
    q = select(ENTRY).where(ENTRY.c.org_id == org_id)
    if f.action is not None:
        q = q.where(ENTRY.c.action == f.action)
    if f.actor_id is not None:
        q = q.where(ENTRY.c.actor_id == f.actor_id)
    if f.since is not None:
        q = q.where(ENTRY.c.at >= _aware(f.since))
    if f.until is not None:
        q = q.where(ENTRY.c.at < _aware(f.until))
    return q


def page(
    s: Session,
    org_id: uuid.UUID,
    f: Filters,
    cursor: int | None = None,
    limit: int = 100,
    newest_first: bool = True,
) -> AuditPage:
    """One page of `org_id`'s log; `cursor` is the last seq of the previous page."""
    q = _query(org_id, f)
    if newest_first:
        if cursor is not None:
            q = q.where(ENTRY.c.seq < cursor)
        q = q.order_by(ENTRY.c.seq.desc())
    else:
        if cursor is not None:
            q = q.where(ENTRY.c.seq > cursor)
        q = q.order_by(ENTRY.c.seq)
    rows = [AuditRow.model_validate(dict(r)) for r in s.execute(q.limit(limit + 1)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows=rows, next_cursor=rows[-1].seq if more else None)


CSV_COLUMNS = list(AuditRow.model_fields)


def export(s: Session, org_id: uuid.UUID, f: Filters, fmt: str) -> tuple[bytes, int]:
    """The whole (filtered) log, oldest first, as JSON lines or CSV; returns (bytes, rows).
    Each row carries `prev_hash` and `hash`, so the chain can be checked outside the hub."""
    q = _query(org_id, f).order_by(ENTRY.c.seq).execution_options(yield_per=1000)
    rows = (AuditRow.model_validate(dict(r)) for r in s.execute(q).mappings())
    n = 0
    if fmt == "jsonl":
        lines = []
        for row in rows:
            lines.append(row.model_dump_json())
            n += 1
        return ("\n".join(lines) + ("\n" if lines else "")).encode(), n
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for row in rows:
        d = row.model_dump(mode="json")
        d["detail"] = json.dumps(d["detail"], sort_keys=True, separators=(",", ":"))
        w.writerow(["" if d[c] is None else d[c] for c in CSV_COLUMNS])
        n += 1
    return buf.getvalue().encode("utf-8"), n
