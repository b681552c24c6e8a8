"""One sync run: push the outbox (oldest first, in batches), pull changes since the cursor
(applied in one transaction with the cursor), send erasure acknowledgements and this laptop's
audit log (from the seq the hub last confirmed), then the post-sync sanity check."""

from __future__ import annotations

import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col, delete, select

from app.core.cancel import check
from app.core.domain import OutboxStatus
from app.core.errors import RoundTwoError
from app.storage import repo
from app.storage.db import Database
from app.storage.deletion import compact, erase_rows
from app.storage.tables import (
    SYNCED,
    AuditLog,
    Candidate,
    OutboxOp,
    Record,
    Recording,
    SyncState,
)
from app.storage.types import utcnow
from app.sync import protocol as p
from app.sync.client import HubClient, HubRejectedError

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
    erased: int = 0  # candidates erased here because the hub sent their tombstone
    profile: str | None = None  # the organisation's compliance profile, once applied
    audit_sent: int = 0  # audit-log rows the hub stored in this run
    audit_acked: int | None = None  # the hub holds this laptop's audit log up to this seq
    audit_error: str | None = None  # why the hub refused (part of) the audit log

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
            "erased": self.erased,
            "profile": self.profile,
            "audit_sent": self.audit_sent,
            "audit_acked": self.audit_acked,
            "audit_error": self.audit_error,
        }


Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


def _no_checkpoint(_name: str) -> None:
    return None


# Where stopping wastes nothing: before a batch is sent (the acks of the previous one are
# stored) and after a pulled page is applied with its cursor (one transaction each).
_SAFE_STOPS = frozenset({"before_send", "after_pull"})


def _cancellable(inner: Callable[[str], None], cancel: threading.Event) -> Callable[[str], None]:
    def checkpoint(name: str) -> None:
        inner(name)
        if name in _SAFE_STOPS:
            check(cancel, "The sync")

    return checkpoint


def _audit_page(rows: Sequence[AuditLog]) -> tuple[list[p.DeviceAuditRow], str | None]:
    """The wire form of `rows` up to the first one the protocol cannot carry, and why not."""
    page: list[p.DeviceAuditRow] = []
    for r in rows:
        try:
            page.append(p.DeviceAuditRow.model_validate(r.model_dump(exclude={"id"})))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "row"
            return (
                page,
                f"Audit row seq {r.seq} cannot be sent to the hub: {where}: {first['msg']}.",
            )
    return page, None


