"""Laptop audit logs on the hub (#11): each device pushes its own hash-chained audit log at
every sync; the hub re-checks every row before storing it, keeps it per device, verifies the
stored chains on demand, lists them per device and exports them for auditors.

On receipt each new row must carry the next seq, link onto the previous stored row of that
device (`prev_hash`), and its `hash` must be what `app.core.auditchain.audit_digest` gives for
its content - the laptop's own digest. Anything else refuses the whole page (422, naming the
device and the seq), so nothing of it is stored. Rows the hub already holds are a no-op when
their hash is the same and a conflict (409) when it is not: the laptop's log changed after it
was sent. The answer is always the highest seq the hub holds without a gap.

The rows are stored as the laptop wrote them (the hash covers them), so the hub cannot redact
them the way `server.audit` cleans its own details: keeping them free of personal data is the
job of the laptop code that writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.core.auditchain import GENESIS_HASH, audit_digest
from app.sync import protocol as p
from server.audit import Filters
from server.errors import HubError, invalid
from server.identity import Principal
from server.tables import Device, DeviceAuditEntry, DeviceAuditHead, utcnow

log = logging.getLogger(__name__)

ENTRY = DeviceAuditEntry.__table__  # type: ignore[attr-defined]
HEAD = DeviceAuditHead.__table__  # type: ignore[attr-defined]
DEVICE = Device.__table__  # type: ignore[attr-defined]


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    """A time in UTC (no zone = UTC: SQLite keeps none); a filter time beyond the calendar's
    ends is clamped."""
    if t is None:
        return None
    try:
        return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.max if t.year > 1 else dt.datetime.min
        return edge.replace(tzinfo=dt.UTC)


def row_digest(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The laptop's digest of a stored or received row (a mapping of its columns)."""
    return audit_digest(
        prev_hash,
        seq=int(row["seq"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        detail=row["detail"],
    )


# --- receiving ---------------------------------------------------------------------------------


def _head(s: Session, device_id: uuid.UUID) -> tuple[int, str] | None:
    row = s.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.device_id == device_id)).first()
    return None if row is None else (int(row[0]), str(row[1]))


def _lock_head(s: Session, org_id: uuid.UUID, device_id: uuid.UUID) -> tuple[int, str]:
    """The device's head row, locked until the transaction ends (created at seq 0 if new)."""
    q = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.device_id == device_id).with_for_update()
    row = s.execute(q).first()
    if row is None:
        values = {"device_id": device_id, "org_id": org_id, "seq": 0, "hash": GENESIS_HASH}
        if s.get_bind().dialect.name == "postgresql":
            stmt: Any = postgresql.insert(HEAD).values(**values).on_conflict_do_nothing()
        else:
            stmt = sqlite.insert(HEAD).values(**values).on_conflict_do_nothing()
        s.execute(stmt)
        row = s.execute(q).one()
    return int(row[0]), str(row[1])


def _refuse(device_id: uuid.UUID, seq: int, why: str, status: int = 422) -> HubError:
    message = f"Device {device_id}'s audit row seq {seq} was refused: {why}."
    log.warning("%s", message)
    if status == 409:
        return HubError(409, p.ErrorCode.CONFLICT, message)
    return invalid(message)


