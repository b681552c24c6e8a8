"""The review read model puts answers, cue samples, marks and evidence on the recording clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.context import open_context
from app.core.errors import NotFoundError
from app.samples import read_sample
from app.storage import queries, repo
from app.storage.db import Database
from app.storage.tables import (
    AISuggestion,
    Answer,
    Candidate,
    InterviewSession,
    Observation,
    Recording,
    TranscriptSegment,
)


@pytest.fixture
def db(home: Path):
    ctx = open_context()  # a real store file with the bundled job profiles
    yield ctx.db
    ctx.close()


def _session(db: Database, *, with_recording: bool = True, asr: bool = False) -> object:
    def w(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, read_sample()["job"])
        cand = repo.save(s, Candidate(name="回放"))
        iv = repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id))
        if with_recording:
            repo.save(
                s,
                Recording(
                    session_id=iv.id,
                    path="/x/rec.mp4",
                    duration_s=30.0,
                    markers=[
                        {"t": 0.7, "label": "question", "question": "q01"},
                        {"t": 12.4, "label": "moment"},
                        {"t": 15.7, "label": "question", "question": "q02"},
                    ],
                ),
            )
        for pos, (a, b) in enumerate([(0, 15000), (15000, 28000)]):
            repo.save(
                s,
                Answer(
                    session_id=iv.id,
                    question_key=f"q0{pos + 1}",
                    position=pos,
                    start_ms=a,
                    end_ms=b,
                    text=f"answer {pos}",
                    lang="en",
                    source="typed",
                ),
            )
        for t, v in [(1000, 1.0), (2000, 1.0), (3000, 0.0)]:
            repo.save(s, Observation(session_id=iv.id, t_ms=t, signal="face_visible", value=v))
        repo.save(s, Observation(session_id=iv.id, t_ms=1000, signal="smile", value=0.9))
        repo.save(
            s,
            AISuggestion(
                session_id=iv.id,
                competency_key="teamwork",
                level=6,
                confidence=0.7,
                evidence=[{"quote": "we agreed", "start_ms": 15000}, {"quote": ""}],
            ),
        )
        if asr:
            repo.save(s, TranscriptSegment(session_id=iv.id, start_ms=900, end_ms=4000, text="hi"))
        return iv.id

    return db.write(w)


def test_everything_is_on_the_recording_clock(db: Database) -> None:
    sid = _session(db)
    with db.read() as s:
        d = queries.review_data(s, sid)  # type: ignore[arg-type]
    assert d.recording_path == "/x/rec.mp4" and d.offset_ms == 700
    assert [(g.start_ms, g.end_ms, g.source) for g in d.segments] == [
        (700, 15700, "typed"),
        (15700, 28700, "typed"),
    ]
    assert d.cues == {"face_visible": [(1700, 1.0), (2700, 1.0), (3700, 0.0)]}  # no smile
    assert d.marks == [(700, "question"), (12400, "moment"), (15700, "question")]
    assert [(e.competency_key, e.quote, e.start_ms) for e in d.evidence] == [
        ("teamwork", "we agreed", 15700)
    ]
    assert d.duration_ms == 30000


def test_asr_segments_win_over_typed_notes_and_no_recording_means_no_offset(db: Database) -> None:
    sid = _session(db, with_recording=False, asr=True)
    with db.read() as s:
        d = queries.review_data(s, sid)  # type: ignore[arg-type]
    assert d.recording_path is None and d.offset_ms == 0 and d.marks == []
    assert [(g.start_ms, g.text, g.source) for g in d.segments] == [(900, "hi", "asr")]


def test_unknown_session(db: Database) -> None:
    import uuid

    with db.read() as s, pytest.raises(NotFoundError):
        queries.review_data(s, uuid.uuid4())
