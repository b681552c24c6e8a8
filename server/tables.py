"""The hub's tables, on their own SQLAlchemy registry so they never mix with the laptop's.

Identity lives in typed tables; synced entities live in one generic `hub_record` table keyed
by (entity, entity_id) with the payload as JSON, the server sequence number of its last change,
a tombstone flag and the references the permission rules need.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """UTC timestamps that come back timezone-aware on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("timezone-aware datetime expected")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _ts(nullable: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
    )


class HubTable(SQLModel, registry=registry()):
    """Base of every hub table; `HubTable.metadata` is the hub's own metadata."""


class Organisation(HubTable, table=True):
    __tablename__ = "hub_organisation"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_at: dt.datetime = _ts()


class OrgUnit(HubTable, table=True):
    __tablename__ = "hub_org_unit"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    name: str = Field(max_length=120)


class User(HubTable, table=True):
    __tablename__ = "hub_user"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id", index=True)
    email: str = Field(max_length=200, unique=True)
    name: str = Field(max_length=120)
    role: str = Field(sa_type=String(16))
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: dt.datetime = _ts()


class Device(HubTable, table=True):
    __tablename__ = "hub_device"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    name: str = Field(max_length=120)
    created_at: dt.datetime = _ts()
    revoked_at: dt.datetime | None = _ts(nullable=True)
    last_seen_at: dt.datetime | None = _ts(nullable=True)


class EnrolmentCode(HubTable, table=True):
    """A one-time code; only its hash is stored."""

    __tablename__ = "hub_enrolment_code"
    code_hash: str = Field(primary_key=True, max_length=64)
    user_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    created_by: uuid.UUID = Field(foreign_key="hub_user.id")
    expires_at: dt.datetime = _ts()
    used_at: dt.datetime | None = _ts(nullable=True)


class Token(HubTable, table=True):
    """An opaque bearer token (access or refresh); only its sha256 is stored."""

    __tablename__ = "hub_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(sa_type=String(8))
    user_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="hub_device.id", index=True)
    expires_at: dt.datetime = _ts()
    revoked_at: dt.datetime | None = _ts(nullable=True)


class Assignment(HubTable, table=True):
    """An interview given to an interviewer: decides which candidates and jobs they see."""

    __tablename__ = "hub_assignment"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id")
    candidate_id: uuid.UUID = Field(index=True)
    job_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    created_at: dt.datetime = _ts()


class SyncRecord(HubTable, table=True):
    """The hub's current state of one synced entity row (or its tombstone)."""

    __tablename__ = "hub_record"
    __table_args__ = (
        UniqueConstraint("entity", "entity_id"),
        Index("ix_hub_record_unit_seq", "org_unit_id", "server_seq"),
    )
    id: int | None = Field(
        default=None, sa_type=BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    entity: str = Field(max_length=48)
    entity_id: uuid.UUID
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id")
    author_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    device_id: uuid.UUID | None = None
    candidate_ref: uuid.UUID | None = Field(default=None, index=True)
    job_ref: uuid.UUID | None = Field(default=None, index=True)
    session_ref: uuid.UUID | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    deleted: bool = False
    server_seq: int = Field(sa_type=BigInteger, index=True)
    updated_at: dt.datetime = _ts()


class IdempotencyKey(HubTable, table=True):
    """The first answer to an op id; a repeat gets it back, a different payload is refused."""

    __tablename__ = "hub_idempotency"
    op_id: uuid.UUID = Field(primary_key=True)
    org_id: uuid.UUID = Field(index=True)
    device_id: uuid.UUID | None = None
    request_digest: str = Field(max_length=64)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _ts()


class Counter(HubTable, table=True):
    """The server sequence. Its row lock orders pushes, so seq order is commit order and a pull
    never skips a change committed late (the classic gap of database sequences)."""

    __tablename__ = "hub_counter"
    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0, sa_type=BigInteger)


class Media(HubTable, table=True):
    __tablename__ = "hub_media"
    sha256: str = Field(primary_key=True, max_length=64)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id")
    total_size: int = Field(sa_type=BigInteger)
    received: int = Field(default=0, sa_type=BigInteger)
    complete: bool = False
    uploaded_by: uuid.UUID = Field(foreign_key="hub_user.id")
    updated_at: dt.datetime = _ts()


# --- automation (#8): tables below this line belong to hub automation ---


