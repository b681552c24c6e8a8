"""Legacy data migration: import batches, provenance of source rows, review queue, staged rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_columns() -> list[Any]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
    ]


def _batch_fk() -> list[Any]:
    return [
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.AutoString(length=16), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "migrationbatch",
        *_record_columns(),
        sa.Column("entity", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column("file_name", sqlmodel.AutoString(), nullable=False),
        sa.Column("file_sha256", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migrationbatch_file_sha256", "migrationbatch", ["file_sha256"])

    op.create_table(
        "migrationlegacyrecord",
        *_record_columns(),
        *_batch_fk(),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["migrationbatch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migrationlegacyrecord_batch_id", "migrationlegacyrecord", ["batch_id"])
    op.create_index("ix_migrationlegacyrecord_entity", "migrationlegacyrecord", ["entity"])

    op.create_table(
        "migrationreview",
        *_record_columns(),
        *_batch_fk(),
        sa.Column("left_id", sa.Uuid(), nullable=False),
        sa.Column("right_id", sa.Uuid(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("status", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column("decided_by", sqlmodel.AutoString(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["migrationbatch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("batch_id", "left_id", "right_id", "status"):
        op.create_index(f"ix_migrationreview_{column}", "migrationreview", [column])

    op.create_table(
        "migrationsourcerow",
        *_record_columns(),
        *_batch_fk(),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("sheet", sqlmodel.AutoString(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("row_hash", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("cluster_probability", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["migrationbatch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migrationsourcerow_batch_id", "migrationsourcerow", ["batch_id"])
    op.create_index("ix_migrationsourcerow_record_id", "migrationsourcerow", ["record_id"])
    op.create_index(
        "ix_migrationsourcerow_entity_hash", "migrationsourcerow", ["entity", "row_hash"]
    )


def downgrade() -> None:
    for table in (
        "migrationsourcerow",
        "migrationreview",
        "migrationlegacyrecord",
        "migrationbatch",
    ):
        op.drop_table(table)
