from __future__ import annotations

from pathlib import Path

import pytest

from app.core.compliance import load_compliance_profile, permissions
from app.core.domain import ConsentPurpose as P
from app.storage import consent, repo
from app.storage.db import Database
from app.storage.tables import Candidate, InterviewSession, Job


@pytest.fixture
def db(tmp_path: Path):
    d = Database(tmp_path / "t.db").open()
    yield d
    d.close()


def _interview(s):  # type: ignore[no-untyped-def]
    job = Job(slug="j", version=1, title_zh="职", title_en="J", content_hash="0" * 64)
    s.add(job)
    cand = repo.save(s, Candidate(name="周八"))
    iv = repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id))
    return cand.id, iv.id


def test_consent_is_recorded_per_purpose_and_withdrawal_stops_it(db: Database) -> None:
    cid, iid = db.write(_interview)
    choices = {
        P.RECORDING: True,
        P.AI_CONTENT: True,
        P.CAMERA_VOICE_CUES: True,
        P.SYNC_TO_HUB: False,
    }
    db.write(
        lambda s: consent.record_consent(
            s, cid, iid, choices, notice_version="2026-11", notice_lang="zh", recorded_by="张敏"
        )
    )
    with db.read() as s:
        granted = consent.granted_purposes(s, iid)
        assert granted == {P.RECORDING, P.AI_CONTENT, P.CAMERA_VOICE_CUES}
        assert repo.verify_audit(s) == []
    prof = load_compliance_profile("consented-nonverbal")
    assert permissions(prof, granted).store_cues
    assert db.write(lambda s: consent.withdraw(s, iid, P.CAMERA_VOICE_CUES, "张敏")) == 1
    with db.read() as s:
        after = consent.granted_purposes(s, iid)
    assert P.CAMERA_VOICE_CUES not in after
    assert not permissions(prof, after).store_cues