class Invitation(HubTable, table=True):
    """A second-round invitation: one per candidate and job, with its self-scheduling token."""

    __tablename__ = "hub_invitation"
    __table_args__ = (UniqueConstraint("candidate_ref", "job_ref"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id", index=True)
    candidate_ref: uuid.UUID = Field(index=True)
    job_ref: uuid.UUID = Field(index=True)
    application_ref: uuid.UUID | None = None
    token: str = Field(max_length=64, unique=True)
    language: str = Field(default="zh", sa_type=String(8))
    email: str | None = Field(default=None, max_length=200)
    status: str = Field(default="invited", sa_type=String(16))  # invited | booked | cancelled
    window_start: dt.datetime | None = _ts(nullable=True)
    window_end: dt.datetime | None = _ts(nullable=True)
    location: str = Field(default="", max_length=200)
    match_percent: float | None = None
    created_at: dt.datetime = _ts()


class Slot(HubTable, table=True):
    """An interviewer's available time for one job."""

    __tablename__ = "hub_slot"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    job_ref: uuid.UUID = Field(index=True)
    interviewer_id: uuid.UUID = Field(foreign_key="hub_user.id", index=True)
    starts_at: dt.datetime = _ts()
    ends_at: dt.datetime = _ts()
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    location: str = Field(default="", max_length=200)
    created_at: dt.datetime = _ts()


class Booking(HubTable, table=True):
    """A candidate's pick of a slot. `active_slot` / `active_invitation` are set only while the
    booking stands: their unique constraints make a double booking impossible in the database."""

    __tablename__ = "hub_booking"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    invitation_id: uuid.UUID = Field(foreign_key="hub_invitation.id", index=True)
    slot_id: uuid.UUID = Field(foreign_key="hub_slot.id", index=True)
    status: str = Field(default="booked", sa_type=String(16))  # booked | cancelled
    active_slot: uuid.UUID | None = Field(default=None, unique=True)
    active_invitation: uuid.UUID | None = Field(default=None, unique=True)
    session_ref: uuid.UUID | None = None
    ics_sequence: int = 0
    created_at: dt.datetime = _ts()
    cancelled_at: dt.datetime | None = _ts(nullable=True)


class QueuedJob(HubTable, table=True):
    """One automation action (an e-mail). `key` is its idempotency key: enqueueing the same
    action twice is a no-op; the worker claims, sends and marks it sent."""

    __tablename__ = "hub_job"
    __table_args__ = (Index("ix_hub_job_status_run_at", "status", "run_at"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(sa_type=String(32))
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    candidate_ref: uuid.UUID | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", sa_type=String(16))
    attempts: int = 0
    run_at: dt.datetime = _ts()
    lease_until: dt.datetime | None = _ts(nullable=True)
    message_id: str = Field(max_length=200)
    last_error: str = Field(default="", max_length=500)
    created_at: dt.datetime = _ts()
    sent_at: dt.datetime | None = _ts(nullable=True)


class Notification(HubTable, table=True):
    """The notifications log: what was sent (or tried) to whom, when, and the result."""

    __tablename__ = "hub_notification"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID | None = None
    candidate_ref: uuid.UUID | None = Field(default=None, index=True)
    job_id: uuid.UUID = Field(foreign_key="hub_job.id", index=True)
    kind: str = Field(sa_type=String(32))
    recipient: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=200)
    result: str = Field(sa_type=String(16))  # sent | retrying | failed | skipped
    detail: str = Field(default="", max_length=500)
    created_at: dt.datetime = _ts()


class AutomationCursor(HubTable, table=True):
    """How far the automation has read the synced records (by server sequence)."""

    __tablename__ = "hub_automation_cursor"
    name: str = Field(primary_key=True, max_length=32)
    value: int = Field(default=0, sa_type=BigInteger)


# --- privacy (#11): tables below this line belong to hub privacy ---


class Deletion(HubTable, table=True):
    """One candidate erased from the hub, and what went where. Free of personal data: the
    candidate appears only as an id that no other hub row refers to any more."""

    __tablename__ = "hub_deletion"
    __table_args__ = (UniqueConstraint("org_id", "erased_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id", index=True)
    # Not called candidate_id/_ref on purpose: the eraser deletes rows keyed by those names.
    erased_id: uuid.UUID
    origin: str = Field(sa_type=String(8))  # "hub" | "laptop"
    reason: str = Field(sa_type=String(32))
    requested_by: uuid.UUID = Field(foreign_key="hub_user.id")
    device_id: uuid.UUID | None = None
    records: int = 0
    media_files: int = 0
    other_rows: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    storage: str = Field(default="", max_length=300)
    requested_at: dt.datetime = _ts()


class DeletionAck(HubTable, table=True):
    """A laptop's confirmation that it erased the candidate too (sent with its next push)."""

    __tablename__ = "hub_deletion_ack"
    __table_args__ = (UniqueConstraint("deletion_id", "device_id"),)
    id: int | None = Field(
        default=None, sa_type=BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    deletion_id: uuid.UUID = Field(foreign_key="hub_deletion.id", index=True)
    device_id: uuid.UUID
    user_id: uuid.UUID = Field(foreign_key="hub_user.id")
    how: str = Field(sa_type=String(8))  # "local" (erased there first) | "pulled"
    rows: int = 0
    files: int = 0
    acked_at: dt.datetime = _ts()


class OrgCompliance(HubTable, table=True):
    """The compliance profile an organisation's admin chose; laptops apply it at sync."""

    __tablename__ = "hub_org_compliance"
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", primary_key=True)
    profile_id: str = Field(max_length=64)
    revision: int = 1
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    set_by: uuid.UUID = Field(foreign_key="hub_user.id")
    set_at: dt.datetime = _ts()


# --- training (#10) and sync performance (#7): tables below this line ---

# A push finds its records and their parents by entity_id alone (the unique constraint's index
# starts with entity, so without this every push scanned hub_record).
Index("ix_hub_record_entity_id", SyncRecord.__table__.c.entity_id)  # type: ignore[attr-defined]


# --- adverse impact (#11): tables below this line belong to adverse-impact reporting ---


class Demographic(HubTable, table=True):
    """A candidate's self-reported sex and race/ethnicity for adverse-impact reports only.
    Kept apart from the synced records: never pulled, exported to scorers or shown on
    dashboards; written only by HR/admin import. Empty = not reported; "declined" allowed."""

    __tablename__ = "hub_demographic"
    __table_args__ = (UniqueConstraint("org_id", "candidate_id"),)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="hub_organisation.id", index=True)
    org_unit_id: uuid.UUID = Field(foreign_key="hub_org_unit.id")
    # Named candidate_id so the privacy eraser removes it with the candidate.
    candidate_id: uuid.UUID = Field(index=True)
    sex: str | None = Field(default=None, sa_type=String(32))
    race_ethnicity: str | None = Field(default=None, sa_type=String(48))
    recorded_by: uuid.UUID = Field(foreign_key="hub_user.id")
    recorded_at: dt.datetime = _ts()


# --- hub audit log (#11): tables below this line belong to the hub audit log ---


class AuditEntry(HubTable, table=True):
    """One audit event, hash-chained per organisation: `hash` is sha256 over the row's fields
    (incl. `prev_hash`, the hash of seq - 1). Ids and counts only, never names or free text.
    No foreign keys and no candidate_id/_ref column: the log outlives the users, devices and
    candidates it names, and the eraser must not delete it (a gap would break the chain)."""

    __tablename__ = "hub_audit"
    __table_args__ = (Index("ix_hub_audit_org_at", "org_id", "at"),)
    org_id: uuid.UUID = Field(primary_key=True)
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    at: dt.datetime = _ts()
    actor_id: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    actor_role: str = Field(sa_type=String(16))
    action: str = Field(sa_type=String(48))
    target: str | None = Field(default=None, sa_type=String(48))
    target_id: uuid.UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))


class AuditHead(HubTable, table=True):
    """The last seq and hash of an organisation's audit chain. Appenders lock this row
    (SELECT ... FOR UPDATE), so seqs are gapless under concurrent requests; the verifier
    also checks the chain ends here (a cut-off tail shows)."""

    __tablename__ = "hub_audit_head"
    org_id: uuid.UUID = Field(primary_key=True)
    seq: int = Field(default=0, sa_type=BigInteger)
    hash: str = Field(sa_type=String(64))


# --- laptop audit logs (#11): tables below this line hold each device's pushed audit log ---


class DeviceAuditEntry(HubTable, table=True):
    """One row of a laptop's own hash-chained audit log, stored as the laptop hashed it (the
    hub re-checks `hash` and the link to seq - 1 on receipt, and its verifier re-checks them).
    Like `hub_audit`: no foreign keys and no candidate_id/_ref column, so the log outlives
    users, devices and candidates, and the eraser never cuts a hole into a chain."""

    __tablename__ = "hub_device_audit"
    __table_args__ = (Index("ix_hub_device_audit_org_at", "org_id", "at"),)
    device_id: uuid.UUID = Field(primary_key=True)
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    org_id: uuid.UUID
    user_id: uuid.UUID  # the hub account the device belonged to when it sent the row
    at: dt.datetime = _ts()
    actor: str = Field(sa_type=String(200))
    action: str = Field(sa_type=String(48))
    entity: str = Field(sa_type=String(48))
    entity_id: str | None = Field(default=None, sa_type=String(100))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))
    received_at: dt.datetime = _ts()


class DeviceAuditHead(HubTable, table=True):
    """The last seq and hash the hub holds of one device's log. A push locks this row, so two
    pushes of one device never interleave; the verifier checks that the chain ends here."""

    __tablename__ = "hub_device_audit_head"
    device_id: uuid.UUID = Field(primary_key=True)
    org_id: uuid.UUID = Field(index=True)
    seq: int = Field(default=0, sa_type=BigInteger)
    hash: str = Field(sa_type=String(64))
    received_at: dt.datetime | None = _ts(nullable=True)
