"""The exactly-once harness: laptops (real processes, SIGKILLed at chosen points) sync through
the fault proxy to a real hub; afterwards the hub must hold exactly what the laptops created
(0 lost, 0 duplicated) and every laptop must hold exactly the hub's state.

Used by tests/sync/test_exactly_once.py (a few runs) and benchmarks/bench_sync.py (many).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.core.domain import ConsentPurpose, OutboxOpKind, Role
from app.storage import migrate, repo
from app.storage.db import Database
from app.storage.tables import Candidate, ConsentRecord, OutboxOp
from app.sync.client import CredentialStore, HubClient, RetryPolicy, SyncError, _ssl_context
from app.sync.engine import Syncer

KILL_POINTS = ("before_send", "after_send", "after_ack", "after_pull", "external", None)
ENTITIES = ("candidate", "consentrecord")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋"


# --- the laptop process ------------------------------------------------------------------------


def client_main(home: str, hub_url: str, kill_at: str | None, kill_after: int) -> None:
    """One laptop's sync run in its own process; SIGKILLs itself at `kill_at`."""
    seen: dict[str, int] = {}

    def checkpoint(name: str) -> None:
        seen[name] = seen.get(name, 0) + 1
        if name == kill_at and seen[name] >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    store = CredentialStore(Path(home))
    creds = store.only()
    db = Database(Path(home) / "roundtwo.db").open()
    try:
        with HubClient(
            hub_url,
            credentials=creds,
            store=store,
            timeout_s=10,
            retry=RetryPolicy(attempts=12, base_s=0.02, cap_s=0.3),
        ) as client:
            Syncer(db, client, batch_size=10, pull_limit=25, checkpoint=checkpoint).run(
                sanity=False
            )
    finally:
        db.close()


def sync_in_process(home: Path, hub_url: str) -> bool:
    """A clean sync run of one laptop from the harness itself (no kill): True if it finished."""
    store = CredentialStore(home)
    db = Database(home / "roundtwo.db").open()
    try:
        with HubClient(
            hub_url,
            credentials=store.only(),
            store=store,
            timeout_s=10,
            retry=RetryPolicy(attempts=12, base_s=0.02, cap_s=0.3),
        ) as client:
            Syncer(db, client, batch_size=10, pull_limit=25).run()
        return True
    except SyncError:
        return False
    finally:
        db.close()


def _warm() -> None:
    """Run in the fork server: what every laptop process would otherwise load itself."""
    migrate.all_revisions()
    migrate.head_revision()
    _ssl_context()


_ctx: Any = None


def _mp() -> Any:
    """Fork laptops from a clean single-threaded server process with the code already loaded
    (the test process runs the hub in threads, so it must not fork itself)."""
    global _ctx
    if _ctx is None:
        _ctx = multiprocessing.get_context("forkserver")
        _ctx.set_forkserver_preload(["__main__", "tests.sync.harness", "tests.sync.harness_warm"])
    return _ctx


# --- one laptop, seen from the harness ---------------------------------------------------------


@dataclass
class Laptop:
    home: Path
    rng: random.Random
    ops: dict[uuid.UUID, OutboxOp] = field(default_factory=dict)
    made: int = 0

    @property
    def db_path(self) -> Path:
        return self.home / "roundtwo.db"

    def write_some(self, n: int) -> None:
        """n random local changes (create/update/delete candidates, consents)."""
        db = Database(self.db_path).open()
        try:
            for _ in range(n):
                db.write(self._one_change)
            with db.read() as s:
                for op in s.exec(select(OutboxOp)).all():
                    self.ops.setdefault(op.id, op)
        finally:
            db.close()

    def state(self) -> dict[tuple[str, uuid.UUID], dict[str, Any]]:
        """The synced rows this laptop holds, in the shape the hub comparison uses."""
        db = Database(self.db_path).open()
        try:
            with db.read() as s:
                out: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
                for c in s.exec(select(Candidate)).all():
                    out[("candidate", c.id)] = {"name": c.name, "city": c.city}
                for cr in s.exec(select(ConsentRecord)).all():
                    out[("consentrecord", cr.id)] = {"granted": cr.granted}
                return out
        finally:
            db.close()

    def queued(self) -> int:
        db = Database(self.db_path).open()
        try:
            with db.read() as s:
                return len(s.exec(select(OutboxOp.id)).all())
        finally:
            db.close()

    def _one_change(self, s: Session) -> None:
        rng = self.rng
        cands = list(s.exec(select(Candidate)).all())
        roll = rng.random()
        if not cands or roll < 0.45:
            self.made += 1
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            repo.save(s, Candidate(name=name, email=f"{uuid.uuid4().hex[:8]}@example.cn"))
        elif roll < 0.7:
            c = rng.choice(cands)
            c.city = rng.choice(["北京", "上海", "深圳", "成都"]) + str(rng.randint(1, 99))
            repo.save(s, c)
        elif roll < 0.85:
            c = rng.choice(cands)
            repo.save(
                s,
                ConsentRecord(
                    candidate_id=c.id,
                    purpose=ConsentPurpose.RECORDING,
                    granted=rng.random() < 0.8,
                    notice_version="2026-1",
                ),
            )
        else:
            repo.delete(s, rng.choice(cands))


@dataclass
class RunResult:
    seed: int
    ops: int
    kills: int
    processes: int
    lost: int
    unexpected: int
    duplicated: int
    wrong_payload: int
    rejected: int
    diverged_laptops: int
    faults: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.unexpected
            or self.duplicated
            or self.wrong_payload
            or self.rejected
            or self.diverged_laptops
        )


# --- a run ---------------------------------------------------------------------------------------


