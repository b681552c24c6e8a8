"""Alembic migrations of the hub database (its own metadata and version table)."""
