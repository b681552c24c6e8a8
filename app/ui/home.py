"""Home: today's interviews, candidate search, job filter, sync status and offline indicator."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.storage import queries, repo
from app.ui.i18n import Translations
from app.ui.widgets import Page, cell, heading, note, table


class HomePage(Page):
    candidate_opened = Signal(object)  # uuid.UUID
    report_opened = Signal(object)  # session uuid.UUID

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.title = heading()
        self.sync_state = QLabel()
        self.sync_state.setObjectName("syncState")
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.job_filter = QComboBox()
        self.today_only = QCheckBox()
        self.interviews = table(6)
        self.interviews.setObjectName("interviews")
        self.results_title = heading(size=12)
        self.results = table(5)
        self.results.setObjectName("searchResults")
        self.empty = note()

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.sync_state)
        self.sync_btn = QPushButton()
        self.sync_btn.clicked.connect(self.sync_now)
        top.addWidget(self.sync_btn)
        self.import_btn = QPushButton()
        self.import_btn.clicked.connect(self._ask_import)
        top.addWidget(self.import_btn)
        self.import_msg = note()
        self.import_result: Any = None  # the last import's result dialog, while open
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.job_filter, 2)
        filters.addWidget(self.today_only)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(filters)
        lay.addWidget(self.interviews, 3)
        lay.addWidget(self.empty)
        lay.addWidget(self.import_msg)
        lay.addWidget(self.results_title)
        lay.addWidget(self.results, 2)

        self.search.textChanged.connect(self.refresh_search)
        self.job_filter.currentIndexChanged.connect(self.refresh)
        self.today_only.toggled.connect(self.refresh)
        self.interviews.cellDoubleClicked.connect(self._open_interview)
        self.results.cellDoubleClicked.connect(self._open_candidate)
        self.retranslate()

    # -- language ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Interviews"))
        self.search.setPlaceholderText(
            self.tr("Search candidates: name, phone, e-mail, school, skills…")
        )
        self.today_only.setText(self.tr("Today only"))
        self.interviews.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Candidate"),
                self.tr("Job"),
                self.tr("Interviewer"),
                self.tr("Status"),
                self.tr("Location"),
            ]
        )
        self.results.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Phone"),
                self.tr("E-mail"),
                self.tr("School"),
                self.tr("Skills"),
            ]
        )
        self.results_title.setText(self.tr("Candidates"))
        self._fill_jobs()
        self._show_sync_state()
        self.refresh()
        self.refresh_search()

    def _fill_jobs(self) -> None:
        current = self.job_filter.currentData()
        self.job_filter.blockSignals(True)
        self.job_filter.clear()
        self.job_filter.addItem(self.tr("All jobs"), None)
        lang = self.i18n.content_lang
        with self.ctx.db.read() as s:
            for j in repo.list_jobs(s):
                self.job_filter.addItem(j.title_zh if lang == "zh" else j.title_en, j.slug)
        idx = self.job_filter.findData(current)
        self.job_filter.setCurrentIndex(max(idx, 0))
        self.job_filter.blockSignals(False)

    def _show_sync_state(self) -> None:
        hub = self.ctx.settings.hub_url
        self.sync_btn.setText(self.tr("Sync now"))
        self.import_btn.setText(self.tr("Import legacy file…"))
        self.sync_btn.setVisible(bool(hub))
        if not hub:
            self.sync_state.setText("● " + self.tr("Offline: everything stays on this laptop"))
            self.sync_state.setStyleSheet("color: #8a5a00; font-weight: 600;")
        else:
            self.sync_state.setText("● " + self.tr("Hub: %1 (not synced yet)").replace("%1", hub))
            self.sync_state.setStyleSheet("color: #1a7f37; font-weight: 600;")

    def sync_now(self) -> object:
        """Push and pull with the hub on a worker thread, with progress and Cancel (stops
        between batches/pages; what was already exchanged stays committed)."""
        from app.sync.client import CredentialStore, HubClient
        from app.sync.engine import Syncer
        from app.ui.work import run_long

        hub = self.ctx.settings.hub_url
        if not hub:
            return None
        store = CredentialStore(self.ctx.paths.home)

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            with HubClient(hub, credentials=store.load(hub), store=store) as client:
                return Syncer(
                    self.ctx.db,
                    client,
                    progress=lambda _phase, done, total: progress(done, total),
                    home=self.ctx.paths.home,
                    cancel=cancel,
                ).run()

        task = run_long(self, self.tr("Syncing with the hub…"), work)
        if task.cancelled:
            self.sync_state.setText("● " + self.tr("Sync stopped; the rest stays queued."))
        elif task.error is not None:
            self.sync_state.setText("● " + task.error.user_message())
        else:
            self.sync_state.setText(
                "● "
                + self.tr("Synced: %1 sent, %2 received")
                .replace("%1", str(task.result.pushed))
                .replace("%2", str(task.result.pulled))
            )
            self.refresh()
        return task

    def _ask_import(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QInputDialog

        from app.migrate.mapping import ENTITIES

        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import legacy file"),
            "",
            self.tr("Spreadsheets and CSV (*.xlsx *.xls *.csv *.txt)"),
        )
        if not path:
            return
        names = {
            "candidates": self.tr("Candidates"),
            "jobs": self.tr("Jobs"),
            "interviews": self.tr("Interview records"),
            "training": self.tr("Training records"),
        }
        choice, ok = QInputDialog.getItem(
            self,
            self.tr("Import legacy file"),
            self.tr("The file holds"),
            [names.get(e, e) for e in ENTITIES],
            0,
            False,
        )
        if not ok:
            return
        entity = next(e for e in ENTITIES if names.get(e, e) == choice)
        dialog = self.mapping_dialog(Path(path), entity)
        if dialog is not None and dialog.exec():
            self.import_legacy(Path(path), entity, dialog.mapping())

    def mapping_dialog(self, path: Path, entity: str) -> Any:
        """The wizard's column step; None (with the reason shown) when the file cannot be read."""
        from app.core.errors import RoundTwoError
        from app.ui.mapping_dialog import MappingDialog

        try:
            return MappingDialog(path, entity, self, lang=self.i18n.content_lang)
        except RoundTwoError as exc:
            self.import_msg.setText(exc.user_message())
            return None

    def import_legacy(self, path: Path, entity: str, mapping: Any = None) -> object:
        """Import a legacy file with progress and Cancel; a cancelled import changes nothing
        (the importer writes everything in one transaction)."""
        from app.migrate.importer import import_file
        from app.ui.work import run_long

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            return import_file(
                self.ctx.db,
                path,
                entity,
                mapping=mapping,
                progress=lambda _phase, done, total: progress(done, total),
                cancel=cancel,
            )

        task = run_long(self, self.tr("Importing %1…").replace("%1", path.name), work)
        if task.cancelled:
            self.import_msg.setText(self.tr("Import cancelled; nothing was changed."))
        elif task.error is not None:
            self.import_msg.setText(task.error.user_message())
        else:
            counts = task.result.counts
            text = (
                self.tr("Imported %1: %2 new, %3 merged, %4 rows rejected.")
                .replace("%1", path.name)
                .replace("%2", str(counts.get("created", 0)))
                .replace("%3", str(counts.get("merged", 0)))
                .replace("%4", str(len(task.result.rejected)))
            )
            if counts.get("review"):
                text += " " + self.tr(
                    "%1 possible duplicate pair(s) wait for you under Duplicates."
                ).replace("%1", str(counts["review"]))
            if "linked" in counts:
                text += " " + self.tr(
                    "%1 linked to stored candidates; %2 not linked (no stored candidate "
                    "matches surely enough: add a phone or e-mail to those rows and import "
                    "the file again)."
                ).replace("%1", str(counts["linked"])).replace("%2", str(counts["unlinked"]))
            if task.result.unknown_jobs:
                text += " " + self.tr("Job titles no profile has: %1.").replace(
                    "%1", ", ".join(j["title"] for j in task.result.unknown_jobs[:5])
                )
            self.import_msg.setText(text)
            self.refresh()
            self.refresh_search()
            self.show_import_result(task.result)
        return task

    def show_import_result(self, report: Any) -> Any:
        """The wizard's last step: every rejected, corrected, flagged and unlinked row."""
        from PySide6.QtCore import Qt

        from app.ui.import_result import ImportResultDialog

        if self.import_result is not None:
            self.import_result.close()
        dialog = ImportResultDialog(report, self, lang=self.i18n.content_lang)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _o=None: setattr(self, "import_result", None))
        self.import_result = dialog
        dialog.show()
        return dialog

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        lang = self.i18n.content_lang
        day = dt.datetime.now().astimezone().date() if self.today_only.isChecked() else None
        with self.ctx.db.read() as s:
            rows = queries.interviews(
                s,
                job_slug=self.job_filter.currentData(),
                day=day,
                tz=dt.datetime.now().astimezone().tzinfo,
            )
        status_text = {
            "scheduled": self.tr("Scheduled"),
            "in_progress": self.tr("In progress"),
            "completed": self.tr("Completed"),
            "interrupted": self.tr("Interrupted"),
            "cancelled": self.tr("Cancelled"),
        }
        self.interviews.setRowCount(len(rows))
        for i, r in enumerate(rows):
            when = r.scheduled_at.astimezone().strftime("%Y-%m-%d %H:%M") if r.scheduled_at else ""
            self.interviews.setItem(i, 0, cell(when, r.session_id))
            self.interviews.setItem(i, 1, cell(r.candidate_name, r.candidate_id))
            self.interviews.setItem(i, 2, cell(r.job_title_zh if lang == "zh" else r.job_title_en))
            self.interviews.setItem(i, 3, cell(r.interviewer))
            self.interviews.setItem(i, 4, cell(status_text.get(r.status, r.status)))
            self.interviews.setItem(i, 5, cell(r.location or ""))
        self.interviews.resizeColumnsToContents()
        self.empty.setText(
            ""
            if rows
            else self.tr(
                "No interviews match. Interviews arrive from the hub at "
                "the next sync, or run `roundtwo demo` for a sample."
            )
        )
        self.empty.setVisible(not rows)

    def refresh_search(self) -> None:
        with self.ctx.db.read() as s:
            found = repo.search_candidates(s, self.search.text(), limit=100)
        self.results.setRowCount(len(found))
        for i, c in enumerate(found):
            self.results.setItem(i, 0, cell(c.name, c.id))
            self.results.setItem(i, 1, cell(c.phone or ""))
            self.results.setItem(i, 2, cell(c.email or ""))
            self.results.setItem(i, 3, cell(c.school or ""))
            self.results.setItem(i, 4, cell(", ".join(c.skills)))
        self.results.resizeColumnsToContents()

    def _open_interview(self, row: int, _col: int) -> None:
        item = self.interviews.item(row, 0)
        if item is not None:
            self.report_opened.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_candidate(self, row: int, _col: int) -> None:
        item = self.results.item(row, 0)
        if item is not None:
            self.candidate_opened.emit(item.data(Qt.ItemDataRole.UserRole))


__all__ = ["HomePage", "uuid"]
