"""Hub-side erasure on both backends: records tombstoned with their payloads cleared, media
rows and files gone, rows of other hub tables that name the candidate (here an assignment)
deleted, the storage step reported honestly, and the laptop's acknowledgement recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.core.domain import Role
from app.storage import repo
from server.tables import Assignment, Media, SyncRecord
from tests.privacy.fleet import OTHER, TARGET, Laptop, interview, job_profile
from tests.server.hubtools import (
    HubThread,
    Postgres,
    hub_backends,
    new_org,
    start_postgres,
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    pg = start_postgres()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubThread]:
    pg = request.getfixturevalue("postgres") if request.param == "postgres" else None
    with hub_backends(request.param, tmp_path / "hub", pg) as h:
        yield h


@pytest.mark.slow
def test_hub_erasure_clears_records_media_and_linked_rows(hub: HubThread, tmp_path: Path) -> None:
    org = new_org(hub)
    uid, _ = org.add_user(Role.HR)
    lap = Laptop(tmp_path / "laptop", hub.url)
    lap.enrol(org, uid)
    with lap.db() as db:
        db.write(lambda s: repo.upsert_job_profile(s, job_profile(), "bundled"))
    target, other = uuid.uuid4(), uuid.uuid4()
    interview(lap, target, TARGET)
    interview(lap, other, OTHER)
    lap.sync_here()
    interviewer, _ = org.add_user(Role.INTERVIEWER)
    with org.client() as c:
        for cand in (target, other):
            r = c.post(
                "/api/v1/admin/assignments",
                json={"user_id": str(interviewer), "candidate_id": str(cand)},
            )
            assert r.status_code == 201, r.text
        r = c.post("/api/v1/privacy/deletions", json={"candidate_id": str(target)})
        assert r.status_code == 201, r.text
        report = r.json()
    backend = "sqlite" if hub.engine.dialect.name == "sqlite" else "postgresql"
    assert report["hub_storage"].startswith(backend)
    assert report["hub_records"] == 7 and report["hub_media_files"] == 1
    assert report["hub_other_rows"] == {"hub_assignment": 1}
    with Session(hub.engine) as s:
        recs = s.exec(select(SyncRecord).where(SyncRecord.candidate_ref == target)).all()
        assert recs and all(r.deleted and r.payload == {"id": str(r.entity_id)} for r in recs)
        assert [a.candidate_id for a in s.exec(select(Assignment)).all()] == [other]
        assert len(s.exec(select(Media)).all()) == 1
    files = [f for f in hub.settings.media_dir().rglob("*") if f.is_file()]
    assert len(files) == 1
    run = lap.sync_here()
    assert run["erased"] == 1 and run["pending"] == 0 and run["sanity_ok"] is True
    with org.client() as c:
        acks = c.get("/api/v1/privacy/deletions").json()[0]["laptops"]
    assert [(a["how"], a["rows"], a["files"]) for a in acks] == [("pulled", 7, 1)]
