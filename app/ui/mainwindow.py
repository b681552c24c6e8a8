"""The main window: navigation on the left, pages on the right, banners on top."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.context import AppContext
from app.ui.candidate import CandidatePage
from app.ui.consent import ConsentPage
from app.ui.dashboard import DashboardPage
from app.ui.duplicates import DuplicatesPage
from app.ui.home import HomePage
from app.ui.i18n import Translations
from app.ui.rating import RatingPage
from app.ui.report import ReportPage
from app.ui.review import ReviewPage
from app.ui.room import RoomPage
from app.ui.settings_page import SettingsPage
from app.ui.widgets import banner


class MainWindow(QMainWindow):
    PAGES = (
        "home",
        "candidate",
        "consent",
        "room",
        "rating",
        "report",
        "review",
        "dashboard",
        "duplicates",
        "settings",
    )

    def __init__(self, ctx: AppContext, tr: Translations) -> None:
        super().__init__()
        self.ctx, self.i18n = ctx, tr
        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.home = HomePage(ctx, tr)
        self.candidate = CandidatePage(ctx, tr)
        self.consent = ConsentPage(ctx, tr)
        self.room = RoomPage(ctx, tr)
        self.rating = RatingPage(ctx, tr)
        self.report = ReportPage(ctx, tr)
        self.review = ReviewPage(ctx, tr)
        self.dashboard = DashboardPage(ctx, tr)
        self.duplicates = DuplicatesPage(ctx, tr)
        self.settings_page = SettingsPage(ctx, tr)
        for page in (
            self.home,
            self.candidate,
            self.consent,
            self.room,
            self.rating,
            self.report,
            self.review,
            self.dashboard,
            self.duplicates,
            self.settings_page,
        ):
            self.stack.addWidget(page)
        self.banner = banner()
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        root = QWidget()
        lay = QVBoxLayout(root)
        lay.addWidget(self.banner)
        lay.addLayout(body, 1)
        self.setCentralWidget(root)
        self.data_label = QLabel()
        self.statusBar().addPermanentWidget(self.data_label)

        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.currentRowChanged.connect(self._page_shown)
        self.report.review_requested.connect(self.open_review)
        self.review.ratings_saved.connect(self.rating.show_session)
        self.review.ratings_saved.connect(self.report.show_session)
        self.home.candidate_opened.connect(self.open_candidate)
        self.home.report_opened.connect(self.open_report)
        self.settings_page.language_changed.connect(self.i18n.apply)
        self.settings_page.kiosk_requested.connect(self.open_kiosk)
        self.kiosk: QWidget | None = None
        self.rating.saved.connect(self.report.show_session)
        self.consent.recorded.connect(self.open_room)
        self.room.finished.connect(self.open_report)
        self.rating.saved.connect(lambda _sid: self.dashboard.refresh())
        self.retranslate()
        self.nav.setCurrentRow(0)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("RoundTwo — structured second-round interviews"))
        row = max(self.nav.currentRow(), 0)
        self.nav.blockSignals(True)
        self.nav.clear()
        self.nav.addItems(
            [
                self.tr("Home"),
                self.tr("Candidate"),
                self.tr("Consent"),
                self.tr("Interview"),
                self.tr("Ratings"),
                self.tr("Report"),
                self.tr("Review"),
                self.tr("Dashboard"),
                self.tr("Duplicates"),
                self.tr("Settings"),
            ]
        )
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        self.data_label.setText(
            self.tr("Data: %1 · v%2")
            .replace("%1", str(self.ctx.paths.home))
            .replace("%2", __version__)
        )
        problems = [p.message for p in self.ctx.profile_problems]
        if problems:
            self.banner.setText(
                self.tr("Some job profiles could not be loaded: ") + " | ".join(problems)
            )
            self.banner.show()

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(self.PAGES.index(name))

    def open_room(self, session_id: uuid.UUID, permissions: object) -> None:
        self.room.prepare(session_id, permissions)
        self.show_page("room")

    def _page_shown(self, row: int) -> None:
        if self.stack.widget(row) is self.duplicates:
            self.duplicates.refresh()
        # The review follows the interview open in the report; its media loads only when shown.
        if self.stack.widget(row) is self.review and self.review.session_id != (
            self.report.session_id
        ):
            self.review.show_session(self.report.session_id)

    def open_review(self, session_id: uuid.UUID) -> None:
        if self.report.session_id != session_id:
            self.open_report(session_id)
        self.review.show_session(session_id)
        self.show_page("review")

    def open_kiosk(self, config: object, *, full_screen: bool = True) -> QWidget:
        """The candidate-facing kiosk in its own full-screen window (PIN to leave)."""
        from app.ui.kiosk import KioskWindow

        self.kiosk = KioskWindow(self.ctx, self.i18n, config)  # type: ignore[arg-type]
        self.kiosk.closed.connect(self._kiosk_closed)
        if full_screen:
            self.kiosk.showFullScreen()
        else:
            self.kiosk.show()
        return self.kiosk

    def _kiosk_closed(self) -> None:
        self.kiosk = None
        self.settings_page._queue_label()
        self.home.refresh()

    def closeEvent(self, event: QEvent) -> None:  # noqa: N802
        self.room.shutdown()
        self.review.shutdown()
        super().closeEvent(event)

    def open_candidate(self, candidate_id: uuid.UUID) -> None:
        self.candidate.show_candidate(candidate_id)
        self.show_page("candidate")

    def open_report(self, session_id: uuid.UUID) -> None:
        self.consent.show_session(session_id)
        self.rating.show_session(session_id)
        self.report.show_session(session_id)
        self.show_page("report")
