"""Start the desktop app (`roundtwo gui`), or render every screen to PNG for review."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.context import AppContext, open_context
from app.core.errors import RoundTwoError
from app.samples import prepare_demo
from app.storage import queries
from app.ui.i18n import Translations
from app.ui.mainwindow import MainWindow


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
        for name in MainWindow.PAGES:
            win.show_page(name)
            QApplication.processEvents()
            path = out / f"{name}-{lang}.png"
            win.grab().save(str(path))
            written.append(path)
    return written


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
    try:
        ctx = open_context()
    except RoundTwoError as exc:
        QMessageBox.critical(None, "RoundTwo", exc.user_message())
        print(f"roundtwo: error: {exc.user_message()}", file=sys.stderr)  # noqa: T201
        return exc.kind.exit_code
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
