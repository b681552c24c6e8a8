"""Drives a whole interview through the real window (run by test_e2e_xvfb under xvfb-run).

Consent -> room (sample video as the camera, spoken answers played into the JACK microphone,
notes typed, next-question and mark shortcuts) -> end -> ratings -> report -> PDF export.
Writes OUT/result.json and window grabs; exit code 0 only if every step ran."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import av
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.context import open_context  # noqa: E402
from app.core.domain import ConsentPurpose  # noqa: E402
from app.samples import prepare_demo  # noqa: E402
from app.storage import repo  # noqa: E402
from app.storage.tables import Candidate, InterviewSession  # noqa: E402
from app.ui.app import build_window  # noqa: E402
from tests.capture import media  # noqa: E402

MEDIA = REPO / "resources/samples/media"
NOTE_1 = "我负责会员体系改版，访谈了24位用户，推动分层权益，复购率从18%提升到23%。"
NOTE_2 = "When two teams disagreed, I listed the costs of each option and we agreed on a plan."


def speech(rate: int = media.RATE) -> np.ndarray:
    """The sample's spoken Chinese answers as int16 mono at the JACK rate."""
    out = []
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    for name in ("answer2-zh.flac", "answer4-zh.flac"):
        with av.open(str(MEDIA / name)) as c:
            for frame in c.decode(audio=0):
                for f in resampler.resample(frame):
                    out.append(f.to_ndarray().reshape(-1))
    return np.concatenate(out).astype(np.int16)


