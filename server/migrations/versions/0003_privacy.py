"""Hub privacy (#11): deletion reports with laptop acknowledgements, compliance profile per org.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_deletion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("erased_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("media_files", sa.Integer(), nullable=False),
        sa.Column("other_rows", sa.JSON(), nullable=False),
        sa.Column("storage", sa.String(length=300), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["hub_organisation.id"]),
        sa.ForeignKeyConstraint(["org_unit_id"], ["hub_org_unit.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["hub_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "erased_id"),
    )
    op.create_index(op.f("ix_hub_deletion_org_id"), "hub_deletion", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_hub_deletion_org_unit_id"), "hub_deletion", ["org_unit_id"], unique=False
    )
    op.create_table(
        "hub_deletion_ack",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deletion_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("how", sa.String(length=8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deletion_id"], ["hub_deletion.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["hub_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deletion_id", "device_id"),
    )
    op.create_index(
        op.f("ix_hub_deletion_ack_deletion_id"), "hub_deletion_ack", ["deletion_id"], unique=False
    )
    op.create_table(
        "hub_org_compliance",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.Uuid(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["hub_organisation.id"]),
        sa.ForeignKeyConstraint(["set_by"], ["hub_user.id"]),
        sa.PrimaryKeyConstraint("org_id"),
    )


def downgrade() -> None:
    op.drop_table("hub_org_compliance")
    op.drop_index(op.f("ix_hub_deletion_ack_deletion_id"), table_name="hub_deletion_ack")
    op.drop_table("hub_deletion_ack")
    op.drop_index(op.f("ix_hub_deletion_org_unit_id"), table_name="hub_deletion")
    op.drop_index(op.f("ix_hub_deletion_org_id"), table_name="hub_deletion")
    op.drop_table("hub_deletion")
