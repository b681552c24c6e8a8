"""Sync: (1) 1,000 laptops reconnect with 200 queued ops each against the hub on PostgreSQL;
(2) the exactly-once harness, >= 200 randomized runs (5 laptop processes each, SIGKILLs,
fault proxy): lost / duplicated / diverged.

(1) is measured per laptop, from its first push request until the hub has acknowledged all its
ops, including waiting out busy answers (503 + Retry-After) and retries, in three shapes, each
on a fresh database: `burst` (every laptop in the same instant), `window_<W>s` (each laptop
starts at a uniformly random moment in [0, W]) and `reference_burst` (the burst against the
hub code named by ROUNDTWO_BENCH_REFERENCE, e.g. the tree before #7's push rewrite:
`git archive 20df713 | tar -x -C /tmp/ref`), so old and new are measured in the same run.

`bench_sync_floor` measures, beside this, what the machine allows for the same burst with no
hub logic (a no-op server on the same stack; PostgreSQL alone storing the ops).

Loopback only; PostgreSQL is started in a temp dir and stopped by the benchmark. Knobs:
ROUNDTWO_BENCH_LAPTOPS, _OPS, _RUNS (sizes), _WINDOWS_S (e.g. "30,450"), _MODES (any of
burst,window,reference), _REFERENCE, _HUB_WORKERS. Numbers taken on a shared 2-core machine
are noisy.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
BATCH = 200  # SyncEngine's push batch


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _tokens_for(url: str, laptops: int) -> list[str]:
    """An org, an HR user and `laptops` enrolled devices, written straight to the database
    (setting up is not what is measured)."""
    from server import db
    from server.config import HubSettings
    from server.identity import create_admin, issue_tokens
    from server.tables import Device

    settings = HubSettings(database_url=url)
    engine = db.make_engine(url, 2)
    db.upgrade(engine)
    tokens: list[str] = []
    with db.session_scope(engine) as s:
        user = create_admin(
            s,
            f"bench-{uuid.uuid4().hex[:6]}",
            "HQ",
            f"b{uuid.uuid4().hex[:6]}@x.cn",
            "bench",
            "bench password",
        )
        for i in range(laptops):
            d = Device(user_id=user.id, name=f"laptop{i}")
            s.add(d)
            s.flush()
            tokens.append(issue_tokens(s, settings, user.id, d.id).access_token)
    engine.dispose()
    return tokens


def _tokens_via(repo: Path, url: str, laptops: int) -> list[str]:
    """`_tokens_for` run by the code in `repo`, so a reference hub gets its own schema."""
    code = (
        "import json, sys; from benchmarks.bench_sync import _tokens_for; "
        "json.dump(_tokens_for(sys.argv[1], int(sys.argv[2])), sys.stdout)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, url, str(laptops)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    tokens: list[str] = json.loads(out.stdout)
    return tokens


def _queue(ops: int) -> list[dict[str, Any]]:
    queue = []
    for i in range(ops):
        cid = uuid.uuid4()
        queue.append(
            {
                "op_id": str(uuid.uuid4()),
                "seq": i + 1,
                "entity": "candidate",
                "entity_id": str(cid),
                "op": "upsert",
                "payload": {"id": str(cid), "name": f"候选人{i}", "email": f"{cid.hex[:8]}@x.cn"},
            }
        )
    return queue


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)  # per laptop, first try to last ack
    errors: list[str] = field(default_factory=list)
    busy: int = 0  # 503 answers (admission control) that were waited out and retried
    transport_retries: int = 0


async def _laptop(
    client: httpx.AsyncClient, token: str, ops: int, start_s: float, tally: _Tally
) -> None:
    """One laptop: waits `start_s`, then pushes its queue in batches like `SyncEngine`, and
    retries like `HubClient` (busy hub: wait its Retry-After plus jitter; network: backoff)."""
    from app.sync.client import RetryPolicy

    queue = _queue(ops)
    headers = {"Authorization": f"Bearer {token}", "X-RoundTwo-Protocol": "1"}
    policy = RetryPolicy()
    await asyncio.sleep(start_s)
    t0 = time.perf_counter()
    for start in range(0, ops, BATCH):
        body = {"ops": queue[start : start + BATCH]}
        attempt = busy = 0
        while True:
            try:
                r = await client.post("/api/v1/sync/push", json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt + 1 >= policy.attempts:
                    tally.errors.append(type(exc).__name__)
                    return
                tally.transport_retries += 1
                await asyncio.sleep(policy.delay(attempt))
                attempt += 1
                continue
            if r.status_code == 503 and r.headers.get("Retry-After"):
                tally.busy += 1
                await asyncio.sleep(policy.busy_delay(r.headers["Retry-After"], busy))
                busy += 1
                continue
            if r.status_code != 200:
                tally.errors.append(f"HTTP {r.status_code}")
                return
            if any(x["status"] == "rejected" for x in r.json()["results"]):
                tally.errors.append("rejected op")
                return
            break
    tally.latencies.append(time.perf_counter() - t0)


def _start_hub(repo: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    from tests.server.hubtools import free_port

    port = free_port()
    env = dict(
        os.environ,
        ROUNDTWO_HUB_DB_POOL_SIZE=os.environ.get("ROUNDTWO_HUB_DB_POOL_SIZE", "20"),
        ROUNDTWO_HUB_DB_WORKERS=os.environ.get("ROUNDTWO_HUB_DB_WORKERS", "20"),
    )
    cmd = [sys.executable, "-m", "app", "hub", "serve", "--db", url, "--port", str(port)]
    hub = subprocess.Popen(
        [*cmd, "--workers", str(workers)],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(base + "/api/v1/health", timeout=2).status_code == 200:
                return hub, base
        except httpx.TransportError:
            time.sleep(0.3)
        if hub.poll() is not None or time.monotonic() > deadline:
            hub.kill()
            raise RuntimeError(f"the hub from {repo} did not start")


def _stop_hub(hub: subprocess.Popen[bytes]) -> None:
    hub.send_signal(signal.SIGTERM)
    try:
        hub.wait(30)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait(10)


def _reconnect_once(
    pg: Any, repo: Path, laptops: int, ops: int, window_s: float, workers: int
) -> dict[str, Any]:
    """All laptops against a hub on a fresh database: each starts at a uniformly random
    moment in [0, window_s] (0 = all in the same instant)."""
    url = pg.create_database(f"bench{uuid.uuid4().hex[:8]}")
    tokens = _tokens_via(repo, url, laptops)
    hub, base = _start_hub(repo, url, workers)
    tally = _Tally()
    rng = random.Random(7)
    starts = [rng.uniform(0, window_s) for _ in tokens]
    try:

        async def main() -> float:
            limits = httpx.Limits(max_connections=laptops, max_keepalive_connections=laptops)
            async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:
                t0 = time.perf_counter()
                await asyncio.gather(
                    *(
                        _laptop(client, tok, ops, st, tally)
                        for tok, st in zip(tokens, starts, strict=True)
                    )
                )
                return time.perf_counter() - t0

        wall = asyncio.run(main())
    finally:
        _stop_hub(hub)
    lat = tally.latencies or [float("nan")]
    p95 = _percentile(lat, 0.95)
    return {
        "window_s": window_s,
        "laptops_done": len(tally.latencies),
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors))[:5],
        "busy_answers_retried": tally.busy,
        "transport_retries": tally.transport_retries,
        "p50_s": round(statistics.median(lat), 3),
        "p95_s": round(p95, 3),
        "max_s": round(max(lat), 3),
        "wall_s": round(wall, 1),
        "pushes_per_s": round(laptops * -(-ops // BATCH) / wall, 1),
        "ops_per_s": round(laptops * ops / wall),
        "met": p95 < 1.0 and not tally.errors and len(tally.latencies) == laptops,
    }


def bench_reconnect(pg: Any) -> dict[str, Any]:
    laptops = _env_int("ROUNDTWO_BENCH_LAPTOPS", 1000)
    ops = _env_int("ROUNDTWO_BENCH_OPS", 200)
    # Start windows for the jittered reconnect. 450 s is SyncWorker's spread once its backoff
    # is at the cap (uniform(max/2, max) with max 900 s: after an outage of ~30 min or more).
    windows = [float(w) for w in os.environ.get("ROUNDTWO_BENCH_WINDOWS_S", "30,450").split(",")]
    workers = _env_int("ROUNDTWO_BENCH_HUB_WORKERS", 2)
    modes = os.environ.get("ROUNDTWO_BENCH_MODES", "burst,window,reference").split(",")
    reference = os.environ.get("ROUNDTWO_BENCH_REFERENCE", "")
    out: dict[str, Any] = {
        "laptops": laptops,
        "ops_per_laptop": ops,
        "batch": BATCH,
        "hub_workers": workers,
        "measured": "per laptop: from its first push request until the hub has acknowledged "
        "all its ops, including waiting out busy (503) answers and retries",
        "target": "p95 < 1 s, 0 errors",
    }
    if reference and "reference" in modes:
        out["reference_burst"] = "not run yet"
    else:
        out["reference_burst"] = "not run: ROUNDTWO_BENCH_REFERENCE names no old checkout"
    for mode in modes:  # in the order given, so old-then-new and new-then-old can both be run
        if mode == "burst":
            out["burst"] = _reconnect_once(pg, REPO, laptops, ops, 0.0, workers)
        elif mode == "window":
            for w in windows:
                out[f"window_{w:g}s"] = _reconnect_once(pg, REPO, laptops, ops, w, workers)
        elif mode == "reference" and reference:
            # The code before #7's push rewrite (e.g. `git archive 20df713 | tar -x -C DIR`),
            # same load, same machine, same run.
            ref = Path(reference)
            out["reference_burst"] = _reconnect_once(pg, ref, laptops, ops, 0.0, workers)
    return out


def bench_exactly_once(pg: Any) -> dict[str, Any]:
    from tests.server.hubtools import hub_backends, new_org
    from tests.sync.faultproxy import FaultProxy
    from tests.sync.harness import run_once

    runs = _env_int("ROUNDTWO_BENCH_RUNS", 200)
    results = []
    with tempfile.TemporaryDirectory() as tmp, hub_backends("postgres", Path(tmp), pg) as hub:
        org = new_org(hub)
        with FaultProxy(hub.port, seed=12345) as proxy:
            for seed in range(runs):
                results.append(run_once(hub, org, proxy, Path(tmp), 1000 + seed))
        faults = {
            "resets": proxy.stats.resets,
            "drops": proxy.stats.drops,
            "delays": proxy.stats.delays,
        }
    return {
        "runs": len(results),
        "laptops_per_run": 5,
        "ops": sum(r.ops for r in results),
        "kills": sum(r.kills for r in results),
        "laptop_processes": sum(r.processes for r in results),
        "lost": sum(r.lost for r in results),
        "duplicated": sum(r.duplicated for r in results),
        "unexpected": sum(r.unexpected for r in results),
        "wrong_payload": sum(r.wrong_payload for r in results),
        "rejected": sum(r.rejected for r in results),
        "diverged_laptops": sum(r.diverged_laptops for r in results),
        "failed_runs": [r.seed for r in results if not r.ok],
        "faults": faults,
        "run_s_p50": round(statistics.median(r.seconds for r in results), 2),
    }


def run() -> dict[str, object]:
    sys.path.insert(0, str(REPO))
    from tests.server.hubtools import start_postgres

    pg = start_postgres()
    try:
        out: dict[str, object] = {"note": "shared 2-core machine; numbers are noisy"}
        if _env_int("ROUNDTWO_BENCH_LAPTOPS", 1000) > 0:
            out["reconnect"] = bench_reconnect(pg)
        if _env_int("ROUNDTWO_BENCH_RUNS", 200) > 0:
            out["exactly_once"] = bench_exactly_once(pg)
        return out
    finally:
        pg.stop()
