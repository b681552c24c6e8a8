"""Review: the recording plays in sync with the signal track and transcript; evidence jumps;
ratings edited in place move the disagreement flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from sqlmodel import select

from app.storage import repo
from app.storage.tables import (
    AISuggestion,
    InterviewerRating,
    Observation,
    Recording,
    TranscriptSegment,
)
from app.ui.review import spans
from tests.conftest import REPO

MEDIA = REPO / "resources/samples/media"


@pytest.fixture
def reviewed(window, ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The sample interview with a recording (the sample video), cues and an AI suggestion."""
    win, _ = window
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    video = tmp_path / "rec.mp4"
    shutil.copy(MEDIA / "interview-sample.mp4", video)

    def add(s):  # type: ignore[no-untyped-def]
        repo.save(
            s,
            Recording(
                session_id=sid,
                path=str(video),
                status="complete",
                duration_s=44.6,
                markers=[{"t": 0.0, "label": "question"}, {"t": 20.0, "label": "moment"}],
            ),
        )
        # The sample video's spoken answers as the transcript (what batch analysis stores).
        for a in json.loads((MEDIA / "interview-sample.json").read_text())["answers"]:
            repo.save(
                s,
                TranscriptSegment(
                    session_id=sid,
                    start_ms=round(a["start"] * 1000),
                    end_ms=round(a["end"] * 1000),
                    text=a["text"],
                    lang=a["lang"],
                ),
            )
        for t in range(0, 40000, 1000):
            repo.save(s, Observation(session_id=sid, t_ms=t, signal="face_visible", value=1.0))
        repo.save(
            s,
            AISuggestion(
                session_id=sid,
                competency_key="teamwork",
                level=8,
                confidence=0.6,
                evidence=[{"quote": "大家一起做决定", "start_ms": 30000}],
            ),
        )

    ctx.db.write(add)
    win.open_review(sid)
    yield win, sid
    win.review.shutdown()


def test_review_plays_and_follows_the_transcript(reviewed, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, _ = reviewed
    page = win.review
    assert win.stack.currentWidget() is page
    # The transcript (ASR segments win over the typed notes), with language tags.
    assert page.transcript.count() == 4
    assert page.transcript.item(1).text().startswith("[00:12] (ZH)")
    assert page.data.duration_ms == 44600
    titles = [lane[0] for lane in page.track.lanes]
    assert titles == ["Speaking", "Face in view", "Looking at camera"]
    face, gaze = page.track.lanes[1][1], page.track.lanes[2][1]
    assert face == [(0, 39000)] and gaze is None  # gaze not stored under strict
    qtbot.waitUntil(lambda: page.frames_shown >= 1, timeout=15000)
    assert not page.video.pixmap().isNull()
    page.toggle_play()
    qtbot.waitUntil(lambda: page.position() > 500, timeout=15000)
    page.toggle_play()
    # Seeking into the second answer highlights it.
    second = page.data.segments[1]
    page.seek(second.start_ms + 100)
    assert page.transcript.currentRow() == 1
    # A click on the signal track seeks to the time under the pointer.
    x = page.track._left() + (page.track.width() - page.track._left() - 4) // 4
    QTest.mouseClick(
        page.track, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5)
    )
    want = page.track.ms_at(x)
    assert abs(page.track.position_ms - want) < 50
    qtbot.waitUntil(lambda: abs(page.position() - want) < 1500, timeout=10000)


def test_evidence_jumps_to_its_moment(reviewed, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, _ = reviewed
    page = win.review
    item = page.evidence.item(0)
    assert "大家一起做决定" in item.text() and item.text().startswith("[00:30]")
    rect = page.evidence.visualItemRect(item)
    QTest.mouseClick(
        page.evidence.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        rect.center(),
    )
    assert page.track.position_ms == 30000
    qtbot.waitUntil(lambda: abs(page.position() - 30000) < 1500, timeout=10000)


def test_editing_a_rating_moves_the_disagreement_flag(reviewed, ctx) -> None:  # type: ignore[no-untyped-def]
    win, sid = reviewed
    page = win.review
    ctx.settings.user_name = "复核人"
    page.show_session(sid)
    # Interviewers 5 and 6 (mean 5.5) against the AI's 8: flagged.
    assert page.flags()["teamwork"] is True
    row = next(
        r
        for r in range(page.ratings.rowCount())
        if page.ratings.item(r, 0).data(Qt.ItemDataRole.UserRole) == "teamwork"
    )
    assert "2+" in page.ratings.item(row, 3).text()
    page.levels["teamwork"].setValue(10)  # mean (5 + 6 + 10) / 3 = 7: within 1 of the AI
    page.save_ratings()
    assert page.flags()["teamwork"] is False and page.ratings.item(row, 3).text() == ""
    with ctx.db.read() as s:
        mine = s.exec(
            select(InterviewerRating).where(
                InterviewerRating.session_id == sid, InterviewerRating.rater == "复核人"
            )
        ).all()
    assert [(r.competency_key, r.level) for r in mine] == [("teamwork", 10)]
    # The report follows the edit.
    line = next(c for c in win.report.summary.lines if c.key == "teamwork")
    assert round(line.interviewer_level, 1) == 7.0


def test_a_recording_that_cannot_be_played_is_one_message(reviewed, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    win, _ = reviewed
    page = win.review
    missing = tmp_path / "moved-away.mp4"
    page._load(str(missing))
    qtbot.waitUntil(lambda: not page.banner.isHidden(), timeout=10000)
    assert page.banner.text().startswith("The recording cannot be played: ")
    assert str(missing) in page.banner.text() and "No such file" in page.banner.text()
    page.toggle_play()  # nothing to play: no exception, still "Play"
    assert not page.playing() and page.play_btn.text() == "Play"


def test_spans_merge_samples_and_end_at_gaps() -> None:
    pts = [(0, 1.0), (1000, 1.0), (2000, 0.0), (3000, 1.0), (9000, 1.0)]
    assert spans(pts) == [(0, 1000), (3000, 3200), (9000, 9200)]


def test_stopping_playback_of_an_encrypted_recording_never_hangs() -> None:
    """Load, play, seek and close an encrypted recording 60 times at random moments (while it
    opens, plays and seeks) in a process of its own: every close joins the decoding thread
    (the thread count is back where it started), nothing raises or logs a warning, and a
    hang fails on the timeout instead of hanging the suite."""
    import os
    import subprocess
    import sys

    try:
        r = subprocess.run(
            [sys.executable, str(REPO / "tests/ui/stop_stress.py"), "60"],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ),
            cwd=REPO,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"playback close hung: {exc.stdout!r}") from exc
    assert r.returncode == 0 and r.stdout.strip().endswith("done"), r.stdout[-500:] + r.stderr


def test_the_frame_poll_stops_while_another_page_is_shown(reviewed, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The GUI thread does not poll the player for frames while the review is hidden (the
    interview room needs it); the playback state is kept and the poll resumes on return."""
    win, _ = reviewed
    page = win.review
    win.show()
    qtbot.waitExposed(win)
    assert page.isVisible() and page.poll.isActive()
    qtbot.waitUntil(lambda: page.frames_shown >= 1, timeout=15000)
    page.seek(2000)
    win.show_page("home")
    assert not page.isVisible() and not page.poll.isActive()
    shown = page.frames_shown
    qtbot.wait(200)
    assert page.frames_shown == shown
    win.show_page("review")
    assert page.poll.isActive()
    qtbot.waitUntil(lambda: abs(page.position() - 2000) < 200, timeout=5000)
