"""Legacy candidate files (old ATS exports, HR spreadsheets) imported on the hub: the same
reading, column mapping, cleaning and de-duplication as a laptop's `roundtwo import`
(`app.migrate.plan`), matched against the candidates the hub already holds for the
organisation. New people become candidate records and existing ones are completed, as hub
changes that laptops pull like any other. Rejected rows, corrections and duplicate clusters
come back in the report. The hub has no review queue: a pair below the auto-merge threshold
is listed in the report and both records are kept."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.core.errors import RoundTwoError
from app.migrate.linkage import AUTO_MERGE, REVIEW
from app.migrate.linkkeys import Person, person_from_values
from app.migrate.plan import (
    CANDIDATE_FIELDS,
    PlannedSource,
    StoredPeople,
    _jsonable,
    _noop,
    plan_source,
)
from app.migrate.readers import SUPPORTED
from server.errors import invalid
from server.identity import Principal
from server.records import Sequencer, hub_upsert, live_records

MAX_BYTES = 64 * 1024 * 1024
FILENAME = re.compile(r"^[^/\\\x00]{1,200}$")


@dataclass
class Stored:
    """The organisation's candidates this user can see: as the linkage wants them, and
    their payloads (an update completes the payload the hub holds)."""

    people: StoredPeople
    payloads: dict[uuid.UUID, dict[str, Any]]


def load_stored(s: Session, who: Principal) -> Stored:
    ids: list[uuid.UUID] = []
    people: list[Person] = []
    values: list[dict[str, Any]] = []
    payloads: dict[uuid.UUID, dict[str, Any]] = {}
    for rec in live_records(s, who, "candidate", None):
        v = {f: rec.payload.get(f) for f in CANDIDATE_FIELDS}
        birth = v.get("birth_date")
        if isinstance(birth, str):
            try:
                v["birth_date"] = dt.date.fromisoformat(birth[:10])
            except ValueError:
                v["birth_date"] = None
        v["experience"] = v.get("experience") or []
        v["skills"] = v.get("skills") or []
        ids.append(rec.entity_id)
        values.append(v)
        people.append(person_from_values(v, existing=True))
        payloads[rec.entity_id] = dict(rec.payload)
    return Stored((ids, people, values), payloads)


def check_upload(filename: str, size: int) -> None:
    name = Path(filename).name
    if not FILENAME.match(filename) or Path(name).suffix.lower() not in SUPPORTED:
        raise invalid(
            f"The file name '{filename[:200]}' must end in one of {', '.join(SUPPORTED)}: "
            "the suffix says how to read it."
        )
    if size > MAX_BYTES:
        raise invalid("A legacy file may be at most 64 MiB.")


def plan_file(filename: str, data: bytes, stored: Stored) -> PlannedSource:
    """Read, clean and de-duplicate the file against `stored`. No database: the hub runs
    this outside its database threads (SQLite has one), so a big file does not hold up
    sync while it is cleaned."""
    check_upload(filename, len(data))
    with tempfile.TemporaryDirectory(prefix="roundtwo-import-") as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        try:
            return plan_source(
                path,
                "candidates",
                None,
                False,
                _noop,
                AUTO_MERGE,
                REVIEW,
                None,
                None,
                known=lambda hashes: set(),
                stored=lambda: stored.people,
            )
        except RoundTwoError as exc:
            raise invalid(exc.message) from exc


def write_plan(
    s: Session, who: Principal, unit: uuid.UUID, planned: PlannedSource, stored: Stored
) -> dict[str, Any]:
    """Store the plan as hub changes; the report as `roundtwo import` writes it, plus what
    the hub stored (`hub.created`, `hub.updated`). A candidate erased meanwhile stays
    erased (its tombstone wins)."""
    report, plan = planned.report, planned.plan
    now = dt.datetime.now(dt.UTC).isoformat()
    seq = Sequencer(s)
    created = updated = 0
    for rid, values in plan.new_records:
        payload = {
            "id": str(rid),
            "created_at": now,
            "updated_at": now,
            **_jsonable(values),
            "projects": [],
            "source": "import",
        }
        payload.setdefault("experience", [])
        payload.setdefault("skills", [])
        created += hub_upsert(s, who, unit, "candidate", rid, payload, seq)
    for rid, values in plan.updates:
        payload = {**stored.payloads[rid], **_jsonable(values), "updated_at": now}
        hub_upsert(s, who, unit, "candidate", rid, payload, seq)
        updated += 1
    seq.save()
    s.flush()
    out = report.to_json()
    out["hub"] = {"created": created, "updated": updated, "review_kept_apart": len(plan.reviews)}
    return out
