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


# --- privacy (#11): tables below this line belong to hub privacy ---


# --- training (#10) and sync performance (#7): tables below this line ---


# --- adverse impact (#11): tables below this line belong to adverse-impact reporting ---
