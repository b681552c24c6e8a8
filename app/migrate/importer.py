"""The import pipeline: read -> map -> clean -> de-duplicate -> write in one transaction."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.cancel import check as check_cancel
from app.core.domain import OutboxOpKind, OutboxStatus
from app.core.errors import InvalidInputError
from app.migrate import cleaning as cl
from app.migrate import workers
from app.migrate.linkage import AUTO_MERGE, REVIEW, Person, link
from app.migrate.linkkeys import person_from_values, person_keys
from app.migrate.mapping import (
    ENTITIES,
    REQUIRED,
    ColumnSuggestion,
    MappingFile,
    find_header,
    normalise_header,
    suggest_columns,
)
from app.migrate.readers import Cell, Sheet, read_source
from app.migrate.rows import (
    Cleaned,
    CleanJob,
    ColumnSpec,
    _blank,
    clean_candidate,
    clean_chunk,
    clean_generic,
    row_hash,
)
from app.migrate.tables import ImportBatch, LegacyRecord, ReviewItem, SourceRow
from app.migrate.workers import CleaningPool
from app.storage import repo
from app.storage.db import Database, dump_json
from app.storage.tables import Candidate, OutboxOp
from app.storage.types import utcnow

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

CANDIDATE_FIELDS = (
    "name",
    "email",
    "phone",
    "birth_date",
    "city",
    "education_level",
    "school",
    "major",
    "years_experience",
    "experience",
    "skills",
    "career_goal",
)
_CHUNK = 2000
_IMPORT_CACHE_KIB = -262_144  # 256 MiB of page cache for the import transaction


@dataclass
class SheetInfo:
    name: str
    header_row: int
    columns: list[dict[str, Any]]


@dataclass
class Cluster:
    rows: list[str]
    probability: float
    record_id: str | None = None
    existing: bool = False


@dataclass
class ImportReport:
    file: str
    entity: str
    sha256: str
    dry_run: bool
    encoding: str | None = None
    sheets: list[SheetInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rejected: list[cl.Rejection] = field(default_factory=list)
    corrections: list[cl.Correction] = field(default_factory=list)
    flags: list[cl.Flag] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    batch_id: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _noop(stage: str, done: int, total: int) -> None:
    return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# --- mapping of sheets ------------------------------------------------------------------------


@dataclass
class MappedSheet:
    sheet: Sheet
    header_index: int
    columns: list[ColumnSuggestion]


def map_sheets(
    sheets: list[Sheet], entity: str, mapping: MappingFile | None, file_name: str
) -> list[MappedSheet]:
    """Every sheet whose header names the entity's required fields; clear error if none."""
    out: list[MappedSheet] = []
    seen: list[str] = []
    for sheet in sheets:
        if mapping and mapping.sheets and sheet.name not in mapping.sheets:
            continue
        if mapping and mapping.header_row and not sheet.header_given:
            index = mapping.header_row - 1
            if index >= len(sheet.rows):
                continue
            headers = [str(c) if c is not None else "" for c in sheet.rows[index]]
        elif (found := _header_from_mapping(sheet, mapping)) is not None:
            index, headers = found
        else:
            guess = find_header(sheet, entity)
            if guess is None:
                continue
            index, headers = guess.row_index, guess.headers
        columns = suggest_columns(headers, entity, mapping)
        mapped = {c.field for c in columns if c.field}
        seen.append(f"{sheet.name}: {', '.join(h for h in headers if h) or '(empty)'}")
        if all(r in mapped for r in REQUIRED[entity]):
            out.append(MappedSheet(sheet, index, columns))
    if not out:
        need = " and ".join(REQUIRED[entity])
        listing = "; ".join(seen) or "no header row found"
        raise InvalidInputError(
            f"The file {file_name} has no sheet with a column for {need} ({listing}).",
            hint="Pass --mapping with a mapping file naming the columns.",
        )
    return out


