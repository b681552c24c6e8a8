"""Installing automation on a hub with history: it acts on changes from then on only, so
nobody who passed round 1 years ago gets an invitation."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from server import db


def test_the_cursor_starts_at_the_current_sequence(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'hub.db'}", 1)
    try:
        with engine.begin() as conn:
            cfg = db.alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.execute(text("INSERT INTO hub_counter (name, value) VALUES ('server_seq', 1234)"))
        db.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, value FROM hub_automation_cursor")).all()
        assert [tuple(r) for r in rows] == [("records", 1234)]
    finally:
        engine.dispose()
