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
from app.migrate.tables import ReviewItem, SourceRow
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate, OutboxOp, Record, Recording
from app.storage.types import utcnow
from app.sync.protocol import ERASED_KEY

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


def erase_rows(
    session: Session,
    candidate_id: uuid.UUID,
    *,
    by: str,
    reason: str,
    how: str = "local",
    files_root: Path | None = None,
) -> tuple[DeletionReport, list[Path]]:
    """Erase the candidate's rows, queued payloads and recording files inside the caller's
    transaction; the caller compacts the file afterwards (`compact`). Files go before the
    commit on purpose: a failed commit leaves rows that a retry erases again, never a file.

    `how="local"`: the erasure starts here, so every row gets a tombstone for the hub; the
    candidate's carries the counts (never any data) under `ERASED_KEY`, as this laptop's
    acknowledgement. `how="pulled"`: the hub already holds the tombstones; nothing is queued
    (the sync engine acknowledges). Only files under `files_root` (this laptop's data
    directory) are touched: a recording row synced from another laptop names a path there."""
    if session.get(Candidate, candidate_id) is None:
        raise NotFoundError(f"No candidate {candidate_id} on this laptop.")
    report = DeletionReport(candidate_id)
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
    root = files_root.resolve() if files_root is not None else None
    for f in files:
        if root is not None and not f.resolve().is_relative_to(root):
            continue
        # The media file, its sidecars, and the capture store's manifest and lock file.
        extra = [f.with_suffix(s) for s in (".json", ".json.tmp", ".lock")]
        for path in dict.fromkeys((f, *f.parent.glob(f.name + ".*"), *extra)):
            try:
                path.unlink()
                report.files.append(str(path))
            except FileNotFoundError:
                pass
    synced = _synced_tables()
    total = sum(len(ids) for ids in reach.values())
    for table_name, ids in reach.items():
        report.rows[table_name] = len(ids)
        if table_name in synced and how == "local":
            for rid in ids:
                payload: dict[str, Any] = {"id": str(rid)}
                if table_name == "candidate":
                    payload[ERASED_KEY] = {
                        "how": how,
                        "rows": total,
                        "files": len(report.files),
                    }
                repo._enqueue(session, table_name, rid, OutboxOpKind.DELETE, payload)
    # Import bookkeeping names the candidate by id, not by foreign key (a source row or a
    # review pair may concern a record of another kind): its row fingerprints and the
    # review pairs that show their fields side by side go too.
    prov = session.connection().execute(
        delete(SourceRow).where(
            SourceRow.entity == "candidates",  # type: ignore[arg-type]
            col(SourceRow.record_id) == candidate_id,
        )
    )
    pairs = session.connection().execute(
        delete(ReviewItem).where(
            (col(ReviewItem.left_id) == candidate_id) | (col(ReviewItem.right_id) == candidate_id)
        )
    )
    if prov.rowcount:
        report.rows["migrationsourcerow"] = prov.rowcount
    if pairs.rowcount:
        report.rows["migrationreview"] = pairs.rowcount
    # Foreign keys cascade from the candidate row to everything found above.
    session.connection().execute(delete(Candidate).where(col(Candidate.id) == candidate_id))
    repo.append_audit(
        session,
        by,
        "delete-candidate",
        "candidate",
        str(candidate_id),
        {
            "reason": reason,
            "how": how,
            "rows": report.rows,
            "outbox_purged": report.outbox_purged,
            "files_removed": len(report.files),
        },
    )
    return report, files


def compact(db: Database) -> None:
    """Deleted text lingers in FTS segments, free pages and the WAL until rewritten."""
    db.maintenance(
        "INSERT INTO candidate_fts(candidate_fts) VALUES('optimize')",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "VACUUM",
        "PRAGMA wal_checkpoint(TRUNCATE)",
    )


def delete_candidate(
    db: Database, candidate_id: uuid.UUID, *, by: str, reason: str
) -> DeletionReport:
    """Erase a candidate from this laptop; tombstones tell the hub and the other laptops."""
    report, _files = db.write(
        lambda s: erase_rows(
            s, candidate_id, by=by, reason=reason, how="local", files_root=db.path.parent
        )
    )
    compact(db)
    log.info("deleted candidate %s: %s", candidate_id, report.as_dict())
    return report
