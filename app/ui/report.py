"""Report: interviewer levels against the bar, AI beside them, match %, charts, gaps."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.reports.pdf import ReportData, clock, gather, unique_quotes, write_json, write_pdf
from app.reports.summary import InterviewSummary
from app.ui.i18n import Translations
from app.ui.widgets import Page, cell, heading, note, pixmap_from_png, table
from app.ui.work import run_long


class ReportPage(Page):
    review_requested = Signal(object)  # interview uuid

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.session_id: uuid.UUID | None = None
        self.summary: InterviewSummary | None = None
        self.title = heading()
        self.match = heading(size=13)
        self.match.setObjectName("matchPercent")
        self.placeholder = note()
        self.lines = table(5)
        self.lines.setObjectName("reportLines")
        self.gaps = note()
        self.evidence_title = heading(size=12)
        self.evidence = QLabel()
        self.evidence.setWordWrap(True)
        self.evidence.setTextFormat(Qt.TextFormat.RichText)
        self.evidence.setObjectName("evidence")
        self.advisory = note()
        self.radar = QLabel()
        self.bars = QLabel()
        for img in (self.radar, self.bars):
            img.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pdf_btn, self.json_btn = QPushButton(), QPushButton()
        self.review_btn = QPushButton()
        self.review_btn.clicked.connect(
            lambda: self.session_id and self.review_requested.emit(self.session_id)
        )
        self.pdf_btn.setObjectName("exportPdf")
        self.export_msg = note()
        self.pdf_btn.clicked.connect(lambda: self._ask_export(".pdf"))
        self.json_btn.clicked.connect(lambda: self._ask_export(".json"))

        inner = QWidget()
        lay = QVBoxLayout(inner)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.review_btn)
        head.addWidget(self.pdf_btn)
        head.addWidget(self.json_btn)
        lay.addLayout(head)
        lay.addWidget(self.export_msg)
        lay.addWidget(self.placeholder)
        lay.addWidget(self.match)
        lay.addWidget(self.lines)
        lay.addWidget(self.gaps)
        lay.addWidget(self.evidence_title)
        lay.addWidget(self.evidence)
        charts_row = QHBoxLayout()
        charts_row.addWidget(self.radar)
        charts_row.addWidget(self.bars)
        lay.addLayout(charts_row)
        lay.addWidget(self.advisory)
        lay.addStretch(1)
        self.set_scrolled(inner)
        self.retranslate()

    def retranslate(self) -> None:
        self.lines.setHorizontalHeaderLabels(
            [
                self.tr("Competency"),
                self.tr("Interviewers"),
                self.tr("Bar"),
                self.tr("AI suggestion"),
                self.tr("Result"),
            ]
        )
        self.placeholder.setText(self.tr("Open an interview from Home (double-click)."))
        self.review_btn.setText(self.tr("Review recording…"))
        self.pdf_btn.setText(self.tr("Export PDF…"))
        self.json_btn.setText(self.tr("Export JSON…"))
        self.advisory.setText(
            self.tr(
                "AI suggestions are advisory and shown after the interview; the interviewers' "
                "ratings are the decision. Nobody is rejected automatically."
            )
        )
        self.show_session(self.session_id)

    def show_session(self, session_id: uuid.UUID | None) -> None:
        self.session_id = session_id
        has = session_id is not None
        self.placeholder.setVisible(not has)
        for w in (
            self.match,
            self.lines,
            self.gaps,
            self.radar,
            self.bars,
            self.advisory,
            self.evidence_title,
            self.evidence,
            self.pdf_btn,
            self.json_btn,
            self.review_btn,
        ):
            w.setVisible(has)
        self.export_msg.clear()
        if session_id is None:
            self.title.setText(self.tr("Report"))
            return
        with self.ctx.db.read() as s:
            data = gather(s, session_id)  # summary, notes and evidence in one read
        self.ctx.audit("view", "interviewsession", session_id, {"via": "gui"}, once=True)
        summary = data.summary
        self.summary = summary
        zh = self.i18n.content_lang == "zh"
        self.title.setText(
            f"{summary.candidate_name} · {summary.job_title_zh if zh else summary.job_title_en}"
        )
        m = summary.match
        if m is None:
            self.match.setText(self.tr("Job match: no ratings yet"))
        else:
            met = m >= summary.match_threshold
            self.match.setText(
                self.tr("Job match: %1% (threshold %2%)")
                .replace("%1", f"{m:.1f}")
                .replace("%2", f"{summary.match_threshold:.0f}")
                + ("  ✔" if met else "  ✘")
            )
            self.match.setStyleSheet("color: %s;" % ("#1a7f37" if met else "#b42318"))
        self.lines.setRowCount(len(summary.lines))
        for i, c in enumerate(summary.lines):
            lv = "—" if c.interviewer_level is None else f"{c.interviewer_level:g}"
            ai = "—" if c.ai_level is None else f"{c.ai_level:g}"
            verdict = {
                True: self.tr("meets the bar"),
                False: self.tr("below the bar"),
                None: self.tr("not rated"),
            }[c.meets_bar]
            if c.disagreement:
                verdict += "  ⚑ " + self.tr("AI differs by 2+ levels")
            self.lines.setItem(i, 0, cell(c.name_zh if zh else c.name_en))
            self.lines.setItem(i, 1, cell(lv, align_right=True))
            self.lines.setItem(i, 2, cell(f"≥ {c.required_level}", align_right=True))
            self.lines.setItem(i, 3, cell(ai, align_right=True))
            self.lines.setItem(i, 4, cell(verdict))
        self.lines.resizeColumnsToContents()
        self.lines.setMinimumHeight(
            self.lines.horizontalHeader().height()
            + 4
            + sum(self.lines.rowHeight(r) for r in range(self.lines.rowCount()))
        )
        if summary.gaps:
            self.gaps.setText(
                self.tr("Training gaps (most consequential first): ")
                + ", ".join(
                    f"{c.name_zh if zh else c.name_en} {c.interviewer_level:g} → {c.required_level}"
                    for c in summary.gaps
                )
            )
        else:
            self.gaps.setText(self.tr("No gaps against the job's bars."))
        self._show_evidence(data, zh)
        from app.reports import charts  # matplotlib: loaded with the first report, not at start

        lang = "zh" if zh else "en"
        self.radar.setPixmap(pixmap_from_png(charts.radar_png(summary, lang)))
        self.bars.setPixmap(pixmap_from_png(charts.bars_png(summary, lang)))

    def _show_evidence(self, data: ReportData, zh: bool) -> None:
        """Every AI suggestion with the quotes (and times) behind it, and the raters' notes."""
        from html import escape

        self.evidence_title.setText(self.tr("Evidence behind the suggestions"))
        parts = []
        for c in data.summary.lines:
            quotes = unique_quotes(data.evidence.get(c.key, []))[:3]
            notes = [n for n in data.notes.get(c.key, []) if n[2]]
            if not quotes and not notes:
                continue
            items = []
            for e in quotes:
                mmss = clock(e.get("start_ms"))
                stamp = f" [{mmss}]" if mmss else ""
                items.append(f"“{escape(str(e.get('quote', '')))}”{stamp}")
            items += [f"{escape(r)} ({lv}): {escape(n)}" for r, lv, n in notes]
            name = escape(c.name_zh if zh else c.name_en)
            parts.append(f"<p><b>{name}</b><br>" + "<br>".join(items) + "</p>")
        self.evidence.setText("".join(parts) or self.tr("No evidence recorded yet."))

    # --- export -----------------------------------------------------------------------------
    def _ask_export(self, suffix: str) -> None:
        if self.session_id is None:
            return
        name = f"report-{str(self.session_id)[:8]}{suffix}"
        filt = self.tr("PDF (*.pdf)") if suffix == ".pdf" else self.tr("JSON (*.json)")
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export report"), str(Path.home() / name), filt
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> Path | None:
        """The report as PDF (Chinese font embedded) or JSON, chosen by the file suffix; the
        PDF is made on a worker thread under a progress dialog with Cancel."""
        if self.session_id is None:
            return None
        lang = "zh" if self.i18n.content_lang == "zh" else "en"
        sid = self.session_id

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            with self.ctx.db.read() as s:
                data = gather(s, sid)
            if path.suffix.lower() == ".json":
                write_json(data, path)
            else:
                write_pdf(data, path, lang, progress=progress, cancel=cancel)
            return path

        task = run_long(self, self.tr("Exporting the report…"), work)
        if task.cancelled:
            self.export_msg.setText(self.tr("Export cancelled; nothing was written."))
            return None
        if task.error is not None:
            self.export_msg.setText(task.error.user_message())
            return None
        # The format only: the file name is the user's and may carry the candidate's name.
        self.ctx.audit(
            "export", "interviewsession", sid, {"via": "gui", "format": path.suffix.lower()[1:]}
        )
        self.export_msg.setText(self.tr("Saved %1").replace("%1", str(path)))
        return path
