"""Hub training view (#10) and sync push performance (#7).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # sync performance (#7): pushes look records up by entity_id
    op.create_index("ix_hub_record_entity_id", "hub_record", ["entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_hub_record_entity_id", table_name="hub_record")
