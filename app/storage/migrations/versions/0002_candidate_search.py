"""Candidate search: an FTS5 trigram index (matches Chinese substrings), kept by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Backfills the index from the candidates already in the database, so an existing store
gets search without re-importing anything.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "name, email, phone, school, major, skills"
_NEW = (
    "new.name, coalesce(new.email, ''), coalesce(new.phone, ''), coalesce(new.school, ''), "
    "coalesce(new.major, ''), coalesce(new.skills, '')"
)


def upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE candidate_fts USING fts5("
        f"candidate_id UNINDEXED, {_COLUMNS}, tokenize='trigram')"
    )
    op.execute(
        f"INSERT INTO candidate_fts(candidate_id, {_COLUMNS}) "
        "SELECT id, name, coalesce(email, ''), coalesce(phone, ''), coalesce(school, ''), "
        "coalesce(major, ''), coalesce(skills, '') FROM candidate"
    )
    op.execute(
        "CREATE TRIGGER candidate_fts_ai AFTER INSERT ON candidate BEGIN "
        f"INSERT INTO candidate_fts(candidate_id, {_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER candidate_fts_au AFTER UPDATE ON candidate BEGIN "
        "DELETE FROM candidate_fts WHERE candidate_id = old.id; "
        f"INSERT INTO candidate_fts(candidate_id, {_COLUMNS}) VALUES (new.id, {_NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER candidate_fts_ad AFTER DELETE ON candidate BEGIN "
        "DELETE FROM candidate_fts WHERE candidate_id = old.id; END"
    )


def downgrade() -> None:
    for trigger in ("candidate_fts_ai", "candidate_fts_au", "candidate_fts_ad"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS candidate_fts")
