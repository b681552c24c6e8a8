"""kill -9 of real recording processes at random moments: the file plays, at most 2 s are
lost, and the next start lists the recording as interrupted (manifest and database)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from sqlmodel import select

from app.capture.store import Manifest, manifest_path, probe
from app.context import open_context
from app.security.media import media_source
from app.storage import repo
from app.storage.tables import Candidate, InterviewSession, Job, Recording
from tests.capture import media
from tests.capture.conftest import REPO, record_cmd

RUNS = 20
MAX_LOSS_S = 2.0


def start_recording(cmd: list[str]) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("recording to "):
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"recorder did not start: {line!r} {err}")
    return proc, Path(line[len("recording to ") :].strip())


def kill9(proc: subprocess.Popen[str]) -> tuple[float, str]:
    os.kill(proc.pid, signal.SIGKILL)
    when = time.time()
    _, stderr = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    return when, stderr


@pytest.mark.slow
def test_kill_9_at_random_moments(
    home: Path, jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    seed = int(os.environ.get("ROUNDTWO_KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    out = tmp_path / "recordings"
    runs = []
    previous: Path | None = None
    for _ in range(RUNS):
        proc, path = start_recording(
            record_cmd(
                "record", "--camera", str(clips["flash10"]), "--loop", "--out", str(out),
                "--mark-every", "0.5", "--reserve-mb", "1",
            )
        )  # fmt: skip
        time.sleep(rng.uniform(0.2, 3.0))
        killed_at, stderr = kill9(proc)
        if previous is not None:
            # The next start found the previous crash and said so.
            assert f"note: the recording {previous} was interrupted by a crash" in stderr
        previous = path
        manifest = Manifest.load(manifest_path(path))
        assert manifest.status == "recording"  # nobody had a chance to close it
        info = probe(path)
        recorded = killed_at - manifest.started_epoch
        loss = recorded - info.duration_s
        runs.append((round(recorded, 2), round(info.duration_s, 2), round(loss, 2)))
        assert loss <= MAX_LOSS_S, (seed, runs)
        if recorded >= 1.5:  # at least one fragment was due: it must play
            assert info.has_video and info.has_audio and info.decodable, (seed, info)
            assert abs(info.audio_s - info.video_s) < 1.1, info
            with media_source(path) as source, av.open(source) as c:  # decrypts in memory
                image = next(c.decode(video=0)).to_ndarray(format="bgr24")
            assert image.shape == (240, 320, 3)
        # Markers are saved as they happen, so a crash keeps those made before it.
        assert len(manifest.markers) >= int(recorded / 0.5) - 2, manifest.markers
    print(f"kill -9 seed {seed}: (recorded s, playable s, lost s) {runs}")
    # The next start: every recording is listed as interrupted, with its playable length.
    r = subprocess.run(
        record_cmd("recordings", "list", "--dir", str(out), "--json"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    listed = json.loads(r.stdout)
    assert len(listed) == RUNS
    assert {e["status"] for e in listed} == {"interrupted"}
    assert [e["recovered"] for e in listed if Path(e["path"]) == previous] == [True]
    by_path = {Path(e["path"]).name: e for e in listed}
    for e in by_path.values():
        assert abs(e["duration_s"] - probe(Path(e["path"])).duration_s) < 0.01
        assert not Path(e["path"]).with_suffix(".lock").exists()
    # Listing again changes nothing (recovery runs once).
    again = json.loads(
        subprocess.run(
            record_cmd("recordings", "list", "--dir", str(out), "--json"),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    assert not any(e["recovered"] for e in again)


def test_live_recording_is_not_marked_interrupted(
    home: Path, jack: media.JackServer, clips: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "recordings"
    proc, path = start_recording(
        record_cmd("record", "--camera", str(clips["flash10"]), "--loop", "--out", str(out))
    )
    try:
        time.sleep(0.5)
        listed = json.loads(
            subprocess.run(
                record_cmd("recordings", "list", "--dir", str(out), "--json"),
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
        )
        assert [(e["status"], e["recovered"]) for e in listed] == [("recording", False)]
    finally:
        proc.send_signal(signal.SIGTERM)  # a clean stop
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert stdout.startswith("complete: ")
    assert Manifest.load(manifest_path(path)).status == "complete"


@pytest.mark.slow
def test_killed_recording_is_interrupted_in_the_database(
    home: Path, jack: media.JackServer, clips: dict[str, Path]
) -> None:
    """Through the full `roundtwo` CLI: the row links to an interview and recovers."""
    with open_context() as ctx:

        def setup(s):  # type: ignore[no-untyped-def]
            job = s.exec(select(Job)).first()
            cand = repo.save(s, Candidate(name="周八"))
            return repo.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id)).id

        sid = ctx.db.write(setup)
    proc, path = start_recording(
        [
            sys.executable, "-m", "app", "record", "--camera", str(clips["flash10"]),
            "--loop", "--session", str(sid), "--mark-every", "1", "--reserve-mb", "1",
        ]
    )  # fmt: skip
    assert path.parent == home / "recordings"
    time.sleep(2.5)
    kill9(proc)
    with open_context() as ctx, ctx.db.read() as s:
        row = s.exec(select(Recording)).one()
        assert row.status == "recording" and row.session_id == sid
    r = subprocess.run(
        [sys.executable, "-m", "app", "recordings", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO,
    )
    assert r.stdout.startswith("interrupted"), r.stdout
    with open_context() as ctx, ctx.db.read() as s:
        row = s.exec(select(Recording)).one()
    assert row.status == "interrupted"
    info = probe(path)
    assert row.duration_s == pytest.approx(info.duration_s, abs=0.01)
    assert info.duration_s >= 0.5 and info.has_audio and info.has_video
    assert [m["label"] for m in row.markers][:1] == ["question 1"]
