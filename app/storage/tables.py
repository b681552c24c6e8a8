"""SQLModel tables of the local store. UUID keys, UTC timestamps, JSON for nested résumé data.

Tables listed in SYNCED are mirrored to the hub through the outbox; the rest are local
(outbox, sync state, audit log) or derived.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.domain import InterviewStatus, OutboxStatus, RecordingStatus
from app.storage.types import UTCDateTime, new_id, utcnow


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _updated() -> Any:
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


# Plain Python factories: pydantic inspects a factory's signature on every construction,
# and for builtins like `list` that means parsing a text signature (10x slower inserts).
def _new_list() -> list[Any]:
    return []


def _new_dict() -> dict[str, Any]:
    return {}


def _json_list() -> Any:
    return Field(default_factory=_new_list, sa_type=JSON, nullable=False)


def _json_dict() -> Any:
    return Field(default_factory=_new_dict, sa_type=JSON, nullable=False)


class Record(SQLModel):
    """Columns every domain table has."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = _updated()

    synced: ClassVar[bool] = True


# --- jobs and their competency models -------------------------------------------------------


class Job(Record, table=True):
    slug: str = Field(index=True, unique=True, max_length=64)
    version: int
    title_zh: str
    title_en: str
    department_zh: str = ""
    department_en: str = ""
    match_threshold: float = 70.0
    career_track: str = "mixed"
    source: str = Field(default="bundled", description="bundled | hub | user")
    content_hash: str = Field(max_length=64)
    profile: dict[str, Any] = Field(
        default_factory=_new_dict, sa_type=JSON, nullable=False, description="the validated profile"
    )


class Competency(Record, table=True):
    __table_args__ = (UniqueConstraint("job_id", "key"),)
    job_id: uuid.UUID = Field(foreign_key="job.id", ondelete="CASCADE", index=True)
    key: str = Field(max_length=64)
    position: int
    category: str
    name_zh: str
    name_en: str
    weight: float
    required_level: int
    anchors: dict[str, Any] = _json_dict()
    indicators_zh: list[str] = _json_list()
    indicators_en: list[str] = _json_list()


class Question(Record, table=True):
    __table_args__ = (UniqueConstraint("job_id", "key"),)
    job_id: uuid.UUID = Field(foreign_key="job.id", ondelete="CASCADE", index=True)
    key: str = Field(max_length=64)
    position: int
    kind: str
    text_zh: str = Field(sa_type=Text)
    text_en: str = Field(sa_type=Text)
    competency_keys: list[str] = _json_list()
    probes: list[dict[str, str]] = _json_list()
    minutes: int = 5


# --- candidates and applications -------------------------------------------------------------


class Candidate(Record, table=True):
    name: str = Field(index=True)
    email: str | None = Field(default=None, index=True)
    phone: str | None = Field(default=None, index=True)
    birth_date: dt.date | None = None
    city: str | None = None
    education_level: str | None = None
    school: str | None = None
    major: str | None = None
    years_experience: float | None = None
    experience: list[dict[str, Any]] = _json_list()
    projects: list[dict[str, Any]] = _json_list()
    skills: list[str] = _json_list()
    career_goal: str | None = Field(default=None, sa_type=Text)
    source: str = "manual"


class Application(Record, table=True):
    """A candidate's application to a job, with where it stands and the round-1 outcome."""

    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", ondelete="CASCADE", index=True)
    job_id: uuid.UUID = Field(foreign_key="job.id", index=True)
    round: int = 2
    status: str = "invited"
    round1_score: float | None = None
    round1_passed: bool | None = None
    round1_notes: str | None = Field(default=None, sa_type=Text)
    round1_detail: dict[str, Any] = _json_dict()


# --- the interview ---------------------------------------------------------------------------


class InterviewSession(Record, table=True):
    application_id: uuid.UUID | None = Field(
        default=None, foreign_key="application.id", ondelete="CASCADE", index=True
    )
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", ondelete="CASCADE", index=True)
    job_id: uuid.UUID = Field(foreign_key="job.id", index=True)
    interviewer: str = ""
    # Enum-valued columns are typed str: rows read back hold plain strings (StrEnum values).
    status: str = Field(default=InterviewStatus.SCHEDULED, sa_type=String(16))
    scheduled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    location: str | None = None
    language: str = "zh"
    compliance_profile: str = "strict"


class Answer(Record, table=True):
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE", index=True)
    question_key: str | None = None
    position: int = 0
    start_ms: int = 0
    end_ms: int = 0
    lang: str = "zh"
    text: str = Field(default="", sa_type=Text)
    source: str = Field(default="asr", description="asr | typed")


