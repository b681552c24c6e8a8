"""Hub automation (#8): invitations, slots, bookings, job queue, notifications log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_automation_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # Automation acts on changes from now on: a hub upgraded with years of history must not
    # invite every candidate who ever passed round 1.
    op.execute(
        "INSERT INTO hub_automation_cursor (name, value) "
        "SELECT 'records', COALESCE(MAX(value), 0) FROM hub_counter WHERE name = 'server_seq'"
    )
    op.create_table(
        "hub_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_ref", sa.Uuid(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_hub_job_candidate_ref"), "hub_job", ["candidate_ref"], unique=False)
    op.create_index(op.f("ix_hub_job_org_id"), "hub_job", ["org_id"], unique=False)
    op.create_index("ix_hub_job_status_run_at", "hub_job", ["status", "run_at"], unique=False)
    op.create_table(
        "hub_invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_ref", sa.Uuid(), nullable=False),
        sa.Column("job_ref", sa.Uuid(), nullable=False),
        sa.Column("application_ref", sa.Uuid(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("match_percent", sa.Float(), nullable=True),
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
        sa.UniqueConstraint("candidate_ref", "job_ref"),
        sa.UniqueConstraint("token"),
    )
    op.create_index(
        op.f("ix_hub_invitation_candidate_ref"), "hub_invitation", ["candidate_ref"], unique=False
    )
    op.create_index(op.f("ix_hub_invitation_job_ref"), "hub_invitation", ["job_ref"], unique=False)
    op.create_index(op.f("ix_hub_invitation_org_id"), "hub_invitation", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_hub_invitation_org_unit_id"), "hub_invitation", ["org_unit_id"], unique=False
    )
    op.create_table(
        "hub_notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_ref", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["hub_job.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_hub_notification_candidate_ref"),
        "hub_notification",
        ["candidate_ref"],
        unique=False,
    )
    op.create_index(
        op.f("ix_hub_notification_job_id"), "hub_notification", ["job_id"], unique=False
    )
    op.create_index(
        op.f("ix_hub_notification_org_id"), "hub_notification", ["org_id"], unique=False
    )
    op.create_table(
        "hub_slot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("job_ref", sa.Uuid(), nullable=False),
        sa.Column("interviewer_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["hub_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["hub_organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_hub_slot_interviewer_id"), "hub_slot", ["interviewer_id"], unique=False
    )
    op.create_index(op.f("ix_hub_slot_job_ref"), "hub_slot", ["job_ref"], unique=False)
    op.create_index(op.f("ix_hub_slot_org_id"), "hub_slot", ["org_id"], unique=False)
    op.create_table(
        "hub_booking",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invitation_id", sa.Uuid(), nullable=False),
        sa.Column("slot_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active_slot", sa.Uuid(), nullable=True),
        sa.Column("active_invitation", sa.Uuid(), nullable=True),
        sa.Column("session_ref", sa.Uuid(), nullable=True),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["hub_invitation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["hub_slot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("active_invitation"),
        sa.UniqueConstraint("active_slot"),
    )
    op.create_index(
        op.f("ix_hub_booking_invitation_id"), "hub_booking", ["invitation_id"], unique=False
    )
    op.create_index(op.f("ix_hub_booking_slot_id"), "hub_booking", ["slot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_hub_booking_slot_id"), table_name="hub_booking")
    op.drop_index(op.f("ix_hub_booking_invitation_id"), table_name="hub_booking")
    op.drop_table("hub_booking")
    op.drop_index(op.f("ix_hub_slot_org_id"), table_name="hub_slot")
    op.drop_index(op.f("ix_hub_slot_job_ref"), table_name="hub_slot")
    op.drop_index(op.f("ix_hub_slot_interviewer_id"), table_name="hub_slot")
    op.drop_table("hub_slot")
    op.drop_index(op.f("ix_hub_notification_org_id"), table_name="hub_notification")
    op.drop_index(op.f("ix_hub_notification_job_id"), table_name="hub_notification")
    op.drop_index(op.f("ix_hub_notification_candidate_ref"), table_name="hub_notification")
    op.drop_table("hub_notification")
    op.drop_index(op.f("ix_hub_invitation_org_unit_id"), table_name="hub_invitation")
    op.drop_index(op.f("ix_hub_invitation_org_id"), table_name="hub_invitation")
    op.drop_index(op.f("ix_hub_invitation_job_ref"), table_name="hub_invitation")
    op.drop_index(op.f("ix_hub_invitation_candidate_ref"), table_name="hub_invitation")
    op.drop_table("hub_invitation")
    op.drop_index("ix_hub_job_status_run_at", table_name="hub_job")
    op.drop_index(op.f("ix_hub_job_org_id"), table_name="hub_job")
    op.drop_index(op.f("ix_hub_job_candidate_ref"), table_name="hub_job")
    op.drop_table("hub_job")
    op.drop_table("hub_automation_cursor")
