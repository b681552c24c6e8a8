"""Wire schemas of the sync protocol, shared by the laptop client and the hub (no storage code).

The protocol is versioned: every sync request carries `PROTOCOL_HEADER`; a hub that does not
speak the client's version answers 426 with `ErrorBody(code="protocol_mismatch")` and the
versions it supports, and `GET /api/v1/health` lists them so a client can check first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.core.domain import OutboxOpKind, Role

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS: tuple[int, ...] = (1,)
PROTOCOL_HEADER = "X-RoundTwo-Protocol"
API_PREFIX = "/api/v1"

MAX_PUSH_OPS = 500
MAX_PULL_LIMIT = 1000
MAX_PAYLOAD_BYTES = 256 * 1024
MEDIA_CHUNK_BYTES = 1024 * 1024

# The synced tables of the local store, by table name. Kept here (not imported from
# app.storage) because the hub may not import the laptop's storage; a test checks they agree.
ENTITIES: tuple[str, ...] = (
    "job",
    "competency",
    "question",
    "candidate",
    "application",
    "interviewsession",
    "answer",
    "transcriptsegment",
    "observation",
    "aisuggestion",
    "interviewerrating",
    "consentrecord",
    "recording",
    "course",
    "trainingplan",
)

# Reference data that every laptop also seeds locally from bundled files (with its own ids),
# so the post-sync sanity check compares only the entities laptops create.
REFERENCE_ENTITIES: frozenset[str] = frozenset({"job", "competency", "question", "course"})
SANITY_ENTITIES: tuple[str, ...] = tuple(e for e in ENTITIES if e not in REFERENCE_ENTITIES)


class ErrorCode(StrEnum):
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    DEVICE_REVOKED = "device_revoked"
    PROTOCOL_MISMATCH = "protocol_mismatch"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    CONFLICT = "conflict"
    LOGIN_FAILED = "login_failed"
    CODE_INVALID = "code_invalid"
    BUSY = "busy"  # 503 + Retry-After: the hub is at its push limit; come back later


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(_Wire):
    """The `detail` of every error the hub sends on purpose."""

    code: ErrorCode
    message: str
    supported_versions: list[int] | None = None


class ErrorResponse(_Wire):
    detail: ErrorBody


class Health(_Wire):
    status: Literal["ok"] = "ok"
    protocol_versions: list[int]
    server_time: dt.datetime


# --- identity ----------------------------------------------------------------------------------


class TokenPair(_Wire):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    access_expires_at: dt.datetime
    refresh_expires_at: dt.datetime


class LoginRequest(_Wire):
    email: str = Field(min_length=3, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class RefreshRequest(_Wire):
    refresh_token: str = Field(min_length=1, max_length=200)


class EnrolRequest(_Wire):
    code: str = Field(min_length=4, max_length=64)
    device_name: str = Field(min_length=1, max_length=120)
    protocol_version: int = PROTOCOL_VERSION


class EnrolResponse(_Wire):
    device_id: uuid.UUID
    user_id: uuid.UUID
    org_unit_id: uuid.UUID
    role: Role
    tokens: TokenPair
    protocol_version: int


# --- push --------------------------------------------------------------------------------------


class PushOp(_Wire):
    """One outbox row. `op_id` is the idempotency key: the hub applies it at most once."""

    op_id: uuid.UUID
    seq: int = Field(ge=0)
    entity: str = Field(min_length=1, max_length=48)
    entity_id: uuid.UUID
    op: OutboxOpKind
    payload: dict[str, Any] = Field(default_factory=dict)

    def digest(self) -> str:
        """What makes two sends of the same key 'the same request'."""
        return payload_digest(
            {
                "entity": self.entity,
                "entity_id": str(self.entity_id),
                "op": self.op.value,
                "payload": self.payload,
            }
        )


class PushRequest(_Wire):
    ops: list[PushOp] = Field(max_length=MAX_PUSH_OPS)


class OpStatus(StrEnum):
    APPLIED = "applied"  # first time the hub sees this op; the change is stored
    SUPERSEDED = "superseded"  # accepted, but a tombstone already won: no effect
    REJECTED = "rejected"  # will never be accepted (invalid, forbidden, key reused)


class OpResult(_Wire):
    op_id: uuid.UUID
    status: OpStatus
    replayed: bool = False  # True when this answer is the stored first answer
    server_seq: int | None = None
    error: str | None = None


class PushResponse(_Wire):
    results: list[OpResult]
    server_seq: int


# --- pull --------------------------------------------------------------------------------------


class Change(_Wire):
    server_seq: int
    entity: str
    entity_id: uuid.UUID
    deleted: bool
    payload: dict[str, Any]


class PullResponse(_Wire):
    changes: list[Change]
    next_cursor: int
    has_more: bool


# --- sanity check ------------------------------------------------------------------------------


class EntitySummary(_Wire):
    count: int
    digest: str


class SanityRequest(_Wire):
    entities: dict[str, EntitySummary]


class SanityResponse(_Wire):
    ok: bool
    hub: dict[str, EntitySummary]
    mismatched: list[str]


def ids_digest(ids: Iterable[uuid.UUID | str]) -> str:
    """Order-independent digest of a set of record ids (both sides compute it the same way)."""
    h = hashlib.sha256()
    for i in sorted(str(x) for x in ids):
        h.update(i.encode("ascii"))
        h.update(b"\n")
    return h.hexdigest()


def payload_digest(data: Any) -> str:
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --- media -------------------------------------------------------------------------------------


class MediaStatus(_Wire):
    sha256: str
    total_size: int
    received: int
    complete: bool


# --- administration ----------------------------------------------------------------------------


class OrgUnitCreate(_Wire):
    name: str = Field(min_length=1, max_length=120)


class OrgUnitOut(_Wire):
    id: uuid.UUID
    name: str


class UserCreate(_Wire):
    email: str = Field(min_length=3, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field(min_length=1, max_length=120)
    role: Role
    org_unit_id: uuid.UUID
    password: str = Field(min_length=8, max_length=200)


class UserOut(_Wire):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    org_unit_id: uuid.UUID
    active: bool


class EnrolmentCodeRequest(_Wire):
    user_id: uuid.UUID
    valid_hours: float = Field(default=24.0, gt=0, le=24 * 14)


class EnrolmentCodeOut(_Wire):
    code: str
    user_id: uuid.UUID
    expires_at: dt.datetime


class DeviceOut(_Wire):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    revoked: bool


class AssignmentCreate(_Wire):
    user_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None


class AssignmentOut(_Wire):
    id: uuid.UUID
    user_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID | None
    session_id: uuid.UUID | None


class ImportResult(_Wire):
    dataset: str
    created: int
    updated: int
    errors: list[str]


DATASETS: tuple[str, ...] = ("jobs", "candidates", "round1", "final")
FORMATS: tuple[str, ...] = ("csv", "json", "xlsx")


# --- privacy (#11): erasure reports, the organisation's compliance profile ---------------------

ERASE_REASONS: tuple[str, ...] = (
    "candidate_request",
    "consent_withdrawn",
    "retention_expired",
    "other",
)

# A laptop's own tombstone for a candidate carries this key: what it erased (counts only).
# Laptops that erase after pulling a tombstone report through `ErasureAcks` instead.
ERASED_KEY = "_erased"


class DeletionRequest(_Wire):
    candidate_id: uuid.UUID
    # A fixed list, not free text: the report is kept and must stay free of personal data.
    reason: Literal["candidate_request", "consent_withdrawn", "retention_expired", "other"] = (
        "candidate_request"
    )


class DeletionAckOut(_Wire):
    device_id: uuid.UUID
    user_id: uuid.UUID
    how: Literal["local", "pulled"]
    rows: int
    files: int
    acked_at: dt.datetime


class DeletionOut(_Wire):
    """What was erased where: the hub's counts and each laptop's confirmation."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    org_unit_id: uuid.UUID
    origin: Literal["hub", "laptop"]
    reason: str
    requested_by: uuid.UUID
    device_id: uuid.UUID | None
    requested_at: dt.datetime
    hub_records: int
    hub_media_files: int
    hub_other_rows: dict[str, int]
    hub_storage: str
    laptops: list[DeletionAckOut]


