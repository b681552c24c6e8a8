"""Start the desktop app (`roundtwo gui`), or render every screen to PNG for review."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.context import AppContext, open_context
from app.core.errors import RoundTwoError
from app.core.settings import Settings
from app.samples import prepare_demo
from app.storage import queries
from app.ui.i18n import Translations
from app.ui.mainwindow import MainWindow
from app.ui.unlock import ask_passphrase


def build_window(ctx: AppContext, app: QCoreApplication) -> tuple[MainWindow, Translations]:
    tr = Translations(app)
    tr.apply(ctx.settings.language)
    return MainWindow(ctx, tr), tr


def screenshots(win: MainWindow, tr: Translations, out: Path, size: tuple[int, int]) -> list[Path]:
    """Every screen in both languages at `size`, showing the sample interview."""
    out.mkdir(parents=True, exist_ok=True)
    with win.ctx.db.read() as s:
        rows = queries.interviews(s)
    written: list[Path] = []
    win.resize(*size)
    win.show()
    for lang in ("zh_CN", "en"):
        tr.apply(lang)
        QApplication.processEvents()
        if rows:
            win.candidate.show_candidate(rows[0].candidate_id)
            win.open_report(rows[0].session_id)
        live = None
        for name in MainWindow.PAGES:
            if name == "room" and rows:
                _live_room(win, rows[0].candidate_id, lang)
                live = win.room.session_id
            if name == "review" and live is not None:
                _review(win, live)
            if name == "settings":
                _settings_preview(win)
            if name == "duplicates":
                _duplicates(win)
            win.show_page(name)
            QApplication.processEvents()
            path = out / f"{name}-{lang}.png"
            win.grab().save(str(path))
            written.append(path)
            if name == "room":
                win.room.shutdown()
                if rows:
                    win.open_report(rows[0].session_id)
            if name == "review" and rows:
                win.review.shutdown()
                win.open_report(rows[0].session_id)
            if name == "settings":
                win.settings_page.stop_preview()
        written += _kiosk_shots(win, out, lang, size)
        written.append(_mapping_shot(win, out, lang))
        written.append(_import_result_shot(win, out, lang))
    return written


def _duplicates(win: MainWindow) -> None:
    """The bundled legacy sample (fictional people, two uncertain pairs) imported once, so
    the review queue has something to show."""
    from app.core.paths import resources_dir
    from app.migrate.importer import import_file
    from app.migrate.review import pending

    if not pending(win.ctx.db, limit=1):
        import_file(win.ctx.db, resources_dir() / "samples/legacy-candidates.csv", "candidates")


def _mapping_shot(win: MainWindow, out: Path, lang: str) -> Path:
    """The import wizard's column step on the bundled legacy sample."""
    from app.core.paths import resources_dir
    from app.ui.mapping_dialog import MappingDialog

    win.show_page("home")
    dialog = MappingDialog(
        resources_dir() / "samples/legacy-candidates.csv",
        "candidates",
        win,
        lang="zh" if lang.startswith("zh") else "en",
    )
    dialog.show()
    return _dialog_over(win, dialog, out / f"import-mapping-{lang}.png")


def _dialog_over(win: MainWindow, dialog: QWidget, path: Path) -> Path:
    """What the person sees: `dialog` over the main window (offscreen has no window manager
    to composite them), saved to `path`; the dialog is closed."""
    from PySide6.QtGui import QPainter

    QApplication.processEvents()
    shot = win.grab()
    face = dialog.grab()
    painter = QPainter(shot)
    painter.drawPixmap(
        (shot.width() - face.width()) // 2, (shot.height() - face.height()) // 2, face
    )
    painter.end()
    shot.save(str(path))
    dialog.close()
    return path


