"""Dashboard for a job: level distribution, candidates ranked by match %, funnel; exports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.reports.dashboard import Dashboard, export, job_dashboard
from app.storage import repo
from app.ui.i18n import Translations
from app.ui.widgets import Page, cell, heading, note, pixmap_from_png, table


class DashboardPage(Page):
    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.data: Dashboard | None = None
        self.title = heading()
        self.job = QComboBox()
        self.export_csv = QPushButton()
        self.export_xlsx = QPushButton()
        self.ranking = table(5)
        self.ranking.setObjectName("ranking")
        self.distribution = QLabel()
        self.funnel = QLabel()
        self.message = note()
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.job)
        top.addWidget(self.export_csv)
        top.addWidget(self.export_xlsx)
        charts_row = QHBoxLayout()
        charts_row.addWidget(self.distribution)
        charts_row.addWidget(self.funnel)
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addLayout(top)
        lay.addWidget(self.ranking)
        lay.addLayout(charts_row)
        lay.addWidget(self.message)
        lay.addStretch(1)
        self.set_scrolled(inner)
        self.job.currentIndexChanged.connect(self.refresh)
        self.export_csv.clicked.connect(lambda: self._export(".csv"))
        self.export_xlsx.clicked.connect(lambda: self._export(".xlsx"))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Dashboard"))
        self.export_csv.setText(self.tr("Export CSV"))
        self.export_xlsx.setText(self.tr("Export Excel"))
        self.ranking.setHorizontalHeaderLabels(
            [
                self.tr("Rank"),
                self.tr("Candidate"),
                self.tr("Match %"),
                self.tr("Meets threshold"),
                self.tr("Below the bar in"),
            ]
        )
        current = self.job.currentData()
        self.job.blockSignals(True)
        self.job.clear()
        zh = self.i18n.content_lang == "zh"
        with self.ctx.db.read() as s:
            for j in repo.list_jobs(s):
                self.job.addItem(j.title_zh if zh else j.title_en, j.slug)
        if current is None:
            with self.ctx.db.read() as s:
                from app.storage import queries

                rows = queries.interviews(s, limit=1)
            current = rows[0].job_slug if rows else None
        self.job.setCurrentIndex(max(self.job.findData(current), 0))
        self.job.blockSignals(False)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if getattr(self, "_charts_stale", False):
            self._draw_charts()
        super().showEvent(event)

    def _draw_charts(self) -> None:
        from app.reports import charts

        self._charts_stale = False
        d, lang = self.data, self.i18n.content_lang
        if d is None:
            return
        self.distribution.setPixmap(pixmap_from_png(charts.distribution_png(d, lang)))
        self.funnel.setPixmap(pixmap_from_png(charts.funnel_png(d, lang)))

    def refresh(self) -> None:
        slug = self.job.currentData()
        if slug is None:
            return
        with self.ctx.db.read() as s:
            self.data = d = job_dashboard(s, slug)
        lang = self.i18n.content_lang
        names = {k: (zh if lang == "zh" else en) for k, zh, en, _ in d.competencies}
        self.ranking.setRowCount(len(d.ranking))
        for i, r in enumerate(d.ranking):
            self.ranking.setItem(i, 0, cell(i + 1, align_right=True))
            self.ranking.setItem(i, 1, cell(r.candidate, r.session_id))
            self.ranking.setItem(
                i, 2, cell("—" if r.match is None else f"{r.match:.1f}", align_right=True)
            )
            self.ranking.setItem(i, 3, cell({True: "✔", False: "✘", None: "—"}[r.meets_threshold]))
            self.ranking.setItem(i, 4, cell(", ".join(names[k] for k in r.below_bar)))
        self.ranking.resizeColumnsToContents()
        # matplotlib loads slowly: charts are drawn when the page is first seen, not at start.
        self._charts_stale = True
        if self.isVisible():
            self._draw_charts()
        self.message.setText(
            self.tr("%1 interviews rated for this job.").replace("%1", str(len(d.ranking)))
        )

    def _export(self, suffix: str, path: Path | None = None) -> Path | None:
        if self.data is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export"), f"{self.data.job_slug}{suffix}", f"*{suffix}"
            )
            if not chosen:
                return None
            path = Path(chosen)
        try:
            out = export(self.data, path, self.i18n.content_lang)
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return None
        self.message.setText(self.tr("Exported to %1").replace("%1", str(out)))
        return out
