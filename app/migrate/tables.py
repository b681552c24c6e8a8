"""Tables of the legacy-data migration: import batches, provenance, review queue, staged rows.

All of them are local bookkeeping (not mirrored to the hub): the hub receives the candidates
themselves through the outbox.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from sqlalchemy import JSON, Index
from sqlmodel import Field

from app.storage.tables import Record


class ImportBatch(Record, table=True):
    """One run of `roundtwo import` that wrote something (dry runs leave no batch)."""

    __tablename__ = "migrationbatch"
    synced: ClassVar[bool] = False

    entity: str = Field(max_length=16)
    file_name: str
    file_sha256: str = Field(max_length=64, index=True)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    mapping: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)


class SourceRow(Record, table=True):
    """Provenance: which source row made (or was merged into) which record.

    `row_hash` fingerprints the cleaned row, so re-importing the same file is a no-op."""

    __tablename__ = "migrationsourcerow"
    __table_args__ = (Index("ix_migrationsourcerow_entity_hash", "entity", "row_hash"),)
    synced: ClassVar[bool] = False

    batch_id: uuid.UUID = Field(foreign_key="migrationbatch.id", ondelete="CASCADE", index=True)
    entity: str = Field(max_length=16)
    record_id: uuid.UUID = Field(index=True)
    sheet: str = ""
    row_number: int
    row_hash: str = Field(max_length=64)
    cluster_probability: float | None = None


class ReviewItem(Record, table=True):
    """An uncertain duplicate pair waiting for a person: merge them or keep them apart."""

    __tablename__ = "migrationreview"
    synced: ClassVar[bool] = False

    batch_id: uuid.UUID = Field(foreign_key="migrationbatch.id", ondelete="CASCADE", index=True)
    entity: str = Field(max_length=16)
    left_id: uuid.UUID = Field(index=True)
    right_id: uuid.UUID = Field(index=True)
    probability: float
    status: str = Field(default="pending", max_length=16, index=True)
    decided_by: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)


class LegacyRecord(Record, table=True):
    """A cleaned legacy job, interview or training row.

    Interview and training rows are linked to the stored candidate they are about (record
    linkage, auto-merge threshold) and go when that candidate is erased; interview and job
    rows to the job profile of the same title. They are history: shown with the candidate
    and used for the round-two probes, never synced, never turned into applications (an old
    round-1 result must not make the hub invite someone years later)."""

    __tablename__ = "migrationlegacyrecord"
    synced: ClassVar[bool] = False

    batch_id: uuid.UUID = Field(foreign_key="migrationbatch.id", ondelete="CASCADE", index=True)
    entity: str = Field(max_length=16, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    candidate_id: uuid.UUID | None = Field(
        default=None, foreign_key="candidate.id", ondelete="CASCADE", index=True
    )
    job_id: uuid.UUID | None = Field(
        default=None, foreign_key="job.id", ondelete="SET NULL", index=True
    )
    link_probability: float | None = None
