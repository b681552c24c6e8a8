"""Reading, mapping, cleaning and de-duplicating a legacy file into a plan of records to
write, without a store: the laptop's importer (`app.migrate.importer`) writes the plan into
SQLite in one transaction; the hub writes it as its own records. What is already stored
comes in through two callables (row fingerprints seen before, candidates to match against).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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

from app.core.cancel import check as check_cancel
from app.core.errors import InvalidInputError
from app.migrate import cleaning as cl
from app.migrate import workers
from app.migrate.linkage import AUTO_MERGE, Person, link
from app.migrate.linkkeys import person_from_values, person_keys
from app.migrate.mapping import (
    ENTITIES,
    REQUIRED,
    ColumnSuggestion,
    MappingFile,
    find_header,
    missing_required,
    normalise_header,
    suggest_columns,
)
from app.migrate.readers import Sheet, read_source
from app.migrate.rows import Cleaned, CleanJob, ColumnSpec, _blank, clean_chunk
from app.migrate.workers import CleaningPool

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
    # Interview and training rows no stored candidate could be linked to (row, name, the
    # best probability seen below the auto-merge threshold); job titles no profile has.
    unlinked: list[dict[str, Any]] = field(default_factory=list)
    unknown_jobs: list[dict[str, Any]] = field(default_factory=list)
    batch_id: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> Path:
        """The whole report as JSON (written beside, then moved: never half a file)."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=1, default=str), "utf-8"
        )
        tmp.replace(path)
        return path

    REJECT_HEADER = ("sheet", "row", "column", "reason", "value")

    def reject_rows(self) -> list[list[Any]]:
        """The rejected rows as a table under REJECT_HEADER (for a CSV/XLSX export)."""
        return [[r.sheet, r.row, r.column, r.reason, r.value] for r in self.rejected]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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
        if not missing_required(entity, mapped):
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


# Stored candidates to de-duplicate against: ids, linkage people, field values.
StoredPeople = tuple[list[uuid.UUID], list[Person], list[dict[str, Any]]]


@dataclass
class _Plan:
    new_records: list[tuple[uuid.UUID, dict[str, Any]]]
    updates: list[tuple[uuid.UUID, dict[str, Any]]]
    provenance: list[tuple[uuid.UUID, cl.CleanRow, str, float | None]]
    reviews: list[tuple[uuid.UUID, uuid.UUID, float, dict[str, Any]]]
    # Legacy rows: record id -> (candidate, link probability, job).
    links: dict[uuid.UUID, tuple[uuid.UUID | None, float | None, uuid.UUID | None]] = field(
        default_factory=dict
    )
    auto_merge: float = AUTO_MERGE
    multi: bool = False


def _plan_candidates(
    load_stored: Callable[[], StoredPeople],
    fresh: list[tuple[cl.CleanRow, str]],
    report: ImportReport,
    multi: bool,
    auto_merge: float,
    review_threshold: float,
    progress: Progress,
) -> _Plan:
    progress("matching", 0, 1)
    stored_ids, stored_people, stored_values = load_stored()
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


def check_request(entity: str, mapping: MappingFile | None) -> None:
    if entity not in ENTITIES:
        raise InvalidInputError(f"Unknown entity '{entity}' (expected {', '.join(ENTITIES)}).")
    if mapping is not None and mapping.entity != entity:
        raise InvalidInputError(f"The mapping file is for {mapping.entity}, not {entity}.")


@dataclass
class PlannedSource:
    """A file read, mapped, cleaned and matched: what to write, and what was looked at
    (kept so the caller can free it all at once)."""

    report: ImportReport
    plan: _Plan
    mapped: list[MappedSheet]
    working: tuple[Any, ...]


def plan_source(
    path: Path,
    entity: str,
    mapping: MappingFile | None,
    dry_run: bool,
    progress: Progress,
    auto_merge: float,
    review_threshold: float,
    cancel: threading.Event | None,
    pool: CleaningPool | None,
    known: Callable[[list[str]], set[str]],
    stored: Callable[[], StoredPeople],
) -> PlannedSource:
    """Read, map, clean (in `pool` if given) and plan one file. `known(hashes)` gives the
    fingerprints of rows imported before (skipped as unchanged); `stored()` the candidates
    to de-duplicate against (called only for a candidates file)."""
    check_request(entity, mapping)
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
    for results in _clean_all(entity, region, jobs, progress, cancel, pool):
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
    seen = known(hashes)
    fresh = [(r, h) for r, h in zip(cleaned, hashes, strict=True) if h not in seen]
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
            stored, fresh, report, multi, auto_merge, review_threshold, progress
        )
    else:
        plan = _Plan(new_records=[], updates=[], provenance=[], reviews=[])
        for (r, h), rid in zip(fresh, _uuid7s(len(fresh)), strict=True):
            plan.new_records.append((rid, {**_jsonable(r.values), "_source_row": r.row}))
            plan.provenance.append((rid, r, h, None))
        report.counts.update({"imported": len(fresh), "created": len(fresh), "merged": 0})
    plan.auto_merge, plan.multi = auto_merge, multi
    return PlannedSource(report, plan, mapped, (source, jobs, cleaned, hashes, fresh))
