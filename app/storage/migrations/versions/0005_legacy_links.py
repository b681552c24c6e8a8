"""Legacy migration (#9): imported interview and training rows point at the candidate they
are about (erased with them), interview and job rows at the job profile of the same title.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Rows imported before the upgrade start unlinked; the next import of any kind links them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("migrationlegacyrecord") as batch:
        batch.add_column(
            sa.Column(
                "candidate_id",
                sa.Uuid(),
                sa.ForeignKey(
                    "candidate.id", ondelete="CASCADE", name="fk_migrationlegacyrecord_candidate"
                ),
                nullable=True,
            )
        )
        batch.add_column(
            sa.Column(
                "job_id",
                sa.Uuid(),
                sa.ForeignKey("job.id", ondelete="SET NULL", name="fk_migrationlegacyrecord_job"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("link_probability", sa.Float(), nullable=True))
        batch.create_index("ix_migrationlegacyrecord_candidate_id", ["candidate_id"])
        batch.create_index("ix_migrationlegacyrecord_job_id", ["job_id"])


def downgrade() -> None:
    with op.batch_alter_table("migrationlegacyrecord") as batch:
        batch.drop_index("ix_migrationlegacyrecord_job_id")
        batch.drop_index("ix_migrationlegacyrecord_candidate_id")
        batch.drop_column("link_probability")
        batch.drop_column("job_id")
        batch.drop_column("candidate_id")
