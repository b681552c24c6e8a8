"""The import pipeline: read -> map -> clean -> de-duplicate -> write in one transaction."""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.core.cancel import check as check_cancel
from app.core.domain import OutboxOpKind, OutboxStatus
from app.migrate import legacy
from app.migrate.linkage import AUTO_MERGE, REVIEW, Person
from app.migrate.linkkeys import person_from_values
from app.migrate.mapping import (
    ColumnSuggestion,
    MappingFile,
    find_header,
    missing_required,
    suggest_columns,
)
from app.migrate.plan import (
    CANDIDATE_FIELDS,
    ImportReport,
    MappedSheet,
    Progress,
    SheetInfo,
    _header_from_mapping,
    _noop,
    _Plan,
    _row_ref,
    _uuid7s,
    check_request,
    merge_values,
    plan_source,
    sha256_file,
)
from app.migrate.readers import Cell, read_source
from app.migrate.rows import (
    clean_candidate,
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

_CHUNK = 2000
_IMPORT_CACHE_KIB = -262_144  # 256 MiB of page cache for the import transaction


# --- the pipeline: plan (app.migrate.plan), then write in one transaction -----------------------


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
    check_request(entity, mapping)
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
    planned = plan_source(
        path,
        entity,
        mapping,
        dry_run,
        report_progress,
        auto_merge,
        review_threshold,
        cancel,
        pool,
        known=lambda hashes: _known_hashes(db, entity, hashes) if db is not None else set(),
        stored=lambda: _stored_people(db),
    )
    report, plan, mapped = planned.report, planned.plan, planned.mapped
    garbage.extend((planned, plan))
    if entity != "candidates" and dry_run and db is not None:
        with db.read() as s:
            _link_legacy(s, entity, plan, report, plan.multi, auto_merge)

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
    return report


__all__ = [
    "CANDIDATE_FIELDS",
    "ImportReport",
    "SheetInfo",
    "clean_candidate",
    "clean_generic",
    "import_file",
    "merge_values",
    "preview",
    "row_hash",
    "sha256_file",
    "wait_released",
]


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


def _link_legacy(
    s: Session, entity: str, plan: _Plan, report: ImportReport, multi: bool, auto_merge: float
) -> None:
    """Link fresh interview/training/job rows to stored candidates and job profiles; report
    what stayed unlinked."""
    rows = [data for _, data in plan.new_records]
    found = legacy.link_rows(s, entity, rows, auto_merge)
    unknown: dict[str, list[str]] = {}
    linked = 0
    for n, ((rid, data), (_, r, _h, _p)) in enumerate(
        zip(plan.new_records, plan.provenance, strict=True)
    ):
        person = found.people[n] if found.people else None
        job = found.jobs[n] if found.jobs else None
        plan.links[rid] = (
            person.candidate_id if person else None,
            person.probability if person else None,
            job,
        )
        if person is not None and person.candidate_id is not None:
            linked += 1
        elif person is not None:
            report.unlinked.append(
                {
                    "row": _row_ref(r.sheet, r.row, multi),
                    "name": data.get("name"),
                    "best_probability": None if person.best is None else round(person.best, 4),
                    "reason": (
                        f"the closest stored candidate matches with p={person.best:.2f}, "
                        f"below the auto-merge threshold {auto_merge:g}"
                        if person.best is not None
                        else "no stored candidate matches"
                    ),
                }
            )
        title_field = legacy.JOB_FIELDS.get(entity)
        if title_field and job is None and data.get(title_field):
            unknown.setdefault(str(data[title_field]), []).append(_row_ref(r.sheet, r.row, multi))
    report.unknown_jobs = [
        {"title": t, "rows": refs, "reason": "no job profile has this title"}
        for t, refs in sorted(unknown.items())
    ]
    if entity in legacy.PEOPLE_ENTITIES:
        report.counts["linked"] = linked
        report.counts["unlinked"] = len(plan.new_records) - linked
    if entity in legacy.JOB_FIELDS:
        report.counts["job_linked"] = sum(1 for j in found.jobs if j is not None)


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
        report.counts["relinked"] = legacy.relink(s, plan.auto_merge)
    else:
        # Rows of earlier imports first: their candidates may have come since.
        report.counts["relinked"] = legacy.relink(s, plan.auto_merge)
        _link_legacy(s, entity, plan, report, plan.multi, plan.auto_merge)
        staged = [
            {
                "id": rid,
                "created_at": now,
                "updated_at": now,
                "batch_id": batch.id,
                "entity": entity,
                "data": data,
                "candidate_id": plan.links[rid][0],
                "job_id": plan.links[rid][2],
                "link_probability": plan.links[rid][1],
            }
            for rid, data in plan.new_records
        ]
        _bulk_insert(s, LegacyRecord.__table__, staged)  # type: ignore[attr-defined]
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
    batch.counts = dict(report.counts)  # with the links made while writing
    s.add(batch)
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
                not missing_required(entity, mapped),
            )
        )
    return out
