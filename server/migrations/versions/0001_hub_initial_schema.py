"""Hub initial schema: identity, synced records, idempotency keys, the sequence, media.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_counter",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "hub_idempotency",
        sa.Column("op_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("op_id"),
    )
    with op.batch_alter_table("hub_idempotency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_idempotency_org_id"), ["org_id"], unique=False)

    op.create_table(
        "hub_organisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "hub_org_unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    with op.batch_alter_table("hub_org_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_org_unit_org_id"), ["org_id"], unique=False)

    op.create_table(
        "hub_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["hub_org_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("hub_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_user_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hub_user_org_unit_id"), ["org_unit_id"], unique=False)

    op.create_table(
        "hub_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["hub_org_unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hub_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hub_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_assignment_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hub_assignment_user_id"), ["user_id"], unique=False)

    op.create_table(
        "hub_device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hub_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hub_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_device_user_id"), ["user_id"], unique=False)

    op.create_table(
        "hub_enrolment_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["hub_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hub_user.id"],
        ),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    with op.batch_alter_table("hub_enrolment_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hub_enrolment_code_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "hub_media",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("total_size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["hub_user.id"],
        ),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "hub_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity", sa.String(length=48), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_ref", sa.Uuid(), nullable=True),
        sa.Column("job_ref", sa.Uuid(), nullable=True),
        sa.Column("session_ref", sa.Uuid(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("server_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["hub_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_unit_id"],
            ["hub_org_unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity", "entity_id"),
    )
    with op.batch_alter_table("hub_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_record_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hub_record_candidate_ref"), ["candidate_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hub_record_job_ref"), ["job_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_hub_record_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hub_record_server_seq"), ["server_seq"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hub_record_session_ref"), ["session_ref"], unique=False
        )
        batch_op.create_index("ix_hub_record_unit_seq", ["org_unit_id", "server_seq"], unique=False)

    op.create_table(
        "hub_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["hub_device.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["hub_user.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("hub_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_token_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hub_token_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hub_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_hub_token_device_id"))

    op.drop_table("hub_token")
    with op.batch_alter_table("hub_record", schema=None) as batch_op:
        batch_op.drop_index("ix_hub_record_unit_seq")
        batch_op.drop_index(batch_op.f("ix_hub_record_session_ref"))
        batch_op.drop_index(batch_op.f("ix_hub_record_server_seq"))
        batch_op.drop_index(batch_op.f("ix_hub_record_org_id"))
        batch_op.drop_index(batch_op.f("ix_hub_record_job_ref"))
        batch_op.drop_index(batch_op.f("ix_hub_record_candidate_ref"))
        batch_op.drop_index(batch_op.f("ix_hub_record_author_id"))

    op.drop_table("hub_record")
    op.drop_table("hub_media")
    with op.batch_alter_table("hub_enrolment_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_enrolment_code_user_id"))

    op.drop_table("hub_enrolment_code")
    with op.batch_alter_table("hub_device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_device_user_id"))

    op.drop_table("hub_device")
    with op.batch_alter_table("hub_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_assignment_user_id"))
        batch_op.drop_index(batch_op.f("ix_hub_assignment_candidate_id"))

    op.drop_table("hub_assignment")
    with op.batch_alter_table("hub_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_user_org_unit_id"))
        batch_op.drop_index(batch_op.f("ix_hub_user_org_id"))

    op.drop_table("hub_user")
    with op.batch_alter_table("hub_org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_org_unit_org_id"))

    op.drop_table("hub_org_unit")
    op.drop_table("hub_organisation")
    with op.batch_alter_table("hub_idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_idempotency_org_id"))

    op.drop_table("hub_idempotency")
    op.drop_table("hub_counter")
