"""Kiosk core: consent first, one recording per answer, one re-record, queue, PIN, cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from app.capture.camera import CameraSource
from app.context import open_context
from app.core.cancel import CancelledError
from app.core.domain import ConsentPurpose as P
from app.core.errors import InvalidInputError
from app.kiosk import KioskConfig, KioskRun, check_pin, hash_pin, process_queue, queued
from app.security.chunks import is_encrypted
from app.storage.tables import Answer, ConsentRecord, InterviewSession, Recording
from tests.capture.media import make_clip

JOB = "internet-product-manager"


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("kiosk") / "cam.mp4"
    make_clip(p, 4.0, events=[])
    return p


def _run(ctx, **cfg) -> KioskRun:  # type: ignore[no-untyped-def]
    from app.security.keys import recording_key

    config = KioskConfig(job_slug=JOB, pin_hash=hash_pin("2468"), **cfg)
    return KioskRun(
        ctx.db,
        config,
        ctx.paths.recordings,
        # The test keychain (tests/conftest.py) holds the key, as the OS keychain would.
        recording_key=lambda: recording_key(ctx.settings, ctx.paths.settings),
    )


def _record(run: KioskRun, clip: Path, seconds: float = 0.8) -> None:
    run.start_answer(CameraSource(str(clip), loop=True))
    time.sleep(seconds)
    run.stop_answer()


def test_pin_is_stored_hashed_and_checked() -> None:
    stored = hash_pin("2468")
    assert "2468" not in stored
    assert check_pin("2468", stored) and not check_pin("2469", stored)
    assert not check_pin("2468", "garbage")
    with pytest.raises(InvalidInputError, match="4 to 12 digits"):
        hash_pin("12a4")


def test_no_key_no_recording(ctx, clip: Path) -> None:  # type: ignore[no-untyped-def]
    config = KioskConfig(job_slug=JOB, pin_hash=hash_pin("2468"))
    run = KioskRun(ctx.db, config, ctx.paths.recordings)
    run.begin("无钥匙", {P.RECORDING: True}, notice_version="v1", notice_lang="zh")
    with pytest.raises(InvalidInputError, match="plaintext"):
        run.start_answer(CameraSource(str(clip), loop=True))
    assert run.capture is None and not list(ctx.paths.recordings.glob("*"))


def test_recording_consent_is_required(ctx) -> None:  # type: ignore[no-untyped-def]
    run = _run(ctx)
    with pytest.raises(InvalidInputError, match="recording consent"):
        run.begin("王芳", {P.RECORDING: False}, notice_version="v1", notice_lang="zh")
    with pytest.raises(InvalidInputError, match="name"):
        run.begin("  ", {P.RECORDING: True}, notice_version="v1", notice_lang="zh")


def test_answers_are_recorded_one_retake_allowed_and_queued(ctx, clip: Path) -> None:  # type: ignore[no-untyped-def]
    run = _run(ctx, timed=True)
    sid = run.begin(
        "王芳",
        {P.RECORDING: True, P.AI_CONTENT: True, P.SYNC_TO_HUB: False},
        notice_version="v1",
        notice_lang="zh",
        contact="wf@example.com",
    )
    q1 = run.current.question
    assert run.config.answer_limit_s(q1) == max(30, q1.minutes * 60)
    assert KioskConfig(JOB, "x", timed=False).answer_limit_s(q1) is None
    with pytest.raises(InvalidInputError):
        run.next_question()  # nothing recorded yet
    _record(run, clip)
    first = run.current.recording_id
    with ctx.db.read() as s:
        first_path = s.get(Recording, first).path
    assert Path(first_path).exists() and is_encrypted(Path(first_path))
    assert run.can_retake()
    run.retake()  # the candidate records this answer again, once
    assert not Path(first_path).exists()
    with ctx.db.read() as s:
        assert s.get(Recording, first) is None
        assert not s.exec(select(Answer).where(Answer.session_id == sid)).all()
    _record(run, clip)
    assert not run.can_retake()
    with pytest.raises(InvalidInputError, match="once"):
        run.retake()
    run.next_question()
    _record(run, clip)
    run.finish()  # the candidate leaves after two questions
    with ctx.db.read() as s:
        iv = s.get(InterviewSession, sid)
        assert iv.status == "completed" and iv.location == "kiosk"
        purposes = {
            r.purpose: r.granted
            for r in s.exec(select(ConsentRecord).where(ConsentRecord.session_id == sid)).all()
        }
        assert purposes == {"recording": True, "ai_content": True, "sync_to_hub": False}
        q = queued(s)
    assert [x.question_key for x in q] == [q1.id, run.answers[1].question.id]
    assert all(x.recording_path and Path(x.recording_path).exists() for x in q)


def test_the_queue_is_analysed_and_a_cancel_leaves_answers_whole(ctx, clip: Path) -> None:  # type: ignore[no-untyped-def]
    run = _run(ctx)
    sid = run.begin("李雷", {P.RECORDING: True}, notice_version="v1", notice_lang="zh")
    for _ in range(3):
        _record(run, clip, 0.5)
        run.next_question()
    run.finish()
    cancel = threading.Event()
    steps: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        steps.append((done, total))
        if done == 1:
            cancel.set()  # Cancel pressed while the second answer is about to start

    with pytest.raises(CancelledError):
        process_queue(ctx.db, progress=progress, cancel=cancel)
    with ctx.db.read() as s:
        sources = [
            a.source
            for a in s.exec(
                select(Answer).where(Answer.session_id == sid).order_by(Answer.position)
            ).all()
        ]
        assert sources == ["asr", "kiosk", "kiosk"]  # one done, two still queued
        assert len(queued(s)) == 2
    # Run again to the end: only the rest is analysed.
    assert process_queue(ctx.db) == 2
    with ctx.db.read() as s:
        assert not queued(s)
