"""A candidate with interviews and real recordings on two laptops and the hub is erased from
every file of all three (databases with -wal/-shm and free pages, recordings, the hub's media
store, logs) after one sync each, whether the request starts on a laptop or on the hub; the
other candidate is untouched; each side keeps a PII-free audit record; the hub reports what
went where, with both laptops' acknowledgements."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.core.domain import Role
from app.storage import repo
from app.storage.tables import AuditLog, Candidate, OutboxOp
from server.tables import Deletion, Media, SyncRecord
from tests.privacy.fleet import OTHER, TARGET, Laptop, World, needles, scan, world

pytestmark = pytest.mark.slow


def _before(w: World) -> None:
    """The scan must see the data first, in every place it later must not."""
    wanted = needles(TARGET)
    for root in (w.a.db_path, w.b.db_path, w.hub_dir / "hub.db", w.hub_dir / "media"):
        assert scan([root] if root.is_dir() else [root.parent], wanted), root
    for rec in w.recordings:
        assert rec.exists()
    with Session(w.hub.engine) as s:
        assert len(s.exec(select(Media)).all()) == 3


def _after(w: World) -> dict[str, Any]:
    hits = scan(w.roots(), needles(TARGET))
    assert hits == [], "\n".join(hits[:20])
    # The scan covered real logs: the hub's, and each laptop's from its CLI runs.
    assert "erased on the hub" in (w.hub_dir / "hub.log").read_text("utf-8")
    for lap in (w.a, w.b):
        assert (lap.home / "logs" / "roundtwo.log").stat().st_size > 0
    # Nothing left that is merely unreadable: the recordings and media files are gone too.
    a_target, a_other, b_target = w.recordings
    assert not a_target.exists() and not b_target.exists()
    assert a_other.exists()  # the other candidate's recording stays
    with Session(w.hub.engine) as s:
        media = s.exec(select(Media)).all()
        assert len(media) == 1  # the other candidate's
        left = [f for f in (w.hub_dir / "media").rglob("*") if f.is_file()]
        assert [f.name for f in left] == [media[0].sha256]
        recs = s.exec(select(SyncRecord).where(SyncRecord.candidate_ref == w.target)).all()
        assert recs and all(r.deleted and set(r.payload) == {"id"} for r in recs)
        other = s.exec(
            select(SyncRecord).where(
                SyncRecord.entity == "candidate", SyncRecord.entity_id == w.other
            )
        ).one()
        assert not other.deleted and other.payload["name"] == OTHER["name"]
    # The other candidate is intact everywhere, and the scan does read these files.
    assert scan([w.a.db_path.parent], needles(OTHER)) and scan([w.b.home], needles(OTHER))
    assert scan([w.hub_dir], needles(OTHER))
    for lap in (w.a, w.b):
        with lap.db() as db, db.read() as s:
            assert s.get(Candidate, w.target) is None
            assert s.get(Candidate, w.other) is not None
            audit = s.exec(select(AuditLog).where(AuditLog.action == "delete-candidate")).all()
            assert [a.entity_id for a in audit] == [str(w.target)]
            assert repo.verify_audit(s) == []
            assert s.exec(select(OutboxOp)).all() == []
        assert not (lap.home / "sync" / "erasure-acks.json").exists()  # acknowledged
    with w.org.client() as c:
        r = c.get("/api/v1/privacy/deletions", params={"candidate_id": str(w.target)})
        assert r.status_code == 200, r.text
        reports = r.json()
    assert len(reports) == 1
    report: dict[str, Any] = reports[0]
    assert report["hub_media_files"] == 2 and report["hub_records"] == 12
    assert report["hub_storage"].startswith("sqlite: secure_delete on; VACUUM")
    return report


def _device(lap: Laptop) -> str:
    with lap.client() as c:
        assert c.credentials is not None
        return str(c.credentials.device_id)


def test_erasure_started_on_a_laptop_reaches_the_other_laptop_and_the_hub(
    tmp_path: Path,
) -> None:
    with world(tmp_path) as w:
        _before(w)
        out = w.a.cli("privacy", "delete", str(w.target), "--yes", "--reason", "request")
        assert '"files_removed": 1' in out.stdout
        a_sync = w.a.sync()
        b_sync = w.b.sync()
        assert b_sync["erased"] == 1 and a_sync["erased"] == 0
        for run in (a_sync, b_sync):
            assert run["sanity_ok"] is True and run["skipped"] == [] and run["pending"] == 0
        report = _after(w)
        assert report["origin"] == "laptop" and report["device_id"] == _device(w.a)
        acks = {x["device_id"]: x for x in report["laptops"]}
        assert acks[_device(w.a)]["how"] == "local" and acks[_device(w.a)]["files"] == 1
        assert acks[_device(w.b)]["how"] == "pulled" and acks[_device(w.b)]["files"] == 1
        assert acks[_device(w.b)]["rows"] == 12 and acks[_device(w.a)]["rows"] == 12


def test_erasure_requested_on_the_hub_reaches_both_laptops(tmp_path: Path) -> None:
    with world(tmp_path) as w:
        _before(w)
        _refusals(w)
        hr_id, hr_token = w.org.add_user(Role.HR, w.org.unit_id)
        with w.org.client(hr_token) as c:
            r = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(w.target)})
            assert r.status_code == 201, r.text
            first = r.json()
            again = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(w.target)})
            assert again.json()["id"] == first["id"]  # asking twice changes nothing
        assert first["origin"] == "hub" and first["requested_by"] == str(hr_id)
        assert first["laptops"] == []
        for lap in (w.a, w.b):
            run = lap.sync()
            assert run["erased"] == 1 and run["sanity_ok"] is True and run["pending"] == 0
        report = _after(w)
        assert {x["device_id"]: x["how"] for x in report["laptops"]} == {
            _device(w.a): "pulled",
            _device(w.b): "pulled",
        }
        with Session(w.hub.engine) as s:
            row = s.exec(select(Deletion).where(col(Deletion.erased_id) == w.target)).one()
            assert row.reason == "candidate_request"


def _refusals(w: World) -> None:
    """Interviewers may not erase; HR only in its own unit; the reason is from a fixed list
    (the report is kept, so it takes no free text)."""
    _, token = w.org.add_user(Role.INTERVIEWER, w.org.unit_id)
    with w.org.client(token) as c:
        r = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(w.target)})
    assert r.status_code == 403
    other_unit = w.org.add_unit("Elsewhere")
    _, hr_elsewhere = w.org.add_user(Role.HR, other_unit)
    with w.org.client(hr_elsewhere) as c:
        r = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(w.target)})
        assert r.status_code == 403, r.text
        bad = c.post(
            "/api/v1/privacy/deletions",
            json={"candidate_id": str(uuid.uuid4()), "reason": "because I said so"},
        )
        assert bad.status_code == 422 and "reason" in bad.json()["detail"]["message"]
    with Session(w.hub.engine) as s:
        assert s.exec(select(Deletion)).all() == []