class TranscriptSegment(Record, table=True):
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE", index=True)
    answer_id: uuid.UUID | None = Field(default=None, foreign_key="answer.id", ondelete="SET NULL")
    start_ms: int
    end_ms: int
    text: str = Field(sa_type=Text)
    lang: str = "zh"
    confidence: float | None = None
    speaker: str = "candidate"


class Observation(Record, table=True):
    """One timestamped sample of an observable signal (e.g. face_visible, speaking_rate)."""

    __table_args__ = (Index("ix_observation_session_signal_t", "session_id", "signal", "t_ms"),)
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE")
    t_ms: int
    signal: str = Field(max_length=48)
    value: float
    model_id: str | None = None


class AISuggestion(Record, table=True):
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE", index=True)
    competency_key: str
    level: float | None = Field(default=None, description="None = insufficient evidence")
    confidence: float = 0.0
    evidence: list[dict[str, Any]] = _json_list()
    scorer_version: str = ""


class InterviewerRating(Record, table=True):
    __table_args__ = (UniqueConstraint("session_id", "competency_key", "rater"),)
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE", index=True)
    competency_key: str
    rater: str
    level: int = Field(ge=0, le=10)
    note: str = Field(default="", sa_type=Text)
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class ConsentRecord(Record, table=True):
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", ondelete="CASCADE", index=True)
    session_id: uuid.UUID | None = Field(
        default=None, foreign_key="interviewsession.id", ondelete="CASCADE"
    )
    purpose: str = Field(sa_type=String(32), description="a ConsentPurpose value")
    granted: bool
    notice_version: str
    notice_lang: str = "zh"
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by: str = ""


class Recording(Record, table=True):
    session_id: uuid.UUID = Field(foreign_key="interviewsession.id", ondelete="CASCADE", index=True)
    path: str
    container: str = "mp4"
    status: str = Field(default=RecordingStatus.RECORDING, sa_type=String(16))
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    duration_s: float | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    encrypted: bool = False
    markers: list[dict[str, Any]] = _json_list()


# --- training --------------------------------------------------------------------------------


class Course(Record, table=True):
    key: str = Field(unique=True, max_length=64)
    title_zh: str
    title_en: str
    competency_keys: list[str] = _json_list()
    min_level: int = 0
    max_level: int = 10
    format: str = "online"
    hours: float = 1.0
    language: str = "zh"
    provider: str = ""


class TrainingPlan(Record, table=True):
    candidate_id: uuid.UUID = Field(foreign_key="candidate.id", ondelete="CASCADE", index=True)
    session_id: uuid.UUID | None = Field(
        default=None, foreign_key="interviewsession.id", ondelete="SET NULL"
    )
    job_id: uuid.UUID = Field(foreign_key="job.id")
    status: str = "active"
    items: list[dict[str, Any]] = _json_list()


# --- local bookkeeping (not synced as entities) ----------------------------------------------


class OutboxOp(SQLModel, table=True):
    """A change waiting to go to the hub; `id` is the idempotency key the hub stores."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    seq: int | None = Field(default=None, index=True, description="local order, oldest first")
    entity: str = Field(max_length=48)
    entity_id: uuid.UUID
    op: str = Field(sa_type=String(8), description="an OutboxOpKind value")
    payload: dict[str, Any] = _json_dict()
    status: str = Field(default=OutboxStatus.PENDING, index=True, sa_type=String(16))
    attempts: int = 0
    last_error: str | None = None
    created_at: dt.datetime = _created()


class SyncState(SQLModel, table=True):
    hub_url: str = Field(primary_key=True)
    device_id: str
    cursor: int = 0
    last_push_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_pull_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The highest audit-log seq the hub confirmed it holds for this laptop (#11 audit push).
    audit_seq: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AuditLog(SQLModel, table=True):
    """Who did what; each row carries the hash of the previous one, so edits are detectable."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    seq: int = Field(unique=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str
    action: str = Field(max_length=48)
    entity: str = Field(max_length=48)
    entity_id: str | None = None
    detail: dict[str, Any] = _json_dict()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


SYNCED: tuple[type[Record], ...] = (
    Job,
    Competency,
    Question,
    Candidate,
    Application,
    InterviewSession,
    Answer,
    TranscriptSegment,
    Observation,
    AISuggestion,
    InterviewerRating,
    ConsentRecord,
    Recording,
    Course,
    TrainingPlan,
)
from app.migrate import tables as _migrate_tables  # noqa: E402,F401
