"""Audit push (#11): how far the hub has confirmed this laptop's audit log, per hub.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Existing rows start at 0, so the first sync after the upgrade sends the whole log; the hub
treats rows it already holds as a no-op.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("syncstate") as batch:
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("syncstate") as batch:
        batch.drop_column("audit_seq")
