"""Sync: (1) 1,000 laptops reconnect at once with 200 queued ops each against the hub on
PostgreSQL (push latency p50/p95, errors); (2) the exactly-once harness, >= 200 randomized
runs (5 laptop processes each, SIGKILLs, fault proxy): lost / duplicated / diverged.

Loopback only; PostgreSQL is started in a temp dir and stopped by the benchmark. Sizes can be
lowered for a quick look: ROUNDTWO_BENCH_LAPTOPS, ROUNDTWO_BENCH_OPS, ROUNDTWO_BENCH_RUNS.
Numbers taken on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]


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


async def _laptop(
    client: httpx.AsyncClient, token: str, ops: int, batch: int, lat: list[float], errors: list[str]
) -> None:
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
    headers = {"Authorization": f"Bearer {token}", "X-RoundTwo-Protocol": "1"}
    for start in range(0, ops, batch):
        body = {"ops": queue[start : start + batch]}
        t0 = time.perf_counter()
        try:
            r = await client.post("/api/v1/sync/push", json=body, headers=headers)
            if r.status_code != 200:
                errors.append(f"HTTP {r.status_code}")
            elif any(x["status"] == "rejected" for x in r.json()["results"]):
                errors.append("rejected op")
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        lat.append(time.perf_counter() - t0)


def bench_reconnect(pg: Any) -> dict[str, Any]:
    from tests.server.hubtools import free_port

    laptops = _env_int("ROUNDTWO_BENCH_LAPTOPS", 1000)
    ops = _env_int("ROUNDTWO_BENCH_OPS", 200)
    batch = 200
    url = pg.create_database("bench")
    tokens = _tokens_for(url, laptops)
    port = free_port()
    env = dict(os.environ, ROUNDTWO_HUB_DB_POOL_SIZE="20", ROUNDTWO_HUB_DB_WORKERS="20")
    hub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "hub",
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
            if time.monotonic() > deadline:
                raise RuntimeError("hub did not start")
        lat: list[float] = []
        errors: list[str] = []

        async def main() -> float:
            limits = httpx.Limits(max_connections=laptops, max_keepalive_connections=laptops)
            async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:
                t0 = time.perf_counter()
                await asyncio.gather(*(_laptop(client, t, ops, batch, lat, errors) for t in tokens))
                return time.perf_counter() - t0

        wall = asyncio.run(main())
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(30)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait(10)
    return {
        "laptops": laptops,
        "ops_per_laptop": ops,
        "pushes": len(lat),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "push_p50_s": round(statistics.median(lat), 3),
        "push_p95_s": round(_percentile(lat, 0.95), 3),
        "push_max_s": round(max(lat), 3),
        "ops_per_s": round(laptops * ops / wall),
        "wall_s": round(wall, 1),
        "target": "push p95 < 1 s, 0 errors",
        "met": _percentile(lat, 0.95) < 1.0 and not errors,
    }


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
