"""The interview room headless: a real file camera, a real recording, answers with time spans."""

from __future__ import annotations

import time
from pathlib import Path

import av
import pytest
from sqlmodel import col, select

from app.capture.camera import CameraSource
from app.context import open_context
from app.core.compliance import load_compliance_profile, permissions
from app.core.domain import ConsentPurpose as P
from app.room import InterviewRoom
from app.samples import read_sample
from app.security.keys import recording_key
from app.security.media import open_source
from app.storage import repo
from app.storage.tables import Answer, Candidate, InterviewSession, Observation, Recording
from tests.capture.media import make_clip


@pytest.fixture
def ctx(home: Path):
    c = open_context()
    yield c
    c.close()


def _scheduled(ctx) -> object:  # type: ignore[no-untyped-def]
    def w(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, read_sample()["job"])
        cand = repo.save(s, Candidate(name="测试候选人"))
        return repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id)).id

    return ctx.db.write(w)


def test_a_recorded_interview_with_live_analysis(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = tmp_path / "cam.mp4"
    make_clip(clip, 6.0)
    iid = _scheduled(ctx)
    perm = permissions(load_compliance_profile("strict"), {P.RECORDING, P.AI_CONTENT})
    room = InterviewRoom(
        ctx.db,
        iid,
        perm,
        lang="zh",
        recordings_dir=ctx.paths.recordings,
        recording_key=lambda: recording_key(ctx.settings, ctx.paths.settings),
    )
    room.start(camera=CameraSource(str(clip)))
    try:
        assert room.status().recording
        room.set_text(
            "去年我负责会员体系改版。我访谈了24位用户，发现权益感知弱，"
            "于是推动分层权益，三个月后复购率从18%提升到23%。"
        )
        live = room.live()
        assert live is not None and live.coverage and 0 <= live.star_complete <= 1
        time.sleep(0.6)
        room.next()
        room.mark("moment", note="good example")
        room.toggle_pause()
        time.sleep(0.3)
        room.toggle_pause()
        room.set_text("we all worked together")
        time.sleep(0.6)
    finally:
        ids = room.stop()
    assert len(ids) == 2
    with ctx.db.read() as s:
        answers = s.exec(
            select(Answer).where(Answer.session_id == iid).order_by(col(Answer.position))
        ).all()
        assert [a.question_key for a in answers] == ["q01", "q02"]
        assert answers[0].end_ms <= answers[1].start_ms < answers[1].end_ms
        iv = s.get(InterviewSession, iid)
        assert iv.status == "completed" and iv.ended_at is not None
        rec = s.exec(select(Recording).where(Recording.session_id == iid)).one()
    with av.open(open_source(Path(rec.path))) as f:  # encrypted at rest: decrypt in memory
        assert f.streams.video and float(f.duration or 0) / 1e6 > 0.5
    assert any(m["label"] == "moment" for m in room.markers)


def test_without_recording_consent_there_is_no_capture_but_notes_are_kept(ctx) -> None:  # type: ignore[no-untyped-def]
    iid = _scheduled(ctx)
    perm = permissions(load_compliance_profile("strict"), set())
    room = InterviewRoom(
        ctx.db,
        iid,
        perm,
        lang="en",
        recordings_dir=ctx.paths.recordings,
        recording_key=lambda: recording_key(ctx.settings, ctx.paths.settings),
    )
    room.start(camera=None)
    assert room.capture is None and room.scorer is None and room.live() is None
    room.set_text("Notes typed by the interviewer.")
    assert len(room.stop()) == 1
    with ctx.db.read() as s:
        assert s.exec(select(Recording)).all() == []


SAMPLE_VIDEO = Path(__file__).resolve().parents[2] / "resources/samples/media/interview-sample.mp4"


def _run_with_face(ctx, profile_id, granted):  # type: ignore[no-untyped-def]
    iid = _scheduled(ctx)
    perm = permissions(load_compliance_profile(profile_id), granted)
    room = InterviewRoom(
        ctx.db,
        iid,
        perm,
        lang="en",
        recordings_dir=ctx.paths.recordings,
        recording_key=lambda: recording_key(ctx.settings, ctx.paths.settings),
    )
    room.start(camera=CameraSource(str(SAMPLE_VIDEO)))
    try:
        deadline = time.monotonic() + 20
        while (room.latest_face is None or not room.latest_face.face_present) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        time.sleep(1.5)
        room.status()  # flushes buffered cues where allowed
        kinds = {r.name for r in room.pipeline.runners}
        face = room.latest_face
    finally:
        room.stop()
    with ctx.db.read() as s:
        stored = s.exec(select(Observation).where(Observation.session_id == iid)).all()
    return face, kinds, stored


def test_strict_runs_only_the_quality_check_and_stores_no_cue(ctx) -> None:  # type: ignore[no-untyped-def]
    face, kinds, stored = _run_with_face(ctx, "strict", set(P))
    assert face is not None and face.face_present and face.box is not None
    assert kinds == {"face-quality"}  # no mesh, no gaze, no smile runner at all
    assert face.gaze_at_camera is None and face.smile is None and face.yaw is None
    assert stored == []


def test_consented_cues_are_analysed_and_stored(ctx) -> None:  # type: ignore[no-untyped-def]
    face, kinds, stored = _run_with_face(ctx, "consented-nonverbal", set(P))
    assert kinds == {"face"} and face is not None and face.yaw is not None
    signals = {o.signal for o in stored}
    assert {"face_visible", "gaze_at_camera", "yaw"} <= signals
    # Without the separate cue consent the same profile falls back to the quality check.
    _face, kinds2, stored2 = _run_with_face(
        ctx, "consented-nonverbal", set(P) - {P.CAMERA_VOICE_CUES}
    )
    assert kinds2 == {"face-quality"} and stored2 == []
