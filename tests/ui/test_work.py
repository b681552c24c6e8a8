"""Long work under a progress dialog: progress shows, Cancel stops the core, errors come back."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from app.core.errors import NotFoundError
from app.reports.pdf import PDF_STEPS, gather, write_pdf
from app.ui.work import LongTask, run_long


def _sample_data(win):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    sid = win.home.interviews.item(0, 0).data(Qt.ItemDataRole.UserRole)
    with win.ctx.db.read() as s:
        return sid, gather(s, sid)


def test_cancel_button_stops_the_pdf_export_and_nothing_is_written(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    _, data = _sample_data(win)
    out = tmp_path / "r.pdf"
    seen: list[int] = []

    def work(progress, cancel):  # type: ignore[no-untyped-def]
        def slow(done: int, total: int) -> None:
            seen.append(done)
            progress(done, total)
            time.sleep(0.4)  # a slow step, so the click lands mid-way

        write_pdf(data, out, "zh", progress=slow, cancel=cancel)

    task = LongTask(win, "export", work)

    # A person clicks Cancel while step 1 or 2 is running.
    def click_cancel() -> None:
        buttons = task.dialog.findChildren(QPushButton)
        assert buttons
        buttons[0].click()

    QTimer.singleShot(300, click_cancel)
    assert task.run() is None
    assert task.cancelled and task.error is None
    assert not out.exists() and max(seen) < PDF_STEPS


def test_progress_reaches_the_end_and_the_result_returns(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    _, data = _sample_data(win)
    out = tmp_path / "r.pdf"
    task = run_long(
        win, "export", lambda p, c: write_pdf(data, out, "en", progress=p, cancel=c) or out
    )
    assert task.result == out and not task.cancelled
    assert task.done_steps == PDF_STEPS and out.read_bytes().startswith(b"%PDF")


def test_an_error_comes_back_as_a_message(window) -> None:  # type: ignore[no-untyped-def]
    win, _ = window

    def fail(_p, _c):  # type: ignore[no-untyped-def]
        raise NotFoundError("No interview session x.")

    task = run_long(win, "x", fail)
    assert task.result is None and "No interview session x." in task.error.user_message()


def test_report_page_exports_pdf_and_json(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    sid, _ = _sample_data(win)
    win.open_report(sid)
    assert win.report.export(tmp_path / "a.pdf") == tmp_path / "a.pdf"
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert win.report.export(tmp_path / "a.json") == tmp_path / "a.json"
    assert "林晓雯" in (tmp_path / "a.json").read_text(encoding="utf-8")
    assert "a.json" in win.report.export_msg.text()


def test_sync_now_without_a_reachable_hub_says_why(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    home = win.home
    assert not home.sync_btn.isVisibleTo(home)  # offline: no sync button
    ctx.settings.hub_url = "http://127.0.0.1:9"  # nothing listens there
    home.retranslate()
    assert home.sync_btn.isVisibleTo(home)
    task = home.sync_now()
    assert task.error is not None and not task.cancelled
    assert task.error.user_message() in home.sync_state.text()


def _legacy_csv(tmp_path: Path) -> Path:
    from tests.migrate.datagen import DEV_MIX, labelled, write_csv

    records, _ = labelled(200, 31, DEV_MIX, dup_rate=0.0)
    path = tmp_path / "legacy.csv"
    write_csv(path, records)
    return path


def _store_counts(ctx) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    from sqlmodel import func, select

    from app.storage.tables import Candidate, OutboxOp

    with ctx.db.read() as s:
        return (
            int(s.exec(select(func.count()).select_from(Candidate)).one()),
            int(s.exec(select(func.count()).select_from(OutboxOp)).one()),
        )


def test_a_cancelled_import_changes_nothing_and_a_full_one_imports(window, ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from app.migrate.importer import import_file

    win, _ = window
    path = _legacy_csv(tmp_path)
    before = _store_counts(ctx)
    midway = threading.Event()

    def work(progress, cancel):  # type: ignore[no-untyped-def]
        def prog(phase: str, done: int, total: int) -> None:
            progress(done, total)
            if phase == "cleaning" and done > 0 and not midway.is_set():
                midway.set()
                cancel.wait(10)  # hold here until the person's click has landed

        return import_file(ctx.db, path, "candidates", progress=prog, cancel=cancel)

    task = LongTask(win, "import", work)

    def click_when_midway() -> None:
        if midway.is_set():
            task.dialog.findChildren(QPushButton)[0].click()
        else:
            QTimer.singleShot(20, click_when_midway)

    QTimer.singleShot(20, click_when_midway)
    assert task.run() is None and task.cancelled
    assert _store_counts(ctx) == before  # one transaction: nothing was written
    # The Home page's import, not cancelled, brings every row in.
    done = win.home.import_legacy(path, "candidates")
    assert done.result is not None and done.result.counts["created"] > 150
    assert _store_counts(ctx)[0] == before[0] + done.result.counts["created"]
    assert "legacy.csv" in win.home.import_msg.text()
