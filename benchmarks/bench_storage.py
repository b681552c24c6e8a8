"""Local store: open + migrate, batched writes with outbox rows, candidate search latency."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def run() -> dict[str, object]:
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        db = Database(path).open()
        out["open_and_migrate_ms"] = round((time.perf_counter() - t0) * 1000, 1)

        n, batch = 10_000, 500

        def write_batch(start: int):  # type: ignore[no-untyped-def]
            def fn(s):  # type: ignore[no-untyped-def]
                for i in range(start, start + batch):
                    name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % 23] + GIVEN[(i // 23) % 23]
                    repo.save(
                        s,
                        Candidate(
                            name=name,
                            phone=f"+86139{i:08d}",
                            email=f"c{i}@example.com",
                            skills=["SQL"],
                        ),
                    )

            return fn

        t0 = time.perf_counter()
        for start in range(0, n, batch):
            db.write(write_batch(start))
        dt = time.perf_counter() - t0
        out["candidate_writes_per_s_with_outbox"] = round(n / dt)
        out["batch_commit_ms_p50"] = round(dt / (n / batch) * 1000, 1)

        lat: list[float] = []
        with db.read() as s:
            for q in ["王伟", "13900001234"[:8], "c123@", "李娜芳", "example.com"]:
                for _ in range(20):
                    t0 = time.perf_counter()
                    repo.search_candidates(s, q, limit=50)
                    lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        out["search_ms_p50"] = round(statistics.median(lat), 2)
        out["search_ms_p95"] = round(lat[int(len(lat) * 0.95)], 2)
        db.close()
        out["db_size_mb"] = round(path.stat().st_size / 1e6, 1)

        env_home = Path(tmp) / "home"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app", "--home", str(env_home), "jobs", "list"],
            check=True,
            capture_output=True,
        )
        out["cli_first_run_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app", "--home", str(env_home), "jobs", "list"],
            check=True,
            capture_output=True,
        )
        out["cli_warm_run_s"] = round(time.perf_counter() - t0, 2)
    return out
