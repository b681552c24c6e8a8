"""One sync run: push the outbox (oldest first, in batches), pull changes since the cursor
(applied in one transaction with the cursor), then the post-sync sanity check."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col, delete, select

from app.core.domain import OutboxStatus
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import SYNCED, OutboxOp, Record, SyncState
from app.storage.types import utcnow
from app.sync import protocol as p
from app.sync.client import HubClient

log = logging.getLogger(__name__)

MODELS: dict[str, type[Record]] = {
    str(m.__table__.name): m  # type: ignore[attr-defined]
    for m in SYNCED
}

RANK: dict[str, int] = {name: i for i, name in enumerate(MODELS)}

# Where a kill in the exactly-once harness can land (see tests/sync/harness.py).
CHECKPOINTS = ("before_send", "after_send", "after_ack", "after_pull")


@dataclass
class Rejected:
    op_id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    error: str


@dataclass
class SyncReport:
    hub_url: str
    pushed: int = 0
    replayed: int = 0
    superseded: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    pulled: int = 0
    skipped: list[str] = field(default_factory=list)
    cursor: int = 0
    pending: int = 0
    sanity_ok: bool | None = None
    mismatched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hub_url": self.hub_url,
            "pushed": self.pushed,
            "replayed": self.replayed,
            "superseded": self.superseded,
            "rejected": [
                {
                    "op_id": str(r.op_id),
                    "entity": r.entity,
                    "entity_id": str(r.entity_id),
                    "error": r.error,
                }
                for r in self.rejected
            ],
            "pulled": self.pulled,
            "skipped": self.skipped,
            "cursor": self.cursor,
            "pending": self.pending,
            "sanity_ok": self.sanity_ok,
            "mismatched": self.mismatched,
        }


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def _no_checkpoint(_name: str) -> None:
    return None


class Syncer:
    def __init__(
        self,
        db: Database,
        client: HubClient,
        *,
        batch_size: int = 200,
        pull_limit: int = 500,
        max_apply: int = 20_000,
        progress: Progress | None = None,
        checkpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.batch_size = min(batch_size, p.MAX_PUSH_OPS)
        self.pull_limit = min(pull_limit, p.MAX_PULL_LIMIT)
        self.max_apply = max_apply
        self.progress = progress or _no_progress
        self.checkpoint = checkpoint or _no_checkpoint

    # --- state ---

    def _state(self, s: Session) -> SyncState:
        url = self.client.hub_url
        state = s.get(SyncState, url)
        if state is None:
            creds = self.client.credentials
            device = str(creds.device_id) if creds else ""
            state = SyncState(hub_url=url, device_id=device, cursor=0)
            s.add(state)
            s.flush()
        return state

    def cursor(self) -> int:
        with self.db.read() as s:
            state = s.get(SyncState, self.client.hub_url)
            return state.cursor if state else 0

    def pending_count(self) -> int:
        with self.db.read() as s:
            return len(
                s.exec(select(OutboxOp.id).where(OutboxOp.status == OutboxStatus.PENDING)).all()
            )

    # --- run ---

    def run(self, *, sanity: bool = True) -> SyncReport:
        report = SyncReport(hub_url=self.client.hub_url)
        self.client.health()
        self.push(report)
        self.pull(report)
        report.pending = self.pending_count()
        if sanity and report.pending == 0:
            self.check(report)
        return report

    def push(self, report: SyncReport) -> None:
        total = self.pending_count()
        done = 0
        self.progress("push", 0, total)
        while True:
            with self.db.read() as s:
                ops = list(repo.pending_ops(s, limit=self.batch_size))
            if not ops:
                break
            wire = [
                p.PushOp(
                    op_id=o.id,
                    seq=o.seq or 0,
                    entity=o.entity,
                    entity_id=o.entity_id,
                    op=o.op,
                    payload=o.payload,
                )
                for o in ops
            ]
            self.checkpoint("before_send")
            try:
                resp = self.client.push(wire, after_send=lambda: self.checkpoint("after_send"))
            except Exception as exc:
                self._note_failure([o.id for o in ops], str(exc))
                raise
            self.checkpoint("after_ack")
            self._ack(resp, {o.id: o for o in ops}, report)
            done += len(ops)
            self.progress("push", done, max(total, done))

    def _ack(
        self, resp: p.PushResponse, sent: dict[uuid.UUID, OutboxOp], report: SyncReport
    ) -> None:
        results = {r.op_id: r for r in resp.results}
        missing = [i for i in sent if i not in results]
        if missing:  # never drop an op the hub did not answer for
            log.warning("the hub did not answer for %d ops; they stay queued", len(missing))

        def write(s: Session) -> None:
            done: list[uuid.UUID] = []
            for op_id, r in results.items():
                if op_id not in sent:
                    continue
                if r.status is p.OpStatus.REJECTED:
                    row = s.get(OutboxOp, op_id)
                    if row is not None:
                        row.status = OutboxStatus.REJECTED
                        row.attempts += 1
                        row.last_error = r.error or "rejected by the hub"
                        s.add(row)
                else:
                    done.append(op_id)
            if done:
                s.exec(delete(OutboxOp).where(col(OutboxOp.id).in_(done)))
            self._state(s).last_push_at = utcnow()

        self.db.write(write)
        for op_id, r in results.items():
            if op_id not in sent:
                continue
            o = sent[op_id]
            if r.status is p.OpStatus.REJECTED:
                report.rejected.append(Rejected(op_id, o.entity, o.entity_id, r.error or ""))
                log.warning("hub rejected %s %s: %s", o.entity, o.entity_id, r.error)
            elif r.status is p.OpStatus.SUPERSEDED:
                report.superseded += 1
            else:
                report.pushed += 1
            if r.replayed:
                report.replayed += 1

    def _note_failure(self, op_ids: list[uuid.UUID], error: str) -> None:
        def write(s: Session) -> None:
            for row in s.exec(select(OutboxOp).where(col(OutboxOp.id).in_(op_ids))).all():
                row.attempts += 1
                row.last_error = error[:500]
                s.add(row)

        try:
            self.db.write(write)
        except Exception:  # bookkeeping only; the ops themselves are untouched
            log.exception("could not record the failed attempt")

    def pull(self, report: SyncReport) -> None:
        """Fetch pages until the hub has no more (or `max_apply` changes are waiting), then
        apply them in one transaction that also moves the cursor. Applying a whole range at
        once lets parents go in before children even when a parent changed later (its
        sequence number is then higher than its child's)."""
        self.progress("pull", 0, 0)
        since = self.cursor()
        while True:
            waiting: dict[tuple[str, uuid.UUID], p.Change] = {}
            cursor = since
            while True:
                resp = self.client.pull(cursor, self.pull_limit)
                for ch in resp.changes:
                    waiting[(ch.entity, ch.entity_id)] = ch
                cursor = max(cursor, resp.next_cursor)
                self.progress("pull", report.pulled + len(waiting), 0)
                if not resp.has_more or len(waiting) >= self.max_apply:
                    break
            changes = list(waiting.values())
            skipped = self.db.write(functools.partial(self._apply, changes=changes, cursor=cursor))
            report.pulled += len(changes)
            report.skipped.extend(skipped)
            report.cursor = cursor
            self.checkpoint("after_pull")
            self.progress("pull", report.pulled, report.pulled)
            if not resp.has_more:
                break
            since = cursor

    def _apply(self, s: Session, changes: list[p.Change], cursor: int) -> list[str]:
        """Apply changes and move the cursor, in one transaction (the writer's)."""
        skipped: list[str] = []
        pending = {
            (e, i)
            for e, i in s.exec(
                select(OutboxOp.entity, OutboxOp.entity_id).where(
                    OutboxOp.status == OutboxStatus.PENDING
                )
            ).all()
        }
        # Upserts parents first (SYNCED is in dependency order), then tombstones.
        ordered = sorted(
            changes, key=lambda c: (c.deleted, RANK.get(c.entity, len(RANK)), c.server_seq)
        )
        for ch in ordered:
            model = MODELS.get(ch.entity)
            if model is None:
                skipped.append(f"{ch.entity} {ch.entity_id}: unknown entity")
                continue
            if ch.deleted:
                row = s.get(model, ch.entity_id)
                if row is not None:
                    s.delete(row)
                    s.flush()
                continue
            if (ch.entity, ch.entity_id) in pending:
                # Our own newer change is still queued; the hub will send it back later.
                continue
            try:
                with s.begin_nested():
                    s.merge(model.model_validate(ch.payload))
                    s.flush()
            except (IntegrityError, StatementError, ValueError) as exc:
                reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
                skipped.append(f"{ch.entity} {ch.entity_id}: {reason}")
                log.warning(
                    "could not apply %s %s from the hub: %s", ch.entity, ch.entity_id, reason
                )
        state = self._state(s)
        state.cursor = max(state.cursor, cursor)
        state.last_pull_at = utcnow()
        s.add(state)
        return skipped

    # --- sanity ---

    def local_summary(self) -> dict[str, p.EntitySummary]:
        out: dict[str, p.EntitySummary] = {}
        with self.db.read() as s:
            for entity in p.SANITY_ENTITIES:
                model = MODELS[entity]
                ids = s.exec(select(model.id)).all()
                out[entity] = p.EntitySummary(count=len(ids), digest=p.ids_digest(ids))
        return out

    def check(self, report: SyncReport) -> None:
        resp = self.client.sanity(p.SanityRequest(entities=self.local_summary()))
        report.sanity_ok = resp.ok
        report.mismatched = resp.mismatched
        if not resp.ok:
            log.warning("post-sync check: laptop and hub differ in %s", ", ".join(resp.mismatched))
