"""Local SQLite store: SQLModel tables, repository functions, Alembic migrations."""