def receive(s: Session, who: Principal, rows: Sequence[p.DeviceAuditRow]) -> p.AuditPushResult:
    """Store a page of the calling device's audit log (all of it or nothing) and answer the
    highest seq the hub now holds for the device without a gap."""
    device = who.device_id
    if device is None:
        if rows:
            raise invalid(
                "Audit rows can only be sent by an enrolled laptop (a device token); this "
                "request used a person's log-in token."
            )
        return p.AuditPushResult(device_id=None, acked_seq=0, stored=0, already_held=0)
    if not rows:
        head = _head(s, device)
        return p.AuditPushResult(
            device_id=device, acked_seq=head[0] if head else 0, stored=0, already_held=0
        )
    for before, row in itertools.pairwise(rows):
        if row.seq != before.seq + 1:
            raise _refuse(
                device, row.seq, f"the page is not contiguous (it follows seq {before.seq})"
            )
    held, prev = _lock_head(s, who.org_id, device)

    old = [r for r in rows if r.seq <= held]
    if old:
        q = select(ENTRY.c.seq, ENTRY.c.hash).where(
            ENTRY.c.device_id == device, ENTRY.c.seq.in_([r.seq for r in old])
        )
        stored: dict[int, str] = {int(r[0]): str(r[1]) for r in s.execute(q).all()}
        for r in old:
            if r.seq in stored and stored[r.seq] != r.hash:
                raise _refuse(
                    device,
                    r.seq,
                    "the hub already holds a different row with this seq (the laptop's log "
                    "changed after it was sent)",
                    status=409,
                )

    new = [r for r in rows if r.seq > held]
    if new and new[0].seq != held + 1:
        raise _refuse(
            device,
            new[0].seq,
            f"the hub holds this device's log only up to seq {held}, so seqs "
            f"{held + 1}-{new[0].seq - 1} are missing",
        )
    now = utcnow()
    values: list[dict[str, Any]] = []
    for r in new:
        data = r.model_dump()
        if r.prev_hash != prev:
            raise _refuse(device, r.seq, f"it does not link onto seq {r.seq - 1} (prev_hash)")
        if row_digest(prev, data) != r.hash:
            raise _refuse(device, r.seq, "its content does not match its hash")
        prev = r.hash
        values.append(
            {**data, "device_id": device, "org_id": who.org_id, "user_id": who.user_id}
            | {"received_at": now}
        )
    if values:
        s.execute(ENTRY.insert(), values)
        s.execute(
            update(HEAD)
            .where(HEAD.c.device_id == device)
            .values(seq=new[-1].seq, hash=prev, received_at=now)
        )
        held = new[-1].seq
    return p.AuditPushResult(
        device_id=device, acked_seq=held, stored=len(values), already_held=len(old)
    )


# --- verifying ---------------------------------------------------------------------------------


class DeviceVerification(BaseModel):
    """`broken`: every seq whose hash or link does not hold, or that is missing (a deleted
    row, or a cut-off tail)."""

    device_id: uuid.UUID
    intact: bool
    broken: list[int]
    rows: int


def _rows(s: Session, device_id: uuid.UUID) -> Iterator[Any]:
    q = (
        select(ENTRY)
        .where(ENTRY.c.device_id == device_id)
        .order_by(ENTRY.c.seq)
        .execution_options(yield_per=1000)
    )
    yield from s.execute(q).mappings()


def verify_device(s: Session, device_id: uuid.UUID) -> DeviceVerification:
    """Recompute one device's stored chain from seq 1 to the head the pushes left."""
    broken: set[int] = set()
    prev, expected, n = GENESIS_HASH, 1, 0
    for r in _rows(s, device_id):
        n += 1
        seq = int(r["seq"])
        if seq > expected:
            broken.update(range(expected, seq))  # rows deleted from the middle
        if r["prev_hash"] != prev or row_digest(prev, r) != r["hash"]:
            broken.add(seq)
        prev, expected = str(r["hash"]), seq + 1
    last = expected - 1
    head = _head(s, device_id)
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    if head_seq > last:
        broken.update(range(last + 1, head_seq + 1))  # rows cut off the end
    elif head_seq < last:
        broken.update(range(head_seq + 1, last + 1))  # rows added behind the receiver's back
    elif head_hash != prev:
        broken.add(last)
    return DeviceVerification(device_id=device_id, intact=not broken, broken=sorted(broken), rows=n)


# --- reading -----------------------------------------------------------------------------------


