"""Recorder end to end: a file camera + a real-time PortAudio microphone (JACK dummy card)
into fragmented MP4 / Matroska; sync measured on flashes and beeps that coincide."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlmodel import select

from app.capture.camera import CameraSource
from app.capture.microphone import MicSource
from app.capture.recorder import RecordingResult
from app.capture.session import CaptureSession
from app.capture.store import Manifest, manifest_path, probe, recover
from app.context import bundled_profiles_dir
from app.core.jobprofile import load_profile
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import Candidate, InterviewSession, Job, OutboxOp, Recording
from tests.capture import media
from tests.capture.conftest import have_unshare, record_cmd
from tests.capture.test_camera import UsbPort

CLIP_S = 10.0  # flash10 is exactly 300 frames at 30 fps, flashes at 1, 3, 5, 7, 9 s


def connect_players() -> None:
    lines = media.jack_ports().splitlines()
    outs = [p for p in lines if p.startswith("PortAudio") and ":out_" in p]
    ins = [p for p in lines if p.startswith("PortAudio") and ":in_" in p]
    for o in outs:
        for i in ins:
            media.jack_connect(o, i)


def record(
    clip: Path,
    out: Path,
    seconds: float,
    *,
    during: list[tuple[float, str]] | None = None,
    container: str = "mp4",
    db: Database | None = None,
    session_id: object = None,
) -> tuple[RecordingResult, CaptureSession]:
    """Record `seconds` of the looping clip with its beeps played into the microphone.

    `during` holds (time, action) with action "pause", "resume" or "mark:<label>".
    """
    cam = CameraSource(str(clip), loop=True)
    session = CaptureSession(
        cam,
        MicSource(),
        out,
        container=container,
        db=db,
        session_id=session_id,  # type: ignore[arg-type]
        reserve_bytes=1_000_000,
    )
    session.start()
    started = time.monotonic()
    try:
        audio = np.tile(media.beeps(CLIP_S, media.event_times(CLIP_S)), int(seconds // CLIP_S) + 2)
        with media.Player(audio, cam.origin):
            connect_players()
            for at, action in sorted(during or []):
                time.sleep(max(0.0, started + at - time.monotonic()))
                if action == "pause":
                    session.pause()
                elif action == "resume":
                    session.resume()
                else:
                    session.mark(action.split(":", 1)[1], question=action)
            time.sleep(max(0.0, started + seconds - time.monotonic()))
            result = session.stop()
    finally:
        session.stop()
    assert result is not None
    return result, session


def skews(path: Path) -> list[float]:
    """flash time - beep time for each event (positive: sound ahead of picture)."""
    flashes = media.flash_onsets(path)
    beeps = media.beep_onsets(path)
    assert flashes and beeps, (flashes, beeps)
    out = []
    for f in flashes:
        nearest = min(beeps, key=lambda b: abs(b - f))
        assert abs(nearest - f) < 0.5, f"no beep near the flash at {f:.2f} s: {beeps}"
        out.append(f - nearest)
    return out


def cv2_frames(path: Path) -> tuple[int, float]:
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened()
    fps = cap.get(cv2.CAP_PROP_FPS)
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n, fps


@pytest.mark.slow
def test_sixty_second_session_duration_and_sync(
    jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    result, session = record(clips["flash10"], tmp_path, 60.0)
    stats = session.stats()
    assert result.status == "complete" and result.error is None
    info = probe(result.path)
    assert info.has_video and info.has_audio and info.decodable and not info.truncated
    assert abs(info.duration_s - 60.0) <= 0.2, info
    assert abs(info.audio_s - 60.0) <= 0.2, info
    assert abs(result.duration_s - 60.0) <= 0.2
    frames, fps = cv2_frames(result.path)
    # OpenCV reads the duration as frames / fps (fps estimated from the timestamps). A file
    # camera skips frames it cannot decode in time on a starved CPU; those are counted.
    assert abs(frames / fps - 60.0) <= 0.2, (frames, fps)
    assert abs((frames + stats.camera_skipped) / 30 - 60.0) <= 0.2, (frames, stats)
    sk = skews(result.path)
    assert len(sk) == 30
    assert all(-0.125 <= s <= 0.045 for s in sk), sk
    assert stats.recorder_dropped == 0
    print(f"60 s session: skew ms {[round(s * 1000) for s in sk]}, stats {stats}")


def test_pause_resume_and_markers(
    jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    result, _ = record(
        clips["flash10"],
        tmp_path,
        4.5,
        during=[(0.5, "mark:q1"), (2.0, "pause"), (2.5, "mark:q2"), (3.0, "resume")],
    )
    info = probe(result.path)
    # 4.5 s with 1 s paused: 3.5 s of file, both streams, no gap where the pause was.
    assert abs(info.duration_s - 3.5) < 0.25, info
    assert abs(info.audio_s - 3.5) < 0.25 and abs(info.video_s - 3.5) < 0.25
    assert [m["label"] for m in result.markers] == ["q1", "q2"]
    t1, t2 = (m["t"] for m in result.markers)
    assert abs(t1 - 0.5) < 0.15
    assert abs(t2 - 2.0) < 0.15  # marked while paused: where recording continues
    manifest = Manifest.load(manifest_path(result.path))
    assert manifest.status == "complete" and manifest.markers == result.markers
    assert not result.path.with_suffix(".lock").exists()


def test_matroska_container(jack: media.JackServer, clips: dict[str, Path], tmp_path: Path) -> None:
    result, _ = record(clips["flash10"], tmp_path, 2.0, container="matroska")
    assert result.path.suffix == ".mkv"
    info = probe(result.path)
    assert info.has_video and info.has_audio and info.decodable
    assert abs(info.duration_s - 2.0) < 0.25
    assert cv2_frames(result.path)[0] > 50


def test_camera_unplugged_mid_recording_keeps_a_playable_file(
    jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    cam = CameraSource(0, opener=UsbPort(clips["flash10"], absent=1000), reconnect_interval=0.2)
    session = CaptureSession(cam, MicSource(), tmp_path, reserve_bytes=1_000_000).start()
    try:
        time.sleep(2.5)  # the camera is pulled after 10 frames (~0.33 s)
        stats = session.stats()
    finally:
        result = session.stop()
    assert result is not None
    assert stats.camera_state == "reconnecting"
    assert any(
        p.startswith("The camera 0 was disconnected; trying to reconnect") for p in stats.problems
    ), stats.problems
    info = probe(result.path)
    assert info.has_video and info.has_audio and info.decodable
    assert info.video_frames <= 11
    assert abs(info.audio_s - 2.5) < 0.3  # sound kept recording while the camera was away
    assert result.status == "complete"


def test_recording_row_in_the_database(
    jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    db = Database(tmp_path / "t.db").open()
    try:
        profile = load_profile(bundled_profiles_dir() / "risk-control-analyst.yaml")
        db.write(lambda s: repo.upsert_job_profile(s, profile))

        def setup(s):  # type: ignore[no-untyped-def]
            job = s.exec(select(Job)).one()
            cand = repo.save(s, Candidate(name="孙七"))
            return repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id)).id

        sid = db.write(setup)
        result, _ = record(
            clips["flash10"],
            tmp_path / "rec",
            2.0,
            during=[(1.0, "mark:q1")],
            db=db,
            session_id=sid,
        )
        with db.read() as s:
            row = s.exec(select(Recording)).one()
            ops = s.exec(select(OutboxOp).where(OutboxOp.entity == "recording")).all()
        assert row.id.hex.startswith(result.id.replace("-", "")[:8])
        assert row.session_id == sid and row.status == "complete"
        assert row.path == str(result.path) and row.container == "mp4"
        assert row.duration_s is not None and abs(row.duration_s - 2.0) < 0.25
        assert [m["label"] for m in row.markers] == ["q1"]
        assert row.size_bytes == result.path.stat().st_size
        assert row.ended_at is not None
        assert len(ops) >= 2  # created, then finished: both travel to the hub
    finally:
        db.close()


def test_recorder_without_microphone_or_database(clips: dict[str, Path], tmp_path: Path) -> None:
    session = CaptureSession(CameraSource(str(clips["flash10"])), None, tmp_path, reserve_bytes=0)
    session.start()
    time.sleep(1.0)
    session.mark("start")
    result = session.stop()
    assert result is not None and result.status == "complete"
    info = probe(result.path)
    assert info.has_video and not info.has_audio
    assert abs(info.duration_s - 1.0) < 0.2


@pytest.mark.parametrize(
    ("guard", "fill_mb", "status", "message"),
    [
        ("--reserve-mb=4", 13, "complete", "Recording stopped: the disk holding"),
        ("--no-disk-guard", 100, "interrupted", "stopped because the disk is full"),
    ],
    ids=["guard-stops-first", "disk-really-full"],
)
def test_full_disk(
    home: Path,
    jack: media.JackServer,
    clips: dict[str, Path],
    tmp_path: Path,
    guard: str,
    fill_mb: int,
    status: str,
    message: str,
) -> None:
    """A 16 MB tmpfs in a private mount namespace, filled by `dd` while recording."""
    if not have_unshare():
        pytest.fail("this test needs root and unshare -m (a private mount namespace)")
    mnt = tmp_path / "small-disk"
    saved = tmp_path / "saved"
    mnt.mkdir()
    saved.mkdir()
    cmd = " ".join(
        record_cmd(
            "record", "--camera", str(clips["noise3"]), "--loop", "--out", str(mnt),
            "--seconds", "15", guard, "--json",
        )
    )  # fmt: skip
    script = f"""
