"""The floor under the sync burst (bench_sync, 1,000 laptops x 200 ops at the same instant,
target push p95 < 1 s): what this machine does for that burst with no hub logic at all.

(a) `noop_hub`: the hub's server stack (uvicorn, FastAPI, the wire models of
    `app.sync.protocol`) with a push route that validates the request and answers "applied"
    for every op without storing anything; 1,000 concurrent clients on this machine, one
    200-op push each (the same bodies as bench_sync). Per-laptop latency p50/p95/max.
(b) `postgres_only`: PostgreSQL alone (started with fsync=off, as in the tests, the most
    favourable setting) storing the 200,000 ops: one transaction per laptop (200 rows) over
    20 connections, and the whole lot as one COPY.

If (a)'s p95 or (b)'s time is above 1 s, no hub code can reach p95 < 1 s for the simultaneous
burst here: every op must be received, validated and stored before its laptop is answered.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_sync import _percentile, _queue

REPO = Path(__file__).resolve().parents[1]
LAPTOPS = int(os.environ.get("ROUNDTWO_BENCH_LAPTOPS", 1000))
OPS = int(os.environ.get("ROUNDTWO_BENCH_OPS", 200))

# The no-op hub, run by uvicorn in its own process (as `roundtwo hub serve` runs the hub).
NOOP_APP = """
from fastapi import FastAPI
from app.sync import protocol as p

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/push")
def push(req: p.PushRequest) -> p.PushResponse:
    return p.PushResponse(
        results=[p.OpResult(op_id=o.op_id, status=p.OpStatus.APPLIED) for o in req.ops],
        server_seq=0,
    )
"""


def _bodies() -> list[bytes]:
    return [json.dumps({"ops": _queue(OPS)}).encode() for _ in range(LAPTOPS)]


async def _burst(base: str, bodies: list[bytes]) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=LAPTOPS, max_keepalive_connections=LAPTOPS)
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as client:

        async def one(body: bytes) -> None:
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    "/push", content=body, headers={"Content-Type": "application/json"}
                )
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
                    return
            except httpx.TransportError as exc:
                errors.append(type(exc).__name__)
                return
            latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(one(b) for b in bodies))
    return latencies, errors


def noop_hub(workers: int) -> dict[str, Any]:
    import tempfile

    from tests.server.hubtools import free_port

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "noop_hub.py").write_text(NOOP_APP, encoding="utf-8")
        port = free_port()
        env = dict(os.environ, PYTHONPATH=f"{tmp}{os.pathsep}{REPO}")
        cmd = [sys.executable, "-m", "uvicorn", "noop_hub:app", "--port", str(port)]
        server = subprocess.Popen(
            [*cmd, "--workers", str(workers), "--log-level", "warning", "--backlog", "4096"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the no-op hub did not start")
            bodies = _bodies()
            t0 = time.perf_counter()
            latencies, errors = asyncio.run(_burst(base, bodies))
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(30)
    return {
        "laptops": LAPTOPS,
        "ops_per_laptop": OPS,
        "server_workers": workers,
        "body_kib": round(statistics.mean(len(b) for b in bodies) / 1024, 1),
        "push_p50_s": round(_percentile(latencies, 0.5), 3) if latencies else None,
        "push_p95_s": round(_percentile(latencies, 0.95), 3) if latencies else None,
        "push_max_s": round(max(latencies), 3) if latencies else None,
        "all_answered_s": round(wall, 2),
        "errors": len(errors),
    }


def postgres_only() -> dict[str, Any]:
    import psycopg

    from tests.server.hubtools import start_postgres

    pg = start_postgres()
    try:
        dsn = f"host=127.0.0.1 port={pg.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE op (op_id uuid PRIMARY KEY, device int NOT NULL, entity text NOT "
                "NULL, entity_id uuid NOT NULL, payload jsonb NOT NULL, seq bigserial)"
            )
            conn.execute("CREATE INDEX op_entity ON op (entity, entity_id)")
        batches = [
            [
                (uuid.uuid4(), d, "candidate", uuid.uuid4(), json.dumps(o["payload"]))
                for o in _queue(OPS)
            ]
            for d in range(LAPTOPS)
        ]
        sql = "INSERT INTO op (op_id, device, entity, entity_id, payload) VALUES (%s,%s,%s,%s,%s)"
        todo = list(range(LAPTOPS))
        lock = threading.Lock()
        done_at: list[float] = []

        def worker() -> None:
            with psycopg.connect(dsn) as conn:
                while True:
                    with lock:
                        if not todo:
                            return
                        i = todo.pop()
                    with conn.transaction(), conn.cursor() as cur:
                        cur.executemany(sql, batches[i])
                    done_at.append(time.perf_counter())

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        per_laptop = time.perf_counter() - t0
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("TRUNCATE op")
            t1 = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy("COPY op (op_id, device, entity, entity_id, payload) FROM STDIN") as copy,
            ):
                for batch in batches:
                    for row in batch:
                        copy.write_row(row)
            copy_s = time.perf_counter() - t1
        done = sorted(t - t0 for t in done_at)
    finally:
        pg.stop()
    return {
        "rows": LAPTOPS * OPS,
        "one_transaction_per_laptop_20_connections_s": round(per_laptop, 2),
        "laptops_stored_by_1s": sum(1 for t in done if t <= 1.0),
        "p95_laptop_stored_s": round(_percentile(done, 0.95), 2),
        "one_copy_of_everything_s": round(copy_s, 2),
    }


def run() -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    workers = int(os.environ.get("ROUNDTWO_BENCH_HUB_WORKERS", 2))
    return {
        "note": "what the machine allows before any hub logic; shared 2-core machine",
        "target_push_p95_s": 1.0,
        "noop_hub": noop_hub(workers),
        "postgres_only": postgres_only(),
    }
