"""CSV / JSON / Excel export and import of jobs, candidates, round-1 and final results, so an
existing HRIS can feed the hub and read from it. Imported rows become hub changes that
laptops pull like any other."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlmodel import Session

from app.sync import protocol as p
from server.errors import invalid
from server.identity import Principal
from server.records import Sequencer, hub_upsert, live_records


@dataclass(frozen=True)
class Dataset:
    entity: str
    columns: tuple[str, ...]
    types: dict[str, str]  # column -> int | float | bool | uuid (default str)
    required: tuple[str, ...]
    natural_key: tuple[str, ...]  # makes a stable id when the file has none


DATASETS: dict[str, Dataset] = {
    "jobs": Dataset(
        "job",
        (
            "id",
            "slug",
            "version",
            "title_zh",
            "title_en",
            "department_zh",
            "department_en",
            "match_threshold",
            "career_track",
        ),
        {"version": "int", "match_threshold": "float", "id": "uuid"},
        ("slug", "version", "title_zh", "title_en"),
        ("slug",),
    ),
    "candidates": Dataset(
        "candidate",
        (
            "id",
            "name",
            "email",
            "phone",
            "city",
            "education_level",
            "school",
            "major",
            "years_experience",
            "source",
        ),
        {"years_experience": "float", "id": "uuid"},
        ("name",),
        ("email", "phone", "name"),
    ),
    "round1": Dataset(
        "application",
        ("id", "candidate_id", "job_id", "status", "round1_score", "round1_passed", "round1_notes"),
        {
            "round1_score": "float",
            "round1_passed": "bool",
            "id": "uuid",
            "candidate_id": "uuid",
            "job_id": "uuid",
        },
        ("candidate_id", "job_id"),
        ("candidate_id", "job_id"),
    ),
    "final": Dataset(
        "interviewerrating",
        ("id", "session_id", "competency_key", "rater", "level", "note"),
        {"level": "int", "id": "uuid", "session_id": "uuid"},
        ("session_id", "competency_key", "rater", "level"),
        ("session_id", "competency_key", "rater"),
    ),
}

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def dataset(name: str) -> Dataset:
    if name not in DATASETS:
        raise invalid(f"Unknown dataset '{name}'; use one of {', '.join(DATASETS)}.")
    return DATASETS[name]


def _cell(value: Any) -> Any:
    return "" if value is None else value


def export(s: Session, who: Principal, name: str, fmt: str, unit: uuid.UUID | None) -> bytes:
    ds = dataset(name)
    rows = [
        {c: r.payload.get(c) for c in ds.columns} for r in live_records(s, who, ds.entity, unit)
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(ds.columns), lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: _cell(v) for k, v in row.items()})
        # BOM so Excel opens Chinese text correctly.
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = name
        ws.append(list(ds.columns))
        for row in rows:
            ws.append([_cell(row[c]) for c in ds.columns])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise invalid(f"Unknown format '{fmt}'; use csv, json or xlsx.")


def _read_rows(fmt: str, data: bytes) -> list[dict[str, Any]]:
    try:
        if fmt == "json":
            loaded = json.loads(data.decode("utf-8-sig"))
            if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
                raise invalid("The JSON file must be a list of objects, one per row.")
            return loaded
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        if fmt == "xlsx":
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(it, ())]
            return [dict(zip(header, r, strict=False)) for r in it if any(v is not None for v in r)]
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise invalid(f"The {fmt} file cannot be read: {exc}.") from exc
    except (OSError, KeyError, ValueError, StopIteration, zipfile.BadZipFile) as exc:
        raise invalid(f"The {fmt} file cannot be read: {exc}.") from exc
    raise invalid(f"Unknown format '{fmt}'; use csv, json or xlsx.")


def _convert(kind: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if kind == "int":
        return int(float(value))
    if kind == "float":
        return float(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "y", "是", "通过"}:
            return True
        if text in {"0", "false", "no", "n", "否", "未通过"}:
            return False
        raise ValueError(f"'{value}' is not yes/no")
    if kind == "uuid":
        return str(uuid.UUID(str(value)))
    return str(value).strip()


def import_rows(
    s: Session, who: Principal, name: str, fmt: str, data: bytes, unit: uuid.UUID
) -> p.ImportResult:
    """Validate every row first; import nothing if any row is wrong (errors name the row)."""
    ds = dataset(name)
    rows = _read_rows(fmt, data)
    errors: list[str] = []
    prepared: list[tuple[uuid.UUID, dict[str, Any]]] = []
    for n, raw in enumerate(rows, start=2 if fmt in ("csv", "xlsx") else 1):
        row: dict[str, Any] = {}
        try:
            for c in ds.columns:
                if c in raw:
                    row[c] = _convert(ds.types.get(c, "str"), raw[c])
        except (ValueError, TypeError, OverflowError) as exc:
            errors.append(f"row {n}: {exc}")
            continue
        missing = [c for c in ds.required if row.get(c) is None]
        if missing:
            errors.append(f"row {n}: missing {', '.join(missing)}")
            continue
        rid = uuid.UUID(row["id"]) if row.get("id") else _stable_id(who, ds, row)
        row["id"] = str(rid)
        prepared.append((rid, _complete(ds, row)))
    if errors:
        return p.ImportResult(dataset=name, created=0, updated=0, errors=errors[:50])
    seq = Sequencer(s)
    created = updated = 0
    for rid, payload in prepared:
        if hub_upsert(s, who, unit, ds.entity, rid, payload, seq):
            created += 1
        else:
            updated += 1
    seq.save()
    s.flush()
    return p.ImportResult(dataset=name, created=created, updated=updated, errors=[])


def _stable_id(who: Principal, ds: Dataset, row: dict[str, Any]) -> uuid.UUID:
    key = next((str(row[k]) for k in ds.natural_key if row.get(k)), "")
    if ds.entity in ("application", "interviewerrating"):
        key = "|".join(str(row.get(k)) for k in ds.natural_key)
    return uuid.uuid5(who.org_id, f"{ds.entity}:{key}")


def _complete(ds: Dataset, row: dict[str, Any]) -> dict[str, Any]:
    """Fill what the laptop's table needs but an HRIS file does not carry."""
    now = dt.datetime.now(dt.UTC).isoformat()
    out = {"created_at": now, "updated_at": now, **row}
    if ds.entity == "job":
        out.setdefault("department_zh", "")
        out.setdefault("department_en", "")
        out["source"] = "hub"
        out["content_hash"] = hashlib.sha256(
            json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        out.setdefault("profile", {})
    elif ds.entity == "candidate":
        out["source"] = out.get("source") or "hris"
    elif ds.entity == "application":
        out.setdefault("status", "invited")
        out["status"] = out["status"] or "invited"
    return {k: v for k, v in out.items() if v is not None or k in ds.columns}