class Syncer:
    def __init__(
        self,
        db: Database,
        client: HubClient,
        *,
        batch_size: int = 200,
        pull_limit: int = 500,
        audit_batch: int = 500,
        max_apply: int = 20_000,
        progress: Progress | None = None,
        checkpoint: Callable[[str], None] | None = None,
        home: Path | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.batch_size = min(batch_size, p.MAX_PUSH_OPS)
        self.pull_limit = min(pull_limit, p.MAX_PULL_LIMIT)
        self.audit_batch = max(1, min(audit_batch, p.MAX_AUDIT_ROWS))
        self.cancel = cancel
        self.max_apply = max_apply
        self.progress = progress or _no_progress
        self.checkpoint = checkpoint or _no_checkpoint
        if cancel is not None:  # the person pressed Cancel: stop at the next safe point
            self.checkpoint = _cancellable(self.checkpoint, cancel)
        # The data directory: given, the organisation's compliance profile is applied there.
        self.home = home
        self.erased: list[p.ErasureAck] = []

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
        if self.erased:
            # Pulled erasures: scrub the file now (VACUUM cannot run inside the pull).
            self._keep_acks(self.erased)
            compact(self.db)
            report.erased, self.erased = len(self.erased), []
        self.send_acks()
        # After the pull: erasures it applied wrote audit rows, and they go out in this run.
        self.push_audit(report)
        if self.home is not None:
            self.apply_org_profile(report)
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
        self.erased += self._erase_tombstoned(s, changes)
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

    def _erase_tombstoned(self, s: Session, changes: list[p.Change]) -> list[p.ErasureAck]:
        """A pulled tombstone of a candidate this laptop holds is a full erasure here (rows,
        recordings, queued payloads; the file is compacted after the run), not one row.
        Tombstones of interviews and recordings take their files along."""
        gone = {(c.entity, c.entity_id) for c in changes if c.deleted}
        cands = [i for e, i in gone if e == "candidate"]
        erased: list[p.ErasureAck] = []
        for cid in s.exec(select(Candidate.id).where(col(Candidate.id).in_(cands))).all():
            rep, _files = erase_rows(
                s,
                cid,
                by="hub",
                reason="erased on the hub",
                how="pulled",
                files_root=self.db.path.parent,
            )
            erased.append(
                p.ErasureAck(
                    candidate_id=cid,
                    how="pulled",
                    rows=sum(rep.rows.values()),
                    files=len(rep.files),
                )
            )
        parents = [i for e, i in gone if e in ("interviewsession", "recording")]
        files = s.exec(
            select(Recording.path).where(
                col(Recording.id).in_(parents) | col(Recording.session_id).in_(parents)
            )
        ).all()
        root = self.db.path.parent.resolve()
        for f in map(Path, files):
            if not f.resolve().is_relative_to(root):
                continue  # another laptop's recording: its path is on that machine
            for path in (f, *f.parent.glob(f.name + ".*")):
                path.unlink(missing_ok=True)
        if erased:
            s.expunge_all()  # the erasure deleted rows behind the ORM's back
        return erased

    # --- erasure acknowledgements ---

    @property
    def _acks_file(self) -> Path:
        return self.db.path.parent / "sync" / "erasure-acks.json"

    def _pending_acks(self) -> list[p.ErasureAck]:
        try:
            raw = json.loads(self._acks_file.read_text(encoding="utf-8"))
            return [p.ErasureAck.model_validate(a) for a in raw]
        except (OSError, ValueError):
            return []

    def _keep_acks(self, new: list[p.ErasureAck]) -> None:
        """Kept until the hub has them (no personal data: ids and counts)."""
        acks = {a.candidate_id: a for a in [*self._pending_acks(), *new]}
        self._acks_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._acks_file.with_suffix(".tmp")
        tmp.write_text(
            json.dumps([a.model_dump(mode="json") for a in acks.values()]), encoding="utf-8"
        )
        tmp.replace(self._acks_file)

    def send_acks(self) -> None:
        acks = self._pending_acks()
        if not acks:
            return
        self.client.erasure_acks(acks)  # an old hub (None) cannot take them: drop them
        self._acks_file.unlink(missing_ok=True)

    # --- audit log ---

    def _audit_seq(self) -> int:
        with self.db.read() as s:
            state = s.get(SyncState, self.client.hub_url)
            return state.audit_seq if state else 0

    def _keep_audit_seq(self, acked: int) -> None:
        def write(s: Session) -> None:
            state = self._state(s)
            state.audit_seq = acked
            s.add(state)

        self.db.write(write)

    def _hub_audit_seq(self) -> int | None:
        try:
            resp = self.client.push_audit([])
        except HubRejectedError:
            return None
        return None if resp is None else resp.acked_seq

    def push_audit(self, report: SyncReport) -> None:
        """Send the audit log after the seq the hub last confirmed, a page at a time, and keep
        the seq the hub answers (the highest it holds without a gap). A refusal is reported
        (`audit_error`, naming the seq), not raised: the records sync must not stop for it."""
        asked_hub = False
        while True:
            if self.cancel is not None:
                check(self.cancel, "The sync")
            since = self._audit_seq()
            with self.db.read() as s:
                rows = s.exec(
                    select(AuditLog)
                    .where(col(AuditLog.seq) > since)
                    .order_by(col(AuditLog.seq))
                    .limit(self.audit_batch)
                ).all()
                page, unsendable = _audit_page(rows)
            if not page:
                if unsendable:
                    report.audit_error = unsendable
                    log.warning("%s", unsendable)
                return
            try:
                resp = self.client.push_audit(page)
            except HubRejectedError as exc:
                if not asked_hub:
                    # The hub may hold less than it once confirmed (restored from a backup):
                    # ask, and start again from there once.
                    asked_hub = True
                    held = self._hub_audit_seq()
                    if held is not None and held < since:
                        self._keep_audit_seq(held)
                        continue
                report.audit_error = exc.message
                log.warning("the hub refused this laptop's audit log: %s", exc.message)
                return
            if resp is None:  # a hub without audit logs
                return
            self._keep_audit_seq(resp.acked_seq)
            report.audit_sent += resp.stored
            report.audit_acked = resp.acked_seq
            if resp.acked_seq < page[-1].seq:  # never loop on a page the hub did not take
                unsendable = unsendable or (
                    f"The hub confirmed the audit log only up to seq {resp.acked_seq} of "
                    f"{page[-1].seq}."
                )
            if unsendable:
                report.audit_error = unsendable
                log.warning("%s", unsendable)
                return

    def apply_org_profile(self, report: SyncReport) -> None:
        from app.sync.orgprofile import apply_org_profile

        assert self.home is not None
        doc = self.client.compliance_profile()
        if doc is None:
            return
        try:
            report.profile = apply_org_profile(self.home, doc)
        except RoundTwoError as exc:  # the laptop's own rules refuse it: keep the old one
            report.skipped.append(f"compliance profile: {exc.message}")
            log.warning("refused the hub's compliance profile: %s", exc.message)

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
