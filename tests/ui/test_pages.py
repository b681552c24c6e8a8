"""Each screen's behaviour, offscreen, against a real store with the sample interview."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from sqlmodel import select

from app.storage import repo
from app.storage.tables import InterviewerRating
from app.ui.app import screenshots
from app.ui.mainwindow import MainWindow


def test_home_lists_interviews_and_filters_by_job(window) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    table = win.home.interviews
    assert table.rowCount() == 1
    assert table.item(0, 1).text() == "林晓雯"
    assert table.item(0, 2).text() == "Internet Product Manager"
    idx = win.home.job_filter.findData("retail-store-manager")
    win.home.job_filter.setCurrentIndex(idx)
    assert table.rowCount() == 0
    assert win.home.empty.isVisibleTo(win.home)
    win.home.job_filter.setCurrentIndex(win.home.job_filter.findData("internet-product-manager"))
    assert table.rowCount() == 1


def test_home_search_finds_candidates(window) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    win.home.search.setText("浙江大")
    assert win.home.results.rowCount() == 1
    win.home.search.setText("nobody-like-this")
    assert win.home.results.rowCount() == 0


def test_offline_indicator_and_hub_state(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    assert "Offline" in win.home.sync_state.text()
    win.settings_page.hub.setText("http://127.0.0.1:8765")
    win.settings_page.store()
    assert ctx.settings.hub_url == "http://127.0.0.1:8765"
    win.home.retranslate()
    assert "127.0.0.1:8765" in win.home.sync_state.text()


def test_double_click_opens_the_report(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    win.home.interviews.cellDoubleClicked.emit(0, 0)
    assert win.stack.currentWidget() is win.report
    assert "96.8" in win.report.match.text()
    assert win.report.lines.rowCount() == 7
    teamwork = [
        win.report.lines.item(r, 4).text()
        for r in range(7)
        if win.report.lines.item(r, 0).text().startswith("Teamwork")
    ]
    assert teamwork == ["below the bar"]
    assert not win.report.radar.pixmap().isNull()
    # Rater notes (and AI quotes, once scored) are shown as evidence under the table.
    assert "访谈+埋点交叉验证" in win.report.evidence.text()


def test_report_follows_a_changed_rating(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)

    def lower(s):  # type: ignore[no-untyped-def]
        for r in s.exec(
            select(InterviewerRating).where(InterviewerRating.competency_key == "user-insight")
        ).all():
            r.level = 2
            repo.save(s, r)

    ctx.db.write(lower)
    win.open_report(sid)
    assert "96.8" not in win.report.match.text()
    assert "✘" in win.report.match.text()


def test_candidate_view_shows_resume_round1_and_model(window) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    cid = win.home.interviews.item(0, 1).data(Qt.ItemDataRole.UserRole)
    win.open_candidate(cid)
    assert win.candidate.name.text() == "林晓雯"
    assert win.candidate.model.rowCount() == 7
    texts = [
        win.candidate.resume.itemAt(i).widget().text()
        for i in range(win.candidate.resume.count())
        if win.candidate.resume.itemAt(i).widget() is not None
    ]
    assert any("浙江大学" in t for t in texts)


def test_imported_history_shows_with_the_candidate_and_feeds_the_probes(window) -> None:  # type: ignore[no-untyped-def]
    from app.core.paths import resources_dir

    win, _ = window
    cid = win.home.interviews.item(0, 1).data(Qt.ItemDataRole.UserRole)
    win.open_candidate(cid)
    assert win.candidate.history_box.isHidden()  # nothing imported yet
    assert "round-1 notes" in win.candidate.probes.text()  # the application's own notes
    assert "training history" not in win.candidate.probes.text()
    done = win.home.import_legacy(resources_dir() / "samples/legacy-training.csv", "training")
    assert done.result.counts["linked"] == 2
    assert "2 linked to stored candidates; 0 not linked" in win.home.import_msg.text()
    win.open_candidate(cid)
    assert not win.candidate.history_box.isHidden()
    assert win.candidate.history.rowCount() == 2
    assert win.candidate.history.item(0, 0).text() == "2025-04-11"
    assert "跨部门沟通与影响力" in win.candidate.probes.text()
    assert "training history" in win.candidate.probes.text()


def test_language_switch_retranslates_every_page(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, tr = window
    assert win.nav.item(0).text() == "Home"
    idx = win.settings_page.language.findData("zh_CN")
    win.settings_page.language.setCurrentIndex(idx)  # applies at once and saves
    QApplication.processEvents()  # Qt delivers LanguageChange through the event loop
    assert tr.language == "zh_CN"
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == [
        "首页",
        "候选人",
        "知情同意",
        "面试",
        "评分",
        "报告",
        "回放",
        "看板",
        "重复记录",
        "设置",
    ]
    assert win.home.interviews.item(0, 2).text() == "互联网产品经理"
    assert "离线" in win.home.sync_state.text()
    assert ctx.settings.language == "zh_CN"
    # Re-translating twice must not stack a second set of labels on the form.
    from PySide6.QtWidgets import QLabel

    labels = [w for w in win.settings_page.findChildren(QLabel) if w.text() == "界面语言"]
    assert len(labels) == 1 and win.settings_page.form.rowCount() == 8


@pytest.mark.slow
def test_screenshots_of_every_screen_in_both_languages(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, tr = window
    paths = screenshots(win, tr, tmp_path, (1366, 768))
    # + kiosk welcome and question, the import wizard's column step and its result
    assert len(paths) == 2 * (len(MainWindow.PAGES) + 4)
    for p in paths:
        img = QImage(str(p))
        assert (img.width(), img.height()) == (1366, 768)
        # Not a blank grab: many distinct colours.
        colours = {img.pixel(x, y) for x in range(0, 1366, 37) for y in range(0, 768, 23)}
        assert len(colours) > 5, p


def test_rating_panel_saves_levels_and_the_report_follows(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    ctx.settings.user_name = "李雷"
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    win.open_report(sid)
    panel = win.rating
    assert set(panel.rows) == {c.key for c in win.report.summary.lines}
    row = panel.rows["teamwork"]
    assert "8:" in row.anchors.text() and "10:" in row.anchors.text()
    assert row.level.value() == -1  # this rater has not rated yet
    # The sample interview has ended, so the AI column is shown (there is no suggestion yet).
    assert "none for this competency" in row.ai.text()
    row.level.setValue(9)
    row.note.setText("跨团队推进讲得很具体")
    panel.store()
    assert "1" in panel.message.text()
    # Teamwork: (5 + 6 + 9) / 3 = 6.67 -> still below 7, but the report moved.
    line = next(c for c in win.report.summary.lines if c.key == "teamwork")
    assert round(line.interviewer_level, 1) == 6.7
    assert panel.rows["teamwork"].level.value() == 9


def test_ai_is_hidden_during_a_live_interview(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    from app.storage.tables import InterviewSession

    def reopen(s):  # type: ignore[no-untyped-def]
        iv = s.get(InterviewSession, sid)
        iv.ended_at = None
        s.add(iv)

    ctx.db.write(reopen)
    ctx.settings.show_ai_live = False
    win.open_report(sid)
    assert "hidden" in win.rating.rows["teamwork"].ai.text()
    ctx.settings.show_ai_live = True
    win.rating.show_session(sid)
    assert "hidden" not in win.rating.rows["teamwork"].ai.text()


def test_consent_step_records_each_purpose_with_the_notice_version(window, ctx) -> None:  # type: ignore[no-untyped-def]
    from app.core.domain import ConsentPurpose as P
    from app.storage import consent as consent_store

    win, _ = window
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    win.open_report(sid)
    page = win.consent
    # Under the default strict profile there is no camera-cue choice to make.
    assert set(page.choices) == {P.RECORDING, P.AI_CONTENT, P.SYNC_TO_HUB}
    page.choices[P.RECORDING].setChecked(True)
    page.choices[P.AI_CONTENT].setChecked(False)  # declines AI: the interview still runs
    page.choices[P.SYNC_TO_HUB].setChecked(False)
    got = []
    page.recorded.connect(lambda s, perm: got.append(perm))
    page.store()
    assert got and got[0].record and not got[0].analyse_content
    with ctx.db.read() as s:
        assert consent_store.granted_purposes(s, sid) == {P.RECORDING}
        from sqlmodel import select

        from app.storage.tables import ConsentRecord

        rows = s.exec(select(ConsentRecord).where(ConsentRecord.session_id == sid)).all()
    assert any(r.notice_version == page.notice.version for r in rows)
    assert "AI" in page.status.text()


def test_dashboard_ranks_and_exports(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    page = win.dashboard
    assert page.job.currentData() == "internet-product-manager"
    assert page.ranking.rowCount() == 1 and page.ranking.item(0, 1).text() == "林晓雯"
    assert page.ranking.item(0, 2).text() == "96.8"
    out = page._export(".xlsx", tmp_path / "d.xlsx")
    assert out is not None and out.stat().st_size > 0
    page.job.setCurrentIndex(page.job.findData("retail-store-manager"))
    assert page.ranking.rowCount() == 0


def test_interview_room_from_consent_to_saved_answers(window, ctx, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import col, select

    from app.core.domain import ConsentPurpose as P
    from app.storage import repo as repo_
    from app.storage.tables import Answer, Candidate, InterviewSession, Recording

    win, _ = window
    from tests.conftest import REPO

    # The bundled sample interview: a face the quality check can find and box.
    ctx.settings.camera = str(REPO / "resources/samples/media/interview-sample.mp4")
    ctx.settings.microphone = "none"

    def scheduled(s):  # type: ignore[no-untyped-def]
        job = repo_.get_job(s, "internet-product-manager")
        cand = repo_.save(s, Candidate(name="房间测试"))
        return repo_.save(s, InterviewSession(candidate_id=cand.id, job_id=job.id)).id

    sid = ctx.db.write(scheduled)
    win.open_report(sid)
    for p, box in win.consent.choices.items():
        box.setChecked(p in (P.RECORDING, P.AI_CONTENT))
    win.consent.store()  # consent -> the room opens, nothing captured yet
    room = win.room
    assert win.stack.currentWidget() is room and room.room is not None
    assert room.room.capture is None
    room.start()
    try:
        qtbot.waitUntil(lambda: room.painted_frames >= 5, timeout=15000)
        # The face box from the live analysis is drawn over the video (paired by time).
        qtbot.waitUntil(lambda: room.overlay_boxes >= 3, timeout=20000)
        img = room.video.pixmap().toImage()
        assert img.width() > 0
        room.notes.setPlainText(
            "我负责会员体系改版，访谈了24位用户，推动分层权益，复购率从18%提升到23%。"
        )
        room._slow()
        assert any(b.value() > 0 for b in room.coverage.values())
        assert room.probes.text().startswith("•")
        room._go(+1)
        assert room.room.index == 1 and room.notes.toPlainText() == ""
        room.notes.setPlainText("We did it together.")
    finally:
        room.stop()
    assert win.stack.currentWidget() is win.report
    with ctx.db.read() as s:
        answers = s.exec(
            select(Answer).where(Answer.session_id == sid).order_by(col(Answer.position))
        ).all()
        assert [a.question_key for a in answers] == ["q01", "q02"]
        assert s.get(InterviewSession, sid).status == "completed"
        assert s.exec(select(Recording).where(Recording.session_id == sid)).one()


def test_views_and_exports_in_the_app_are_audited(window, ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.storage.tables import AuditLog

    win, tr = window
    cid = win.home.interviews.item(0, 1).data(Qt.ItemDataRole.UserRole)
    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    win.open_candidate(cid)
    win.open_report(sid)
    tr.apply("zh_CN")  # a language switch re-renders: not another look
    win.open_report(sid)
    assert win.report.export(tmp_path / "林晓雯-报告.json") is not None

    def rows():  # type: ignore[no-untyped-def]
        ctx.db.write(lambda s: None)  # the audit writes are queued before this one
        with ctx.db.read() as s:
            return s.exec(select(AuditLog).order_by(AuditLog.seq)).all()

    got = [(r.action, r.entity, r.entity_id, r.detail) for r in rows()]
    mine = [g for g in got if g[3].get("via") == "gui"]
    assert mine == [
        ("view", "candidate", str(cid), {"via": "gui"}),
        ("view", "interviewsession", str(sid), {"via": "gui"}),
        ("export", "interviewsession", str(sid), {"via": "gui", "format": "json"}),
    ]
    assert all("林晓雯" not in str(r.detail) for r in rows())  # no file name, no name
    with ctx.db.read() as s:
        assert repo.verify_audit(s) == []
    tr.apply("en")