def _import_result_shot(win: MainWindow, out: Path, lang: str) -> Path:
    """The import's last step: the bundled legacy sample (imported before: unchanged) plus
    two new rows and three faulty ones, as a dry run (the store is not changed)."""
    import tempfile

    from app.core.paths import resources_dir
    from app.migrate.importer import import_file

    sample = (resources_dir() / "samples/legacy-candidates.csv").read_text("utf-8")
    faulty = (
        "郭子豪,13600136010,zihao.guo@example.com,1999-04-02,苏州,本科,苏州大学,1,Python\n"
        "何静,  137-0013-7011 ,jing.he@example.com,1996/7/9,天津,硕士,南开大学,4,SQL\n"
        ",13900139000,nobody@example.com,1995-01-01,杭州,本科,浙江大学,3,\n"
        "吴雨桐,=1+2,yutong.wu@example.com,1996-05-05,北京,硕士,北京大学,2,\n"
        "周怡然,18600186003,zhouyr@example.com,1998-02-30,深圳,本科,深圳大学,2,\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "legacy-candidates.csv"
        path.write_text(sample.rstrip("\n") + "\n" + faulty, "utf-8")
        report = import_file(win.ctx.db, path, "candidates", dry_run=True)
    win.show_page("home")
    dialog = win.home.show_import_result(report)
    return _dialog_over(win, dialog, out / f"import-result-{lang}.png")


def _settings_preview(win: MainWindow) -> None:
    """The device check running on the sample video, and the models' status."""
    import time

    from app.core.paths import resources_dir

    page = win.settings_page
    page.camera.setText(str(resources_dir() / "samples/media/interview-sample.mp4"))
    page.microphone.setEditText("none")
    page.check_models()
    page.start_preview()
    deadline = time.monotonic() + 10
    while page.preview_frames < 3 and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def _kiosk_shots(win: MainWindow, out: Path, lang: str, size: tuple[int, int]) -> list[Path]:
    """The kiosk's welcome/consent screen and a question with its countdown."""
    from app.core.domain import ConsentPurpose
    from app.kiosk import KioskConfig, hash_pin

    config = KioskConfig("internet-product-manager", hash_pin("0000"), think_s=20)
    kiosk = win.open_kiosk(config, full_screen=False)
    kiosk.resize(*size)
    QApplication.processEvents()
    paths = [out / f"kiosk-{lang}.png", out / f"kiosk-question-{lang}.png"]
    kiosk.grab().save(str(paths[0]))
    kiosk.name.setText("陈晨" if lang.startswith("zh") else "Chen Chen")  # type: ignore[attr-defined]
    kiosk.choices[ConsentPurpose.RECORDING].setChecked(True)  # type: ignore[attr-defined]
    kiosk.begin()  # type: ignore[attr-defined]
    QApplication.processEvents()
    kiosk.grab().save(str(paths[1]))
    kiosk.try_exit("0000")  # type: ignore[attr-defined]
    return paths


def _live_room(win: MainWindow, candidate_id: object, lang: str) -> None:
    """A live room on the bundled sample video (a new interview of the sample candidate)."""
    import time

    from PySide6.QtCore import QElapsedTimer

    from app.core.compliance import load_compliance_profile, permissions
    from app.core.domain import ConsentPurpose
    from app.core.paths import resources_dir
    from app.storage import repo
    from app.storage.tables import InterviewSession

    ctx = win.ctx
    ctx.settings.camera = str(resources_dir() / "samples/media/interview-sample.mp4")
    ctx.settings.microphone = "none"
    if os.environ.get("ROUNDTWO_SCREENSHOT_PLAINTEXT") == "1":
        # `make screenshots` runs in a throwaway home on machines without a keychain; the
        # sample recording there may be plaintext (in memory only: the setting is not saved).
        ctx.settings.recording_encryption = "off"

    def schedule(s):  # type: ignore[no-untyped-def]
        job = repo.get_job(s, "internet-product-manager")
        return repo.save(
            s, InterviewSession(candidate_id=candidate_id, job_id=job.id, interviewer="张敏")
        ).id

    sid = ctx.db.write(schedule)
    granted = {ConsentPurpose.RECORDING, ConsentPurpose.AI_CONTENT}
    perm = permissions(load_compliance_profile(ctx.settings.compliance_profile), granted)
    win.open_room(sid, perm)
    win.room.start()
    win.room.notes.setPlainText(
        "去年我负责会员体系改版：访谈了24位用户，发现权益感知弱，于是推动分层权益，"
        "三个月后复购率从18%提升到23%。"
        if lang.startswith("zh")
        else "I led the checkout redesign: I interviewed 20 users, found the coupon step confused "
        "them, removed it, and conversion rose from 2.1% to 2.6% in a month."
    )
    clock = QElapsedTimer()
    clock.start()
    while clock.elapsed() < 3000 or win.room.overlay_boxes < 1:
        QApplication.processEvents()
        time.sleep(0.01)
        if clock.elapsed() > 20000:
            break
    win.room._slow()
    QApplication.processEvents()


def _review(win: MainWindow, session_id: object) -> None:
    """The review of the interview just recorded, a few seconds in, with a frame shown."""
    import time

    from PySide6.QtCore import QElapsedTimer

    shown = win.review.frames_shown  # counts across languages: wait for a new frame
    win.open_review(session_id)  # type: ignore[arg-type]
    clock = QElapsedTimer()
    clock.start()
    win.review.seek(2000)
    while clock.elapsed() < 10000 and win.review.frames_shown <= shown:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roundtwo gui")
    parser.add_argument("--demo", action="store_true", help="load the sample interview first")
    parser.add_argument("--screenshots", type=Path, help="render every screen to PNG and exit")
    parser.add_argument("--size", default="1366x768")
    parser.add_argument(
        "--exit-after-show",
        action="store_true",
        help="print 'shown <peak RSS MB>' once the window is on screen and quit (benchmarks)",
    )
    args = parser.parse_args(argv)
    if args.screenshots and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("RoundTwo")
    early_tr = Translations(app)

    def ask(settings: Settings) -> None:
        early_tr.apply(settings.language)
        ask_passphrase(settings)

    try:
        ctx = open_context(ask_passphrase=ask)
    except RoundTwoError as exc:
        if app.platformName() not in ("offscreen", "minimal"):  # nobody could close it
            QMessageBox.critical(None, "RoundTwo", exc.user_message())
        print(f"roundtwo: error: {exc.user_message()}", file=sys.stderr)  # noqa: T201
        return exc.kind.exit_code
    early_tr.apply("en")  # build_window installs the language's catalogues again
    with ctx:
        if args.demo or args.screenshots:
            prepare_demo(ctx.db)
        win, tr = build_window(ctx, app)
        if args.screenshots:
            w, h = (int(x) for x in args.size.lower().split("x"))
            for p in screenshots(win, tr, args.screenshots, (w, h)):
                print(p)  # noqa: T201
            win.close()
            return 0
        if args.demo:
            with ctx.db.read() as s:
                rows = queries.interviews(s)
            if rows:
                win.open_report(rows[0].session_id)
        win.resize(1366, 768)
        win.show()
        if args.exit_after_show:
            from PySide6.QtCore import QTimer

            def report() -> None:
                print(f"shown {_peak_rss_mb():.0f}", flush=True)  # noqa: T201
                app.quit()

            QTimer.singleShot(0, report)
        return app.exec()


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