def template_db(root: Path) -> Path:
    """A migrated empty laptop database to copy (migrating each laptop would cost seconds)."""
    path = root / "template.db"
    if not path.exists():
        Database(path).open().close()
    return path


def run_once(
    hub: Any,
    org: Any,
    proxy: Any,
    work: Path,
    seed: int,
    *,
    laptops: int = 5,
    rounds: int = 1,
    changes: tuple[int, int] = (2, 6),
) -> RunResult:
    """One randomized run: a fresh org unit of `org` on `hub` (a HubThread), with `laptops`
    enrolled laptops that write offline, sync at once through `proxy` and get killed."""
    from sqlmodel import Session as HubSession

    from server.tables import IdempotencyKey, SyncRecord

    t0 = time.perf_counter()
    rng = random.Random(seed)
    template = template_db(work)
    unit = org.add_unit(f"run{seed}-{uuid.uuid4().hex[:6]}")
    user_id, _ = org.add_user(Role.HR, unit)
    fleet: list[Laptop] = []
    devices: set[uuid.UUID] = set()
    for i in range(laptops):
        home = work / f"run{seed}" / f"laptop{i}"
        home.mkdir(parents=True)
        shutil.copy(template, home / "roundtwo.db")
        with HubClient(hub.url, store=CredentialStore(home)) as c:
            devices.add(c.enrol(org.enrolment_code(user_id), f"laptop{i}").device_id)
        fleet.append(Laptop(home, random.Random(rng.random())))

    ctx = _mp()
    kills = processes = 0

    def launch(lap: Laptop, kill_at: str | None) -> Any:
        nonlocal processes
        processes += 1
        target = None if kill_at == "external" else kill_at
        proc = ctx.Process(
            target=client_main,
            args=(str(lap.home), proxy.url, target, rng.randint(1, 2)),
            daemon=True,
        )
        proc.start()
        return proc

    def wait_all(procs: list[tuple[Any, str | None]]) -> None:
        nonlocal kills
        for proc, kill_at in procs:
            if kill_at == "external":  # SIGKILL from outside at a random moment
                proc.join(rng.uniform(0.2, 2.0))
                if proc.is_alive():
                    os.kill(proc.pid, signal.SIGKILL)
            proc.join(120)
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGKILL)
                proc.join(10)
                raise RuntimeError("a laptop process hung")
            if proc.exitcode == -signal.SIGKILL:
                kills += 1

    # Faulty rounds: laptops write offline, then sync at once; most are killed somewhere.
    for _ in range(rounds):
        for lap in fleet:
            lap.write_some(rng.randint(*changes))
        wait_all([(launch(lap, k), k) for lap in fleet for k in [rng.choice(KILL_POINTS)]])

    # Settle, in this process: faults stay on, no kills; until every laptop finished a run,
    # then once more so each pulls what the others pushed after its own pull.
    for _ in range(2):
        for lap in fleet:
            for _attempt in range(20):
                if sync_in_process(lap.home, proxy.url):
                    break
            else:
                raise RuntimeError(f"{lap.home.name} never completed a sync")

    # --- verify ---
    all_ops: dict[uuid.UUID, OutboxOp] = {}
    for lap in fleet:
        all_ops.update(lap.ops)
    with HubSession(hub.engine) as s:
        keys = {
            k.op_id: k
            for k in s.exec(
                select(IdempotencyKey).where(col(IdempotencyKey.device_id).in_(devices))
            )
        }
        recs = s.exec(select(SyncRecord).where(SyncRecord.org_unit_id == unit)).all()
    lost = len(set(all_ops) - set(keys))
    unexpected = len(set(keys) - set(all_ops))
    rejected = sum(1 for k in keys.values() if k.result.get("status") == "rejected")
    by_id: dict[tuple[str, uuid.UUID], int] = {}
    for r in recs:
        by_id[(r.entity, r.entity_id)] = by_id.get((r.entity, r.entity_id), 0) + 1
    duplicated = sum(n - 1 for n in by_id.values())

    # Expected hub state, from the ops alone: every upserted id lives unless it (or its
    # candidate) was deleted by anyone (tombstones win).
    deleted = {o.entity_id for o in all_ops.values() if o.op == OutboxOpKind.DELETE}
    upserted = {(o.entity, o.entity_id): o for o in all_ops.values() if o.op == OutboxOpKind.UPSERT}
    expected_live = {
        key
        for key, o in upserted.items()
        if key[1] not in deleted
        and not (o.entity == "consentrecord" and uuid.UUID(o.payload["candidate_id"]) in deleted)
    }
    live = {(r.entity, r.entity_id): r for r in recs if not r.deleted}
    lost += len(expected_live - set(live))
    unexpected += len(set(live) - expected_live)
    # A live record must carry the payload of the op whose application gave it its seq.
    by_seq = {k.result.get("server_seq"): op_id for op_id, k in keys.items()}
    wrong = 0
    for r in live.values():
        op_id = by_seq.get(r.server_seq)
        if op_id is None or all_ops[op_id].payload != r.payload:
            wrong += 1

    hub_view = {
        key: (
            {"name": r.payload.get("name"), "city": r.payload.get("city")}
            if key[0] == "candidate"
            else {"granted": r.payload.get("granted")}
        )
        for key, r in live.items()
    }
    diverged = sum(1 for lap in fleet if lap.state() != hub_view or lap.queued())
    return RunResult(
        seed=seed,
        ops=len(all_ops),
        kills=kills,
        processes=processes,
        lost=lost,
        unexpected=unexpected,
        duplicated=duplicated,
        wrong_payload=wrong,
        rejected=rejected,
        diverged_laptops=diverged,
        faults={
            "resets": proxy.stats.resets,
            "drops": proxy.stats.drops,
            "delays": proxy.stats.delays,
        },
        seconds=round(time.perf_counter() - t0, 2),
    )