def _header_from_mapping(sheet: Sheet, mapping: MappingFile | None) -> tuple[int, list[str]] | None:
    """The row naming most of the mapping file's columns (a reviewed mapping knows them)."""
    if mapping is None or not mapping.columns:
        return None
    names = {normalise_header(k) for k in mapping.columns}
    best: tuple[int, int] | None = None
    for i, row in enumerate(sheet.rows[:30]):
        hits = sum(1 for c in row if normalise_header(c) in names)
        if hits and (best is None or hits > best[1]):
            best = (i, hits)
    if best is None:
        return None
    return best[0], [str(c) if c is not None else "" for c in sheet.rows[best[0]]]


# --- merging a cluster into one record --------------------------------------------------------


def merge_values(rows: list[dict[str, Any]], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Field by field: the stored value wins; else the most frequent, ties to the latest row.
    A name written in Chinese characters beats its pinyin spelling."""
    if base is None and len(rows) == 1:
        return dict(rows[0])
    merged: dict[str, Any] = dict(base or {})
    for f in CANDIDATE_FIELDS:
        if merged.get(f) not in (None, "", []):
            continue
        if f == "skills":
            seen: dict[str, None] = {}
            for r in rows:
                seen.update(dict.fromkeys(r.get("skills", [])))
            merged[f] = list(seen)
            continue
        if f == "experience":
            merged[f] = max((r.get(f, []) for r in rows), key=len, default=[])
            continue
        values = [r[f] for r in rows if r.get(f) not in (None, "")]
        if f == "name":
            han = [v for v in values if cl.has_han(v)]
            values = han or values
        if values:
            first = values[0]
            if all(v == first for v in values):  # most clusters agree: no counting
                merged[f] = values[-1]
                continue
            counts = Counter(_key(v) for v in values)
            top = max(counts.values())
            merged[f] = next(v for v in reversed(values) if counts[_key(v)] == top)
    return merged


def _key(v: Any) -> Any:
    return json.dumps(v, default=str, sort_keys=True) if isinstance(v, list | dict) else v


def _row_ref(sheet: str, row: int, multi: bool) -> str:
    return f"{sheet}!{row}" if multi else str(row)


# --- the pipeline -----------------------------------------------------------------------------


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


def _pause_gc() -> None:
    """No cyclic garbage collection while an import runs. The import holds millions of small
    live objects (cells, cleaned values, pairs) and allocates millions more; each full
    collection walks all of them, which cost a fifth of a 100,000-row import. Nothing the
    import makes depends on cycle collection. Counted, so overlapping imports in one process
    leave it off until the last one ends, and the state from before the first is restored
    (`_resume_gc`, run by `_release_later` after the import)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1


def _resume_gc() -> None:
    global _gc_pauses
    with _gc_lock:
        _gc_pauses -= 1
        if _gc_pauses == 0 and _gc_was_enabled:
            gc.enable()


def import_file(
    db: Database | None,
    path: Path,
    entity: str,
    *,
    mapping: MappingFile | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    auto_merge: float = AUTO_MERGE,
    review_threshold: float = REVIEW,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Import one file. Without `dry_run` everything is written in one transaction: an
    interrupted or cancelled import leaves the store exactly as it was."""
    garbage: list[Any] = []
    _pause_gc()
    try:
        return _import_file(
            db,
            path,
            entity,
            mapping=mapping,
            dry_run=dry_run,
            progress=progress,
            auto_merge=auto_merge,
            review_threshold=review_threshold,
            cancel=cancel,
            garbage=garbage,
        )
    finally:
        _release_later(garbage)


_releasing = 0  # imports whose memory is still being released
_released = threading.Condition()


def _release_later(garbage: list[Any]) -> None:
    """After an import, on a background thread: free what it no longer needs (the sheets,
    the cleaned rows, the plan), then turn cyclic garbage collection back on and run it
    once. In that order the collection walks only what is still alive; turned on first, the
    next allocation anywhere would walk every object the import made. Together a second or
    two that the caller, with the import committed, need not wait for (`wait_released`
    does)."""
    global _releasing
    with _released:
        _releasing += 1

    def release() -> None:
        global _releasing
        try:
            garbage.clear()
        finally:
            _resume_gc()
            if gc.isenabled():
                gc.collect(1)
            with _released:
                _releasing -= 1
                _released.notify_all()

    threading.Thread(target=release, name="import-release", daemon=True).start()


def wait_released(timeout: float | None = None) -> bool:
    """Wait until the memory of every finished import has been released (benchmarks,
    tests); False if `timeout` passed first."""
    with _released:
        return _released.wait_for(lambda: _releasing == 0, timeout)


def _import_file(
    db: Database | None,
    path: Path,
    entity: str,
    *,
    mapping: MappingFile | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    auto_merge: float = AUTO_MERGE,
    review_threshold: float = REVIEW,
    cancel: threading.Event | None = None,
    garbage: list[Any],
) -> ImportReport:
    if entity not in ENTITIES:
        raise InvalidInputError(f"Unknown entity '{entity}' (expected {', '.join(ENTITIES)}).")
    if mapping is not None and mapping.entity != entity:
        raise InvalidInputError(f"The mapping file is for {mapping.entity}, not {entity}.")
    if db is None and not dry_run:
        raise ValueError("a database is needed unless dry_run")
    t0 = time.perf_counter()
    report_progress = progress or _noop
    report_progress("reading", 0, 1)
    # Worker processes for the cleaning start now and get ready while the file is read.
    pool = CleaningPool.start_for(path)
    try:
        return _import_source(
            db,
            path,
            entity,
            mapping,
            dry_run,
            report_progress,
            auto_merge,
            review_threshold,
            cancel,
            pool,
            t0,
            garbage,
        )
    finally:
        if pool is not None:
            pool.close()


def _import_source(
    db: Database | None,
    path: Path,
    entity: str,
    mapping: MappingFile | None,
    dry_run: bool,
    report_progress: Progress,
    auto_merge: float,
    review_threshold: float,
    cancel: threading.Event | None,
    pool: CleaningPool | None,
    t0: float,
    garbage: list[Any],
) -> ImportReport:
    region = mapping.default_region if mapping else "CN"
    source = read_source(path)
    report = ImportReport(path.name, entity, sha256_file(path), dry_run, source.encoding)
    mapped = map_sheets(source.sheets, entity, mapping, path.name)
    multi = len(mapped) > 1

    jobs: list[CleanJob] = []
    for m in mapped:
        report.sheets.append(
            SheetInfo(
                m.sheet.name,
                m.sheet.numbers[m.header_index],
                [
                    {
                        "index": c.index,
                        "header": c.header,
                        "field": c.field,
                        "confidence": c.confidence,
                        "source": c.source,
                    }
                    for c in m.columns
                ],
            )
        )
        spec: ColumnSpec = (
            tuple((c.index, c.field) for c in m.columns if c.field),
            {c.field: c.header for c in m.columns if c.field},
        )
        rows, numbers, name = m.sheet.rows, m.sheet.numbers, m.sheet.name
        for i in range(m.header_index + 1, len(rows)):
            cells = rows[i]
            if all(_blank(v) for v in cells):
                continue
            jobs.append((name, numbers[i], cells, spec))
    read = len(jobs)
    cleaned: list[cl.CleanRow] = []
    hashes: list[str] = []
    for results in _clean_all(entity, region, jobs, report_progress, cancel, pool):
        for result, h in results:
            if isinstance(result, cl.Rejection):
                report.rejected.append(result)
            else:
                cleaned.append(result)
                hashes.append(h)
                report.corrections += result.corrections
                report.flags += result.flags
    if pool is not None:
        pool.close(wait=False)  # its processes exit while the rows are matched
    check_cancel(cancel, f"The import of {path.name}")
    known = _known_hashes(db, entity, hashes) if db is not None else set()
    fresh = [(r, h) for r, h in zip(cleaned, hashes, strict=True) if h not in known]
    report.counts = {
        "read": read,
        "rejected": len(report.rejected),
        "accepted": len(cleaned),
        "unchanged": len(cleaned) - len(fresh),
        "flagged": len(report.flags),
        "corrections": len(report.corrections),
    }

    if entity == "candidates":
        plan = _plan_candidates(
            db, fresh, report, multi, auto_merge, review_threshold, report_progress
        )
    else:
        plan = _Plan(new_records=[], updates=[], provenance=[], reviews=[])
        for (r, h), rid in zip(fresh, _uuid7s(len(fresh)), strict=True):
            plan.new_records.append((rid, {**_jsonable(r.values), "_source_row": r.row}))
            plan.provenance.append((rid, r, h, None))
        report.counts.update({"imported": len(fresh), "created": len(fresh), "merged": 0})

    check_cancel(cancel, f"The import of {path.name}")
    if not dry_run and db is not None and (plan.provenance or plan.reviews):
        report_progress("writing", 0, len(plan.provenance))
        batch_id = db.write(
            lambda s: _write(s, entity, path, report, plan, mapped, report_progress),
            timeout=None,
        )
        report.batch_id = str(batch_id)
        db.maintenance("PRAGMA wal_checkpoint(PASSIVE)", wait=False)
    report_progress("done", 1, 1)
    report.seconds = round(time.perf_counter() - t0, 3)
    garbage.extend((source, mapped, jobs, cleaned, hashes, fresh, plan))
    return report


__all__ = ["clean_candidate", "clean_generic", "import_file", "preview", "row_hash"]


def _clean_all(
    entity: str,
    region: str,
    jobs: list[CleanJob],
    progress: Progress,
    cancel: threading.Event | None,
    pool: CleaningPool | None,
) -> Iterator[list[Cleaned]]:
    """Chunks of cleaned rows in file order, with progress and a chance to cancel between.
    Uses `pool` (already started while the file was read) or starts one if the file turned
    out big enough; cleans in this process otherwise."""
    total = len(jobs)
    step = workers.CHUNK_ROWS
    own = None
    if pool is None and workers.workers_for(total) > 1:
        pool = own = CleaningPool(workers.workers_for(total))
    if pool is None or total <= step:
        for i in range(0, total, step):
            check_cancel(cancel, "The import")
            yield clean_chunk(entity, region, jobs[i : i + step])
            progress("cleaning", min(total, i + step), total)
        return
    try:
        futures = [
            pool.submit(clean_chunk, entity, region, jobs[i : i + step])
            for i in range(0, total, step)
        ]
        for n, fut in enumerate(futures):
            while True:
                check_cancel(cancel, "The import")
                try:
                    chunk = fut.result(timeout=0.2)
                    break
                except FuturesTimeout:
                    continue
            yield chunk
            progress("cleaning", min(total, (n + 1) * step), total)
    finally:
        if own is not None:
            own.close()


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _known_hashes(db: Database, entity: str, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    with db.read() as s:
        if not s.execute(
            select(SourceRow.id).where(SourceRow.entity == entity).limit(1)  # type: ignore[call-overload]
        ).first():
            return found  # nothing of this kind was imported before
        for i in range(0, len(hashes), 900):
            chunk = hashes[i : i + 900]
            rows = s.execute(
                select(SourceRow.row_hash).where(  # type: ignore[call-overload]
                    SourceRow.entity == entity,
                    SourceRow.row_hash.in_(chunk),  # type: ignore[attr-defined]
                )
            ).all()
            found.update(r[0] for r in rows)
    return found


@dataclass
class _Plan:
    new_records: list[tuple[uuid.UUID, dict[str, Any]]]
    updates: list[tuple[uuid.UUID, dict[str, Any]]]
    provenance: list[tuple[uuid.UUID, cl.CleanRow, str, float | None]]
    reviews: list[tuple[uuid.UUID, uuid.UUID, float, dict[str, Any]]]


def _stored_people(
    db: Database | None,
) -> tuple[list[uuid.UUID], list[Person], list[dict[str, Any]]]:
    if db is None:
        return [], [], []
    ids: list[uuid.UUID] = []
    people: list[Person] = []
    values: list[dict[str, Any]] = []
    cols = [getattr(Candidate, f) for f in ("id", *CANDIDATE_FIELDS)]
    with db.read() as s:
        for row in s.execute(select(*cols)).all():
            data = dict(zip(("id", *CANDIDATE_FIELDS), row, strict=True))
            ids.append(data.pop("id"))
            values.append(data)
            people.append(person_from_values(data, existing=True))
    return ids, people, values


def _plan_candidates(
    db: Database | None,
    fresh: list[tuple[cl.CleanRow, str]],
    report: ImportReport,
    multi: bool,
    auto_merge: float,
    review_threshold: float,
    progress: Progress,
) -> _Plan:
    progress("matching", 0, 1)
    stored_ids, stored_people, stored_values = _stored_people(db)
    # The keys of imported rows were made while cleaning.
    keys = [person_keys(p) for p in stored_people] + [
        r.link_keys if r.link_keys is not None else person_keys(person_from_values(r.values))
        for r, _ in fresh
    ]
    result = link(None, auto_merge, review_threshold, keys=keys)
    n_stored = len(stored_ids)
    plan = _Plan([], [], [], [])
    record_of: dict[int, uuid.UUID] = {}  # index -> record id, for review pairs
    new_ids = iter(_uuid7s(len(result.clusters)))
    created = merged = 0
    for group in result.clusters:
        stored = [i for i in group if i < n_stored]
        new = [i for i in group if i >= n_stored]
        root = min(group)
        prob = result.cluster_probability.get(root, 1.0)
        if not new:
            for i in group:
                record_of[i] = stored_ids[i]
            continue
        rows = [fresh[i - n_stored][0] for i in new]
        if stored:
            target = stored[0]
            rid = stored_ids[target]
            before = stored_values[target]
            after = merge_values([r.values for r in rows], before)
            if after != before:
                plan.updates.append((rid, after))
            merged += len(rows)
        else:
            rid = next(new_ids)
            plan.new_records.append((rid, merge_values([r.values for r in rows])))
            created += 1
            merged += len(rows) - 1
        for i in group:
            record_of[i] = rid
        for i in new:
            r, h = fresh[i - n_stored]
            plan.provenance.append((rid, r, h, prob if len(group) > 1 else None))
        if len(group) > 1:
            report.clusters.append(
                Cluster(
                    [_row_ref(r.sheet, r.row, multi) for r in rows],
                    round(prob, 4),
                    str(rid),
                    existing=bool(stored),
                )
            )
    for pair in result.review:
        a, b = record_of[pair.left], record_of[pair.right]
        if a == b:
            continue
        side = {
            "left": _describe(pair.left, n_stored, stored_values, fresh, multi),
            "right": _describe(pair.right, n_stored, stored_values, fresh, multi),
        }
        plan.reviews.append((a, b, pair.probability, side))
        report.review.append({"probability": round(pair.probability, 4), **side})
    report.counts.update(
        {
            "imported": len(fresh),
            "created": created,
            "merged": merged,
            "updated": len(plan.updates),
            "review": len(plan.reviews),
            "candidate_pairs": result.candidate_pairs,
        }
    )
    progress("matching", 1, 1)
    return plan


def _describe(
    i: int,
    n_stored: int,
    stored: list[dict[str, Any]],
    fresh: list[tuple[cl.CleanRow, str]],
    multi: bool,
) -> dict[str, Any]:
    if i < n_stored:
        return {"source": "store", "values": _jsonable(stored[i])}
    r = fresh[i - n_stored][0]
    return {"source": "file", "row": _row_ref(r.sheet, r.row, multi), "values": _jsonable(r.values)}


_UUID_NEW = object.__new__
_UUID_SET = object.__setattr__


def _uuid7s(n: int) -> list[uuid.UUID]:
    """n time-ordered UUIDs (RFC 9562 version 7), increasing in the order made: the unix
    time in ms, then a counter (32 bits across rand_a and the top of rand_b) and 42 random
    bits. Rows bulk-inserted with increasing keys append to the right edge of their primary
    key index instead of landing at random pages all over it (a third less insert time for
    a 100,000-row import). The time they carry is no secret: each row also has created_at."""
    ms = time.time_ns() // 1_000_000
    raw = os.urandom(6 * n)
    head = (ms & 0xFFFF_FFFF_FFFF) << 80 | 7 << 76 | 0b10 << 62
    out: list[uuid.UUID] = []
    safe = uuid.SafeUUID.unknown
    for c in range(n):
        rnd = int.from_bytes(raw[6 * c : 6 * c + 6], "big") & 0x3FF_FFFF_FFFF
        u = _UUID_NEW(uuid.UUID)
        value = head | (c >> 20 & 0xFFF) << 64 | (c & 0xFFFFF) << 42 | rnd
        _UUID_SET(u, "int", value)
        _UUID_SET(u, "is_safe", safe)
        out.append(u)
    return out


def _bulk_insert(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """executemany straight to the driver, values converted by the columns' own bind
    processors (the ORM's per-row bookkeeping costs ten times the insert itself)."""
    if not rows:
        return
    dialect = s.connection().dialect
    cols = [c for c in table.columns if c.name in rows[0]]
    procs = [c.type._cached_bind_processor(dialect) for c in cols]
    keys = [c.name for c in cols]
    # Timestamps are one shared object and many values repeat: convert each object once.
    memo: list[tuple[Any, Any]] = [(object(), None)] * len(cols)

    def convert(r: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for j, k in enumerate(keys):
            v = r[k]
            last, done = memo[j]
            if v is not last:
                p = procs[j]
                done = p(v) if p is not None and v is not None else v
                memo[j] = (v, done)
            out.append(done)
        return tuple(out)

    _insert_tuples(s, table.name, keys, [convert(r) for r in rows])


_FTS_TRIGGER = "candidate_fts_ai"


def _insert_candidates(s: Session, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert with the search index filled in one statement instead of by the per-row
    trigger (ten times faster). The trigger is dropped and re-created from its own stored
    SQL inside this transaction, so no other connection ever sees it missing and a crash
    rolls the drop back with everything else."""
    conn = s.connection()
    trigger = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_FTS_TRIGGER,)
    ).scalar()
    if trigger is None or len(rows) < 100:
        _insert_tuples(s, "candidate", _CANDIDATE_COLUMNS, rows)
        return
    before = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM candidate").scalar()
    conn.exec_driver_sql(f"DROP TRIGGER {_FTS_TRIGGER}")
    _insert_tuples(s, "candidate", _CANDIDATE_COLUMNS, rows)
    conn.exec_driver_sql(
        "INSERT INTO candidate_fts(candidate_id, name, email, phone, school, major, skills) "
        "SELECT id, name, coalesce(email, ''), coalesce(phone, ''), coalesce(school, ''), "
        "coalesce(major, ''), coalesce(skills, '') FROM candidate WHERE rowid > ?",
        (before,),
    )
    conn.exec_driver_sql(str(trigger))


def _insert_tuples(s: Session, table: str, keys: list[str], rows: list[tuple[Any, ...]]) -> None:
    """executemany of rows already in the driver's types."""
    if not rows:
        return
    conn = s.connection()
    sql = f"INSERT INTO {table} ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})"
    for i in range(0, len(rows), _CHUNK):
        conn.exec_driver_sql(sql, rows[i : i + _CHUNK])


# Imported candidates go straight to the driver as tuples, and each one's outbox payload is
# written as JSON text beside it, reusing the JSON of its list columns. Both are what the
# ORM path (`repo.save`) stores; a test holds them equal.
_CANDIDATE_COLUMNS = ["id", "created_at", "updated_at", *CANDIDATE_FIELDS, "projects", "source"]
_OUTBOX_COLUMNS = [
    "id",
    "seq",
    "entity",
    "entity_id",
    "op",
    "payload",
    "status",
    "attempts",
    "created_at",
]
_enc_str = json.encoder.encode_basestring  # what a JSONEncoder(ensure_ascii=False) uses


def _js(v: Any) -> str:
    if v is None:
        return "null"
    if v.__class__ is str:
        return _enc_str(v)
    return dump_json(v)


def _candidate_rows(
    records: list[tuple[uuid.UUID, dict[str, Any]]], now: dt.datetime, dialect: Any
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(candidate rows in `_CANDIDATE_COLUMNS` order, outbox payload JSON) per record."""
    table = Candidate.__table__  # type: ignore[attr-defined]
    now_db = table.c.created_at.type._cached_bind_processor(dialect)(now)
    date_db = table.c.birth_date.type._cached_bind_processor(dialect)
    float_db = table.c.years_experience.type._cached_bind_processor(dialect)
    now_js = _enc_str(now.isoformat().replace("+00:00", "Z"))
    rows: list[tuple[Any, ...]] = []
    payloads: list[str] = []
    for rid, v in records:
        g = v.get
        name, email, phone = g("name"), g("email"), g("phone")
        birth, city, edu = g("birth_date"), g("city"), g("education_level")
        school, major, years = g("school"), g("major"), g("years_experience")
        career = g("career_goal")
        exp = g("experience")
        exp_js = dump_json(exp) if exp else "[]"
        skills = g("skills")
        skills_js = dump_json(skills) if skills else "[]"
        birth_iso = birth.isoformat() if isinstance(birth, dt.date) else birth
        rid_hex = rid.hex
        rows.append(
            (
                rid_hex,
                now_db,
                now_db,
                name,
                email,
                phone,
                date_db(birth) if birth is not None else None,
                city,
                edu,
                school,
                major,
                float_db(years) if years is not None and float_db is not None else years,
                exp_js,
                skills_js,
                career,
                "[]",
                "import",
            )
        )
        payloads.append(
            "".join(
                (
                    '{"name":',
                    _js(name),
                    ',"email":',
                    _js(email),
                    ',"phone":',
                    _js(phone),
                    ',"birth_date":',
                    _js(birth_iso),
                    ',"city":',
                    _js(city),
                    ',"education_level":',
                    _js(edu),
                    ',"school":',
                    _js(school),
                    ',"major":',
                    _js(major),
                    ',"years_experience":',
                    _js(years),
                    ',"experience":',
                    exp_js,
                    ',"skills":',
                    skills_js,
                    ',"career_goal":',
                    _js(career),
                    ',"id":"',
                    str(rid),
                    '","created_at":',
                    now_js,
                    ',"updated_at":',
                    now_js,
                    ',"projects":[],"source":"import"}',
                )
            )
        )
    return rows, payloads


def _write(
    s: Session,
    entity: str,
    path: Path,
    report: ImportReport,
    plan: _Plan,
    mapped: list[MappedSheet],
    progress: Progress,
) -> uuid.UUID:
    now = utcnow()
    conn = s.connection()
    # A big import touches more index pages than the default cache holds; evicting them
    # mid-transaction spills to the WAL and reads them back. The setting is per connection
    # and restored below.
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={_IMPORT_CACHE_KIB}")
    # The commit makes the import durable in the write-ahead log; copying the log into the
    # database file (a checkpoint, as long again for a big import) is queued after it
    # (`_import_source`) instead of being done inside the commit.
    autocheckpoint = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    try:
        return _write_rows(s, entity, path, report, plan, mapped, progress, now)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache or -2000)}")
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(autocheckpoint or 1000)}")


def _write_rows(
    s: Session,
    entity: str,
    path: Path,
    report: ImportReport,
    plan: _Plan,
    mapped: list[MappedSheet],
    progress: Progress,
    now: dt.datetime,
) -> uuid.UUID:
    batch = ImportBatch(
        entity=entity,
        file_name=path.name,
        file_sha256=report.sha256,
        counts=dict(report.counts),
        mapping={m.sheet.name: {c.header: c.field for c in m.columns if c.header} for m in mapped},
    )
    s.add(batch)
    s.flush()
    total = len(plan.provenance)
    if entity == "candidates":
        seq = int(s.execute(select(func.max(OutboxOp.seq))).scalar() or 0)
        cand_rows, payloads = _candidate_rows(plan.new_records, now, s.connection().dialect)
        progress("writing", total // 6, total)
        _insert_candidates(s, cand_rows)
        progress("writing", total // 3, total)
        now_db = cand_rows[0][1] if cand_rows else None
        upsert, pending = OutboxOpKind.UPSERT.value, OutboxStatus.PENDING.value
        outbox = [
            (oid.hex, seq + n, "candidate", row[0], upsert, payload, pending, 0, now_db)
            for n, (oid, row, payload) in enumerate(
                zip(_uuid7s(len(cand_rows)), cand_rows, payloads, strict=True), start=1
            )
        ]
        _insert_tuples(s, "outboxop", _OUTBOX_COLUMNS, outbox)
        progress("writing", total // 2, total)
        for rid, values in plan.updates:
            cand = s.get(Candidate, rid)
            if cand is None:
                continue
            for f in CANDIDATE_FIELDS:
                setattr(cand, f, values.get(f))
            repo.save(s, cand)
        s.flush()
    else:
        legacy = [
            {
                "id": rid,
                "created_at": now,
                "updated_at": now,
                "batch_id": batch.id,
                "entity": entity,
                "data": data,
            }
            for rid, data in plan.new_records
        ]
        _bulk_insert(s, LegacyRecord.__table__, legacy)  # type: ignore[attr-defined]
    prov_ids = iter(_uuid7s(len(plan.provenance)))
    prov = [
        {
            "id": next(prov_ids),
            "created_at": now,
            "updated_at": now,
            "batch_id": batch.id,
            "entity": entity,
            "record_id": rid,
            "sheet": r.sheet,
            "row_number": r.row,
            "row_hash": h,
            "cluster_probability": p,
        }
        for rid, r, h, p in plan.provenance
    ]
    _bulk_insert(s, SourceRow.__table__, prov)  # type: ignore[attr-defined]
    progress("writing", total, total)
    _bulk_insert(
        s,
        ReviewItem.__table__,  # type: ignore[attr-defined]
        [
            {
                "id": rid,
                "created_at": now,
                "updated_at": now,
                "batch_id": batch.id,
                "entity": entity,
                "left_id": left,
                "right_id": right,
                "probability": round(p, 4),
                "status": "pending",
                "decided_by": None,
                "detail": detail,
            }
            for rid, (left, right, p, detail) in zip(
                _uuid7s(len(plan.reviews)), plan.reviews, strict=True
            )
        ],
    )
    repo.append_audit(
        s,
        "import",
        "migrate.import",
        entity,
        str(batch.id),
        {"file": path.name, "sha256": report.sha256, "counts": report.counts},
    )
    return batch.id


# --- for the import wizard --------------------------------------------------------------------


@dataclass
class SheetPreview:
    name: str
    header_row: int
    columns: list[ColumnSuggestion]
    sample: list[list[Cell]]
    usable: bool


def preview(
    path: Path, entity: str, mapping: MappingFile | None = None, sample_rows: int = 20
) -> list[SheetPreview]:
    """What the wizard shows before importing: per sheet the header row found, each
    column's suggested field with its confidence, and the first rows."""
    source = read_source(path)
    out: list[SheetPreview] = []
    for sheet in source.sheets:
        found = _header_from_mapping(sheet, mapping)
        if found is None:
            guess = find_header(sheet, entity)
            if guess is None:
                out.append(SheetPreview(sheet.name, 0, [], sheet.rows[:sample_rows], False))
                continue
            found = (guess.row_index, guess.headers)
        index, headers = found
        columns = suggest_columns(headers, entity, mapping)
        mapped = {c.field for c in columns if c.field}
        out.append(
            SheetPreview(
                sheet.name,
                sheet.numbers[index],
                columns,
                sheet.rows[index + 1 : index + 1 + sample_rows],
                all(r in mapped for r in REQUIRED[entity]),
            )
        )
    return out
