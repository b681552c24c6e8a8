"""Alembic environment bound to the hub's own metadata (never the laptop's)."""

from __future__ import annotations

from alembic import context

from server.tables import HubTable

target_metadata = HubTable.metadata


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        version_table="hub_alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
