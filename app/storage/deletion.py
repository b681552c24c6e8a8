"""Erasing a candidate from this laptop: every row that hangs off them, their recordings,
the outbox payloads that still carry their data, free pages and the WAL; tombstones tell
the hub and the other laptops; a PII-free audit record stays."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, select
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as sm_select

from app.core.domain import OutboxOpKind
from app.core.errors import NotFoundError
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate, OutboxOp, Record, Recording
from app.storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class DeletionReport:
    candidate_id: uuid.UUID
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    outbox_purged: int = 0
    at: dt.datetime = field(default_factory=utcnow)

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate_id": str(self.candidate_id),
            "rows": self.rows,
            "files_removed": len(self.files),
            "outbox_purged": self.outbox_purged,
            "at": self.at.isoformat(),
        }


def _synced_tables() -> dict[str, type[Record]]:
    found: dict[str, type[Record]] = {}
    stack: list[type[Record]] = [Record]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            table = getattr(sub, "__table__", None)
            if table is not None and sub.synced:
                found[str(table.name)] = sub
    return found


def _reachable(session: Session, candidate_id: uuid.UUID) -> dict[str, set[uuid.UUID]]:
    """Ids of every row that references the candidate, directly or through other rows."""
    tables: list[Table] = list(SQLModel.metadata.sorted_tables)
    found: dict[str, set[uuid.UUID]] = {"candidate": {candidate_id}}
    queue = ["candidate"]
    while queue:
        parent = queue.pop()
        parent_ids = found[parent]
        for table in tables:
            if "id" not in table.c:
                continue
            for fk in table.foreign_keys:
                if fk.column.table.name != parent:
                    continue
                ids = {
                    r[0]
                    for r in session.connection().execute(
                        select(table.c.id).where(fk.parent.in_(list(parent_ids)))
                    )
                }
                new = ids - found.get(table.name, set())
                if new:
                    found.setdefault(table.name, set()).update(new)
                    queue.append(table.name)
    return found


def delete_candidate(
    db: Database, candidate_id: uuid.UUID, *, by: str, reason: str
) -> DeletionReport:
    report = DeletionReport(candidate_id)

    def erase(session: Session) -> list[Path]:
        if session.get(Candidate, candidate_id) is None:
            raise NotFoundError(f"No candidate {candidate_id} on this laptop.")
        reach = _reachable(session, candidate_id)
        rec_ids = list(reach.get("recording", set()))
        files = [
            Path(r.path)
            for r in session.exec(sm_select(Recording).where(col(Recording.id).in_(rec_ids)))
        ]
        all_ids = set().union(*reach.values())
        # Queued changes still carry the candidate's data in their payloads: drop them.
        purged = session.connection().execute(
            delete(OutboxOp).where(col(OutboxOp.entity_id).in_(list(all_ids)))
        )
        report.outbox_purged = purged.rowcount or 0
        synced = _synced_tables()
        for table_name, ids in reach.items():
            report.rows[table_name] = len(ids)
            if table_name in synced:
                for rid in ids:
                    repo._enqueue(session, table_name, rid, OutboxOpKind.DELETE, {"id": str(rid)})
        # Foreign keys cascade from the candidate row to everything found above.
        session.connection().execute(delete(Candidate).where(col(Candidate.id) == candidate_id))
        repo.append_audit(
            session,
            by,
            "delete-candidate",
            "candidate",
            str(candidate_id),
            {"reason": reason, "rows": report.rows, "outbox_purged": report.outbox_purged},
        )
        return files

    files = db.write(erase)
    for f in files:
        for path in (f, *f.parent.glob(f.name + ".*")):
            try:
                path.unlink()
                report.files.append(str(path))
            except FileNotFoundError:
                pass
    # Deleted text lingers in FTS segments, free pages and the WAL until rewritten.
    db.maintenance(
        "INSERT INTO candidate_fts(candidate_fts) VALUES('optimize')",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "VACUUM",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    )
    log.info("deleted candidate %s: %s", candidate_id, report.as_dict())
    return report