class DeviceAuditSummary(BaseModel):
    """One device's log on the hub. `first_at`/`last_at` are the laptop's own times of its
    first and last row; `last_received_at` is when the hub last stored rows of it."""

    device_id: uuid.UUID
    device_name: str | None
    user_id: uuid.UUID | None
    revoked: bool
    rows: int
    last_seq: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    last_received_at: dt.datetime | None
    verified: bool
    broken: list[int]


def devices(s: Session, org_id: uuid.UUID) -> list[DeviceAuditSummary]:
    """Every device of the organisation that has sent audit rows, each chain verified."""
    stats = {
        r[0]: r[1:]
        for r in s.execute(
            select(
                ENTRY.c.device_id,
                func.count(),
                func.max(ENTRY.c.seq),
                func.min(ENTRY.c.at),
                func.max(ENTRY.c.at),
                func.max(ENTRY.c.received_at),
            )
            .where(ENTRY.c.org_id == org_id)
            .group_by(ENTRY.c.device_id)
        ).all()
    }
    heads = {
        r[0]: r[1]
        for r in s.execute(
            select(HEAD.c.device_id, HEAD.c.received_at).where(HEAD.c.org_id == org_id)
        ).all()
    }
    ids = sorted(set(stats) | set(heads))
    known = {
        r[0]: r
        for r in s.execute(
            select(DEVICE.c.id, DEVICE.c.name, DEVICE.c.user_id, DEVICE.c.revoked_at).where(
                DEVICE.c.id.in_(ids)
            )
        ).all()
    }
    out: list[DeviceAuditSummary] = []
    for device_id in ids:
        n, last_seq, first_at, last_at, received = stats.get(device_id, (0, 0, None, None, None))
        dev = known.get(device_id)
        v = verify_device(s, device_id)
        out.append(
            DeviceAuditSummary(
                device_id=device_id,
                device_name=dev[1] if dev is not None else None,
                user_id=dev[2] if dev is not None else None,
                revoked=dev is not None and dev[3] is not None,
                rows=int(n),
                last_seq=int(last_seq or 0),
                first_at=_aware(first_at),
                last_at=_aware(last_at),
                last_received_at=_aware(heads.get(device_id) or received),
                verified=v.intact,
                broken=v.broken,
            )
        )
    return out


class DeviceAuditRowOut(BaseModel):
    """An exported row: everything its hash covers, the link, and where it came from."""

    device_id: uuid.UUID
    user_id: uuid.UUID
    seq: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    received_at: dt.datetime


CSV_COLUMNS = list(DeviceAuditRowOut.model_fields)


def _query(org_id: uuid.UUID, f: Filters, device_id: uuid.UUID | None) -> Any:
    q = select(ENTRY).where(ENTRY.c.org_id == org_id)
    if device_id is not None:
        q = q.where(ENTRY.c.device_id == device_id)
    if f.action is not None:
        q = q.where(ENTRY.c.action == f.action)
    if f.actor_id is not None:  # the hub account the sending laptop belonged to
        q = q.where(ENTRY.c.user_id == f.actor_id)
    if f.since is not None:
        q = q.where(ENTRY.c.at >= _aware(f.since))
    if f.until is not None:
        q = q.where(ENTRY.c.at < _aware(f.until))
    return q.order_by(ENTRY.c.device_id, ENTRY.c.seq).execution_options(yield_per=1000)


def export(
    s: Session, org_id: uuid.UUID, f: Filters, fmt: str, device_id: uuid.UUID | None = None
) -> tuple[bytes, int]:
    """The organisation's device logs (filtered), by device then seq, as JSON lines or CSV;
    returns (bytes, rows). Each row carries what its hash covers plus `prev_hash` and `hash`,
    so every device's chain can be checked outside the hub with `audit_digest`."""
    q = _query(org_id, f, device_id)
    rows = (DeviceAuditRowOut.model_validate(dict(r)) for r in s.execute(q).mappings())
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
        d["detail"] = json.dumps(
            d["detail"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        w.writerow(["" if d[c] is None else d[c] for c in CSV_COLUMNS])
        n += 1
    return buf.getvalue().encode("utf-8"), n