class ErasureAck(_Wire):
    """A laptop erased a candidate after pulling their tombstone (counts only, no data)."""

    candidate_id: uuid.UUID
    how: Literal["local", "pulled"] = "pulled"
    rows: int = Field(default=0, ge=0, le=10**9)
    files: int = Field(default=0, ge=0, le=10**9)


class ErasureAcks(_Wire):
    acks: list[ErasureAck] = Field(max_length=MAX_PUSH_OPS)


class ErasureAckResult(_Wire):
    recorded: int


class ComplianceProfileSet(_Wire):
    """Exactly one of: a bundled profile by id, or a whole profile document."""

    profile_id: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    profile: dict[str, Any] | None = None


class OrgComplianceOut(_Wire):
    """The organisation's profile; revision 0 = the organisation has not chosen one."""

    profile_id: str
    revision: int
    profile: dict[str, Any]
    set_at: dt.datetime | None = None


# --- audit push (#11): each laptop's hash-chained audit log, kept on the hub -------------------

MAX_AUDIT_ROWS = 500
MAX_AUDIT_DETAIL_BYTES = 64 * 1024
_HASH = r"^[0-9a-f]{64}$"


def _no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class DeviceAuditRow(_Wire):
    """One row of a laptop's `auditlog`, exactly as it was hashed there (see
    `app.core.auditchain.audit_digest`); the hub recomputes `hash` before storing it."""

    seq: int = Field(ge=1, le=2**62)
    at: AwareDatetime
    actor: str = Field(max_length=200)
    action: str = Field(min_length=1, max_length=48)
    entity: str = Field(max_length=48)
    entity_id: str | None = Field(default=None, max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = Field(pattern=_HASH)
    hash: str = Field(pattern=_HASH)

    @field_validator("at")
    @classmethod
    def _utc(cls, v: dt.datetime) -> dt.datetime:
        try:
            return v.astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValueError("is outside the range of UTC times") from exc

    @field_validator("actor", "action", "entity", "entity_id")
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return _no_nul(v)

    @field_validator("detail")
    @classmethod
    def _small_json(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            body = json.dumps(v, ensure_ascii=False, allow_nan=False)
        except (ValueError, RecursionError) as exc:
            raise ValueError(
                "must be plain JSON (no NaN or infinity, not nested too deep)"
            ) from exc
        if len(body.encode("utf-8")) > MAX_AUDIT_DETAIL_BYTES:
            raise ValueError(f"is larger than {MAX_AUDIT_DETAIL_BYTES} bytes")
        return v


class AuditPush(_Wire):
    """A page of the calling laptop's audit log, oldest first. An empty page only asks how
    far the hub has got."""

    rows: list[DeviceAuditRow] = Field(default_factory=list, max_length=MAX_AUDIT_ROWS)


class AuditPushResult(_Wire):
    """`acked_seq`: the highest seq up to which the hub holds this device's log without a gap
    (0: nothing yet, or the caller is not an enrolled device)."""

    device_id: uuid.UUID | None
    acked_seq: int
    stored: int  # rows of this page stored now
    already_held: int  # rows of this page the hub had (same hash): no-op
