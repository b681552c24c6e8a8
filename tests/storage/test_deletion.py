"""Deleting a candidate leaves no trace of their name, phone or e-mail in any file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from app.context import open_context
from app.samples import load_sample_interview, read_sample
from app.storage import repo
from app.storage.deletion import delete_candidate
from app.storage.tables import Candidate, InterviewSession, OutboxOp, Recording


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def _needles() -> list[bytes]:
    c = read_sample()["candidate"]
    out = []
    for v in (c["name"], c["phone"], c["email"]):
        out += [v.encode("utf-8"), v.encode("utf-16-le")]
    return out


def _scan(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for f in root.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            hits += [f"{f.name}: {n!r}" for n in needles if n in data]
    return hits


def test_a_deleted_candidate_is_gone_from_every_file(ctx, home: Path) -> None:  # type: ignore[no-untyped-def]
    sid = ctx.db.write(load_sample_interview)
    # A recording file that belongs to the interview.
    rec_file = ctx.paths.recordings / f"{sid}.mkv"
    rec_file.write_bytes(b"\x1aE\xdf\xa3 fake matroska " + _needles()[0])
    ctx.db.write(lambda s: repo.save(s, Recording(session_id=sid, path=str(rec_file))))
    needles = _needles()
    assert _scan(home, needles), "the scan must see the data before deletion"
    cid = read_sample()["candidate"]["id"]
    import uuid

    report = delete_candidate(ctx.db, uuid.UUID(cid), by="hr", reason="candidate request")
    assert report.rows["interviewsession"] == 1 and report.rows["answer"] >= 1
    assert str(rec_file) in report.files and not rec_file.exists()
    with ctx.db.read() as s:
        assert s.exec(select(Candidate)).all() == []
        assert s.exec(select(InterviewSession)).all() == []
        ops = s.exec(select(OutboxOp)).all()
        assert ops and all(o.op == "delete" for o in ops)  # tombstones only, no payloads
        assert repo.verify_audit(s) == []
    ctx.close()
    assert _scan(home, needles) == []


def test_unknown_candidate(ctx) -> None:  # type: ignore[no-untyped-def]
    import uuid

    with pytest.raises(Exception, match="No candidate"):
        delete_candidate(ctx.db, uuid.uuid4(), by="hr", reason="x")
