"""Kiosk window (consent, countdown, recording, one re-record, PIN exit) and the settings page
(device preview, models status, read-only profile, kiosk launch and queue analysis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from app.core.domain import ConsentPurpose as P
from app.kiosk import KioskConfig, hash_pin, queued
from app.storage.tables import Answer, InterviewSession
from app.ui.kiosk import KioskWindow
from tests.capture.media import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("ui-kiosk") / "cam.mp4"
    make_clip(p, 3.0, events=[])
    return p


@pytest.fixture
def kiosk(window, ctx, clip: Path, qtbot):  # type: ignore[no-untyped-def]
    _win, tr = window
    ctx.settings.camera = str(clip)
    ctx.settings.microphone = "none"
    config = KioskConfig("internet-product-manager", hash_pin("2468"), timed=True, think_s=1)
    k = KioskWindow(ctx, tr, config)
    qtbot.addWidget(k)
    k.show()
    yield k
    if not k.unlocked:
        k.try_exit("2468")


def test_kiosk_consent_countdown_record_retake_and_pin_exit(kiosk, ctx, qtbot) -> None:  # type: ignore[no-untyped-def]
    k = kiosk
    assert k.stack.currentWidget() is k.welcome
    k.name.setText("赵敏")
    k.begin()  # no recording consent yet: refused with a sentence, still on the form
    assert k.stack.currentWidget() is k.welcome and "consent" in k.banner.text()
    k.choices[P.RECORDING].setChecked(True)
    k.begin()
    assert k.stack.currentWidget() is k.question_page
    assert k.q_no.text() == "Question 1 of 11" and k.q_text.text()
    # The countdown ends and recording starts by itself.
    qtbot.waitUntil(lambda: k.run.capture is not None, timeout=10000)
    qtbot.waitUntil(lambda: not k.preview.pixmap().isNull(), timeout=10000)
    assert k.countdown.text().startswith("●")  # a timed answer shows the time left
    k.stop_recording()
    assert k.retake_btn.isEnabled() and k.next_btn.isEnabled()
    k.retake()
    qtbot.waitUntil(lambda: k.run.capture is not None, timeout=10000)
    k.stop_recording()
    assert not k.retake_btn.isEnabled()  # re-recorded once already
    k.next_question()
    assert k.q_no.text() == "Question 2 of 11"
    # Leaving needs the PIN: closing the window is refused, a wrong PIN too.
    k.close()
    QApplication.processEvents()
    assert k.isVisible()
    assert not k.try_exit("0000") and "Wrong PIN" in k.banner.text()
    assert k.try_exit("2468") and not k.isVisible()
    sid = k.run.session_id
    with ctx.db.read() as s:
        assert s.get(InterviewSession, sid).status == "completed"
        answers = s.exec(select(Answer).where(Answer.session_id == sid)).all()
        assert [(a.question_key, a.source) for a in answers] == [("q01", "kiosk")]
        assert [q.answer_id for q in queued(s)] == [answers[0].id]


def test_settings_preview_models_and_profile(window, ctx, clip: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    page = win.settings_page
    win.show_page("settings")
    assert not page.profile.isEnabled()  # not an admin: read-only
    assert "read-only" in page.profile_note.text()
    page.camera.setText(str(clip))
    page.microphone.setEditText("none")
    page.start_preview()
    try:
        qtbot.waitUntil(lambda: page.preview_frames >= 3, timeout=10000)
        assert not page.preview_video.pixmap().isNull()
        assert page.preview_btn.text() == "Stop preview"
    finally:
        page.stop_preview()
    assert page.preview_camera is None and page.preview_btn.text() == "Preview"
    statuses = page.check_models()
    assert statuses and page.models.rowCount() == len(statuses)
    assert {page.models.item(i, 0).text() for i in range(len(statuses))} >= {"face_detect_short"}


def test_settings_launch_kiosk_and_queue(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    page = win.settings_page
    page.kiosk_pin.setText("12")
    page.start_kiosk()
    assert "4 to 12 digits" in page.kiosk_msg.text() and win.kiosk is None
    page.kiosk_job.setCurrentIndex(page.kiosk_job.findData("retail-store-manager"))
    page.kiosk_pin.setText("135790")
    page.start_kiosk()
    assert win.kiosk is not None and win.kiosk.config.job_slug == "retail-store-manager"
    assert page.kiosk_pin.text() == ""  # the PIN is not left on screen
    assert win.kiosk.try_exit("135790")
    assert win.kiosk is None
    assert not page.queue_btn.isEnabled() and "(0)" in page.queue_btn.text()