def wait_until(pred: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QTest.qWait(50)


def type_text(w: QWidget, text: str) -> None:
    """ASCII as key presses; Chinese the way an input method delivers it (a commit string:
    QTest's key simulation has no keys for Han characters)."""
    w.setFocus()
    if text.isascii():
        QTest.keyClicks(w, text)
    else:
        ev = QInputMethodEvent()
        ev.setCommitString(text)
        QApplication.sendEvent(w, ev)
    QApplication.processEvents()


def click(w: QWidget) -> None:
    assert w.isVisible() and w.isEnabled(), w
    QTest.mouseClick(w, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def grab(win: QWidget, out: Path, name: str) -> str:
    QTest.qWait(300)
    path = out / f"{name}.png"
    win.grab().save(str(path))
    return str(path)


def drive(out: Path) -> dict[str, Any]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    result: dict[str, Any] = {"platform": QApplication.platformName(), "shots": []}
    ctx = open_context()
    with ctx:
        prepare_demo(ctx.db)
        ctx.settings.language = "zh_CN"
        ctx.settings.user_name = "面试官甲"
        ctx.settings.camera = str(MEDIA / "interview-sample.mp4")
        ctx.settings.microphone = ""  # the default input: the JACK dummy card

        def schedule(s: Any) -> Any:
            job = repo.get_job(s, "internet-product-manager")
            cand = repo.save(s, Candidate(name="端到端测试"))
            return repo.save(
                s,
                InterviewSession(
                    candidate_id=cand.id,
                    job_id=job.id,
                    interviewer="面试官甲",
                    scheduled_at=dt.datetime.now(dt.UTC),
                ),
            ).id

        sid = ctx.db.write(schedule)
        result["session_id"] = str(sid)
        result["db"] = str(ctx.paths.database)
        win, tr = build_window(ctx, app)
        win.resize(1366, 768)
        win.show()
        assert QTest.qWaitForWindowExposed(win, 10000), "window never exposed"
        win.activateWindow()  # shortcuts need the active window (no window manager here)
        QTest.qWaitForWindowActive(win, 5000)
        QTest.qWait(300)
        # Home: double-click the new interview.
        win.home.refresh()
        table = win.home.interviews
        row = next(
            r
            for r in range(table.rowCount())
            if str(table.item(r, 0).data(Qt.ItemDataRole.UserRole)) == str(sid)
        )
        rect = table.visualItemRect(table.item(row, 1))
        no_mod = Qt.KeyboardModifier.NoModifier
        # A first click selects the row (and focuses the table); then the double-click.
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, no_mod, rect.center())
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, no_mod, rect.center())
        QApplication.processEvents()
        assert win.report.session_id == sid, "double-click did not open the interview"
        # Consent: recording + AI analysis yes, hub sync no.
        win.show_page("consent")
        QTest.qWait(100)
        for purpose, box in win.consent.choices.items():
            want = purpose in (ConsentPurpose.RECORDING, ConsentPurpose.AI_CONTENT)
            if box.isChecked() != want:
                win.consent.body.parentWidget().parentWidget().ensureWidgetVisible(box)
                QTest.qWait(50)
                # On the indicator: a stretched check box toggles only on its box and text.
                QTest.mouseClick(
                    box,
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                    QPoint(8, box.height() // 2),
                )
                assert box.isChecked() == want, purpose
        result["shots"].append(grab(win, out, "consent"))
        click(win.consent.record)
        room = win.room
        assert win.stack.currentWidget() is room, "consent did not open the room"
        click(room.start_btn)
        assert room.microphone is not None, f"no microphone: {room.banner.text()}"
        levels: list[int] = []
        with media.Player(speech(), time.monotonic()):
            outs = [p for p in media.jack_ports().splitlines() if ":out_" in p]
            ins = [p for p in media.jack_ports().splitlines() if ":in_" in p]
            for o in outs:
                for i in ins:
                    if o.startswith("PortAudio") and i.startswith("PortAudio"):
                        media.jack_connect(o, i)
            wait_until(lambda: room.painted_frames >= 10, 30, "video frames")
            type_text(room.notes, NOTE_1)
            t_end = time.monotonic() + 4
            while time.monotonic() < t_end:
                QTest.qWait(100)
                levels.append(room.level.value())
            wait_until(lambda: room.overlay_boxes >= 3, 30, "a face box over the video")
            room._slow()
            result["coverage"] = {k: b.value() for k, b in room.coverage.items()}
            result["shots"].append(grab(win, out, "room"))
            # The interviewer is typing in the notes: the shortcuts must still work there.
            ctrl = Qt.KeyboardModifier.ControlModifier
            QTest.keyClick(room.notes, Qt.Key.Key_M, ctrl)
            result["mark_status"] = room.status.text()
            QTest.keyClick(room.notes, Qt.Key.Key_Right, ctrl)
            result["index_after_shortcut"] = room.room.index if room.room else None
            type_text(room.notes, NOTE_2)
            t_end = time.monotonic() + 3
            while time.monotonic() < t_end:
                QTest.qWait(100)
                levels.append(room.level.value())
            result["painted_frames"] = room.painted_frames
            result["overlay_boxes"] = room.overlay_boxes
            result["banner"] = room.banner.text() if room.banner.isVisible() else ""
            click(room.stop_btn)
        result["max_level_dbfs"] = max(levels)
        assert win.stack.currentWidget() is win.report, "ending did not open the report"
        # Ratings: a level and a note for each competency.
        win.show_page("rating")
        QTest.qWait(100)
        picks = {}
        for i, (key, row_w) in enumerate(win.rating.rows.items()):
            level = 5 + i % 4
            row_w.level.setFocus()
            row_w.level.selectAll()
            QTest.keyClicks(row_w.level, str(level))
            type_text(row_w.note, f"证据{i}")
            picks[key] = level
        result["picked"] = picks
        result["shots"].append(grab(win, out, "ratings"))
        click(win.rating.save)
        result["rating_message"] = win.rating.message.text()
        win.show_page("report")
        result["match_text"] = win.report.match.text()
        result["shots"].append(grab(win, out, "report"))
        # Review: the recording plays; a piece of evidence jumps to its moment.
        click(win.report.review_btn)
        review = win.review
        assert win.stack.currentWidget() is review, "the review did not open"
        wait_until(lambda: review.frames_shown >= 1, 20, "a frame of the recording")
        result["review_transcript"] = review.transcript.count()
        result["review_evidence"] = [
            review.evidence.item(i).text() for i in range(review.evidence.count())
        ]
        item = review.evidence.item(0)
        target = item.data(Qt.ItemDataRole.UserRole)
        if target is not None:
            rect = review.evidence.visualItemRect(item)
            QTest.mouseClick(
                review.evidence.viewport(), Qt.MouseButton.LeftButton, no_mod, rect.center()
            )
            wait_until(lambda: abs(review.position() - target) < 1500, 20, "the jump")
        result["review_jump"] = [target, review.position()]
        result["shots"].append(grab(win, out, "review"))
        review.shutdown()
        win.show_page("report")
        pdf = win.report.export(out / "report.pdf")
        result["pdf"] = str(pdf) if pdf else None
        win.close()
        QApplication.processEvents()
        tr.apply("en")
    return result


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    try:
        result = drive(out)
        rc = 0
    except BaseException:
        result = {"error": traceback.format_exc()}
        rc = 1
    (out / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return rc


if __name__ == "__main__":
    sys.exit(main())