mount -t tmpfs -o size=16m tmpfs {mnt} || exit 99
( sleep 4; dd if=/dev/zero of={mnt}/filler bs=1M count={fill_mb} 2>/dev/null ) &
{cmd} > {tmp_path}/out.json 2> {tmp_path}/err.txt
echo $? > {tmp_path}/rc
wait
cp {mnt}/rec-* {saved}/
"""
    subprocess.run(["unshare", "-m", "sh", "-c", script], timeout=60, check=True)
    rc = int((tmp_path / "rc").read_text())
    err = (tmp_path / "err.txt").read_text()
    assert rc == 74, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("roundtwo: error: ") and message in last, err
    assert "Traceback" not in err
    # The ≥ 10 minutes warning came first (16 MB at this bitrate is a few minutes).
    assert "warning: Only about" in err and "minutes of recording space are left" in err
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["status"] == status
    media_file = saved / Path(out["path"]).name
    info = probe(media_file)
    assert info.has_video and info.has_audio and info.decodable
    assert info.duration_s >= 2.0, info  # what was recorded before the disk filled is kept
    assert info.duration_s <= 8.0, info  # and it really stopped
    if status == "complete":
        manifest = json.loads(media_file.with_suffix(".json").read_text())
        assert manifest["status"] == "complete" and message in manifest["error"]
    else:
        # Either the small manifest still fitted, or recovery finds the file: interrupted.
        assert [e.status for e in recover(saved)] == ["interrupted"]
