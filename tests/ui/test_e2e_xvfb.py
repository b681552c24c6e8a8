"""A complete interview in a real X window (Xvfb, xcb): the sample video as the camera and
spoken answers through the JACK dummy microphone, then the stored results and the PDF."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PySide6.QtGui import QImage

from tests.capture import media
from tests.conftest import REPO
from tests.dbkey import connect

pytestmark = pytest.mark.slow


def _run_driver(out: Path, home: Path, jack: media.JackServer) -> dict:  # type: ignore[type-arg]
    env = {
        **os.environ,
        "ROUNDTWO_HOME": str(home),
        "QT_QPA_PLATFORM": "xcb",
        "JACK_DEFAULT_SERVER": jack.name,
        "JACK_NO_START_SERVER": "1",
    }
    cmd = [
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1366x768x24",
        sys.executable,
        str(REPO / "tests/ui/e2e_driver.py"),
        str(out),
    ]
    # Its own process group: on a timeout xvfb-run, Xvfb and the app end together, by PID.
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        pytest.fail(f"the driver did not finish in 240 s:\n{log[-3000:]}")
    result_file = out / "result.json"
    assert result_file.exists(), f"driver exited {proc.returncode} without a result:\n{log[-3000:]}"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert proc.returncode == 0, result.get("error") or log[-3000:]
    return result


def test_complete_interview_under_xvfb(tmp_path: Path) -> None:
    for tool in ("xvfb-run", "pdftotext", "jackd"):
        if subprocess.run(["which", tool], capture_output=True, check=False).returncode:
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
    jack = media.start_jackd()
    try:
        r = _run_driver(tmp_path / "out", tmp_path / "home", jack)
    finally:
        jack.proc.terminate()
        try:
            jack.proc.wait(5)
        except subprocess.TimeoutExpired:
            jack.proc.kill()
            jack.proc.wait()

    assert r["platform"] == "xcb"
    # The live room: video painted with the face box over it, the played speech on the meter,
    # the shortcuts worked while the interviewer was typing in the notes.
    assert r["painted_frames"] >= 30 and r["overlay_boxes"] >= 3
    assert r["max_level_dbfs"] > -40, r["max_level_dbfs"]
    assert any(v > 0 for v in r["coverage"].values()), r["coverage"]
    assert r["index_after_shortcut"] == 1
    assert r["banner"] == "", r["banner"]
    # The review played the recording and the evidence jumped to its time.
    assert r["review_transcript"] == 2 and r["review_evidence"]
    target, landed = r["review_jump"]
    assert target is not None and abs(landed - target) < 1500
    # Grabs of the real window are not black (Xvfb exposes it before the grab).
    for shot in r["shots"]:
        img = QImage(shot)
        assert (img.width(), img.height()) == (1366, 768), shot
        colours = {img.pixel(x, y) for x in range(0, 1366, 41) for y in range(0, 768, 29)}
        assert len(colours) > 10, shot

    sid = r["session_id"].replace("-", "")
    con = connect(Path(r["db"]).parent)
    try:
        status, started, ended = con.execute(
            "select status, started_at, ended_at from interviewsession where id = ?", (sid,)
        ).fetchone()
        assert status == "completed" and started and ended
        answers = con.execute(
            "select question_key, start_ms, end_ms, text from answer where session_id = ? "
            "order by position",
            (sid,),
        ).fetchall()
        assert [a[0] for a in answers] == ["q01", "q02"]
        assert "复购率从18%提升到23%" in answers[0][3] and "two teams" in answers[1][3]
        assert answers[0][1] < answers[0][2] <= answers[1][1] < answers[1][2]
        consent = dict(
            con.execute(
                "select purpose, granted from consentrecord where session_id = ?", (sid,)
            ).fetchall()
        )
        assert consent == {"recording": 1, "ai_content": 1, "sync_to_hub": 0}
        ratings = dict(
            con.execute(
                "select competency_key, level from interviewerrating "
                "where session_id = ? and rater = '面试官甲'",
                (sid,),
            ).fetchall()
        )
        assert ratings == r["picked"] and len(ratings) == 7
        notes = {
            n
            for (n,) in con.execute(
                "select note from interviewerrating where session_id = ?", (sid,)
            )
        }
        assert "证据3" in notes
        suggested = con.execute(
            "select count(*) from aisuggestion where session_id = ? and level is not null", (sid,)
        ).fetchone()[0]
        assert suggested >= 1  # the scorer ran once the interview ended (AI consent given)
        path, rec_status, markers = con.execute(
            "select path, status, markers from recording where session_id = ?", (sid,)
        ).fetchone()
    finally:
        con.close()
    assert rec_status == "complete"
    labels = [m["label"] for m in json.loads(markers)]
    assert "moment" in labels and labels.count("question") == 2

    # The recording is encrypted at rest (the default) and plays: H.264 video for the whole
    # span and the spoken audio in it.
    from app.security.chunks import is_encrypted
    from app.security.media import media_source

    assert is_encrypted(Path(path))
    with media_source(Path(path)) as src, av.open(src) as c:
        v = c.streams.video[0]
        n_video = sum(1 for _ in c.decode(v))
    with media_source(Path(path)) as src, av.open(src) as c:
        a = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])
    assert n_video >= 100
    assert float(np.sqrt(np.mean(a.astype(np.float64) ** 2))) > 0.005

    # The PDF carries the candidate, the job and the ratings in Chinese (fonts embedded).
    text = subprocess.run(
        ["pdftotext", r["pdf"], "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "端到端测试" in text and "互联网产品经理" in text and "面试官甲" in text
    assert r["match_text"].split("：")[1].split("%")[0] in text
    fonts = subprocess.run(["pdffonts", r["pdf"]], capture_output=True, text=True, check=True)
    assert "yes" in fonts.stdout.split("\n", 2)[2]  # the emb column
