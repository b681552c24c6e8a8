"""The review queue for the import wizard: uncertain pairs side by side, merge or keep apart."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.core.errors import InvalidInputError, NotFoundError
from app.migrate.plan import CANDIDATE_FIELDS, merge_values
from app.migrate.tables import ReviewItem, SourceRow
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Application, Candidate, ConsentRecord, InterviewSession, TrainingPlan


class Decision(enum.StrEnum):
    MERGE = "merged"
    KEEP_APART = "kept_apart"


@dataclass
class FieldPair:
    field: str
    left: Any
    right: Any
    same: bool


@dataclass
class ReviewView:
    id: uuid.UUID
    probability: float
    left_id: uuid.UUID
    right_id: uuid.UUID
    fields: list[FieldPair]
    left_rows: list[tuple[str, int]]
    right_rows: list[tuple[str, int]]


def _values(c: Candidate) -> dict[str, Any]:
    return {f: getattr(c, f) for f in CANDIDATE_FIELDS}


def _rows(s: Session, record_id: uuid.UUID) -> list[tuple[str, int]]:
    found = s.exec(select(SourceRow).where(SourceRow.record_id == record_id)).all()
    return sorted((r.sheet, r.row_number) for r in found)


def pending(db: Database, limit: int = 200) -> list[ReviewView]:
    """Pending pairs, surest first, with both records' current fields side by side."""
    out: list[ReviewView] = []
    with db.read() as s:
        items = s.exec(
            select(ReviewItem)
            .where(ReviewItem.status == "pending")
            .order_by(col(ReviewItem.probability).desc())
            .limit(limit)
        ).all()
        for item in items:
            left, right = s.get(Candidate, item.left_id), s.get(Candidate, item.right_id)
            if left is None or right is None:
                continue
            lv, rv = _values(left), _values(right)
            out.append(
                ReviewView(
                    item.id,
                    item.probability,
                    item.left_id,
                    item.right_id,
                    [FieldPair(f, lv[f], rv[f], lv[f] == rv[f]) for f in CANDIDATE_FIELDS],
                    _rows(s, item.left_id),
                    _rows(s, item.right_id),
                )
            )
    return out


def decide(db: Database, item_id: uuid.UUID, decision: Decision, actor: str = "user") -> None:
    """Merge the right record into the left (its rows, links and missing fields move over;
    the right one is deleted with a tombstone for the hub), or mark the pair as distinct."""

    def run(s: Session) -> None:
        item = s.get(ReviewItem, item_id)
        if item is None:
            raise NotFoundError(f"No review item {item_id}.")
        if item.status != "pending":
            raise InvalidInputError(f"Review item {item_id} was already decided ({item.status}).")
        item.status = decision.value
        item.decided_by = actor
        item.updated_at = dt.datetime.now(dt.UTC)
        s.add(item)
        if decision is Decision.MERGE:
            _merge(s, item.left_id, item.right_id)
        repo.append_audit(
            s,
            actor,
            f"migrate.review.{decision.value}",
            "candidate",
            str(item.left_id),
            {"right": str(item.right_id), "probability": item.probability},
        )

    db.write(run)


def _merge(s: Session, keep_id: uuid.UUID, drop_id: uuid.UUID) -> None:
    keep, drop = s.get(Candidate, keep_id), s.get(Candidate, drop_id)
    if keep is None or drop is None:
        raise NotFoundError("One of the two candidates of this review item no longer exists.")
    merged = merge_values([_values(drop)], _values(keep))
    for f, v in merged.items():
        setattr(keep, f, v)
    repo.save(s, keep)
    for table in (Application, InterviewSession, ConsentRecord, TrainingPlan):
        for row in s.exec(select(table).where(table.candidate_id == drop_id)).all():
            row.candidate_id = keep_id
            repo.save(s, row)
    s.execute(
        update(SourceRow).where(col(SourceRow.record_id) == drop_id).values(record_id=keep_id)
    )
    for other in s.exec(
        select(ReviewItem).where(
            (col(ReviewItem.left_id) == drop_id) | (col(ReviewItem.right_id) == drop_id)
        )
    ).all():
        if other.status != "pending":
            continue
        if other.left_id == drop_id:
            other.left_id = keep_id
        if other.right_id == drop_id:
            other.right_id = keep_id
        if other.left_id == other.right_id:
            other.status = Decision.MERGE.value
        s.add(other)
    s.flush()
    repo.delete(s, drop)
