"""Hub adverse-impact reporting (#11): demographic data kept apart from the scorers.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_demographic",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("sex", sa.String(length=32), nullable=True),
        sa.Column("race_ethnicity", sa.String(length=48), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["hub_organisation.id"]),
        sa.ForeignKeyConstraint(["org_unit_id"], ["hub_org_unit.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["hub_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "candidate_id"),
    )
    op.create_index(op.f("ix_hub_demographic_org_id"), "hub_demographic", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_hub_demographic_candidate_id"), "hub_demographic", ["candidate_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_hub_demographic_candidate_id"), table_name="hub_demographic")
    op.drop_index(op.f("ix_hub_demographic_org_id"), table_name="hub_demographic")
    op.drop_table("hub_demographic")
