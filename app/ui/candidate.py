"""Candidate view: résumé, round-1 results and notes, and the job's competency model."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.migrate.legacy import HistoryItem
from app.scoring.tailored import tailored_probes
from app.storage import queries
from app.ui.i18n import Translations
from app.ui.widgets import Page, cell, heading, note, table

EDUCATION = {
    "high_school": ("高中", "High school"),
    "associate": ("大专", "Associate"),
    "bachelor": ("本科", "Bachelor"),
    "master": ("硕士", "Master"),
    "doctorate": ("博士", "Doctorate"),
    "other": ("其他", "Other"),
}


class CandidatePage(Page):
    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.candidate_id: uuid.UUID | None = None
        self.name = heading()
        self.placeholder = note()
        self.resume_box = QGroupBox()
        self.resume = QFormLayout(self.resume_box)
        self.round1_box = QGroupBox()
        self.round1 = QFormLayout(self.round1_box)
        self.history_box = QGroupBox()
        self.history = table(4)
        self.history.setObjectName("history")
        QVBoxLayout(self.history_box).addWidget(self.history)
        self.probes_box = QGroupBox()
        self.probes = QLabel()
        self.probes.setWordWrap(True)
        self.probes.setObjectName("tailoredProbes")
        QVBoxLayout(self.probes_box).addWidget(self.probes)
        self.model_box = QGroupBox()
        self.model = table(4)
        self.model.setObjectName("competencyModel")
        QVBoxLayout(self.model_box).addWidget(self.model)

        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.addWidget(self.name)
        lay.addWidget(self.placeholder)
        row = QHBoxLayout()
        row.addWidget(self.resume_box, 3)
        row.addWidget(self.round1_box, 2)
        lay.addLayout(row)
        lay.addWidget(self.history_box)
        lay.addWidget(self.probes_box)
        lay.addWidget(self.model_box, 1)
        self.set_scrolled(inner)
        self.retranslate()

    def retranslate(self) -> None:
        self.resume_box.setTitle(self.tr("Résumé"))
        self.round1_box.setTitle(self.tr("Round 1"))
        self.model_box.setTitle(self.tr("Competency model"))
        self.history_box.setTitle(self.tr("Earlier interviews and training (imported)"))
        self.probes_box.setTitle(self.tr("Probes for this candidate"))
        self.history.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Kind"), self.tr("Record"), self.tr("Notes")]
        )
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Competency"),
                self.tr("Weight"),
                self.tr("Bar"),
                self.tr("What level 8 looks like"),
            ]
        )
        self.placeholder.setText(self.tr("Open a candidate from Home (double-click)."))
        self.show_candidate(self.candidate_id)

    def show_candidate(self, candidate_id: uuid.UUID | None) -> None:
        self.candidate_id = candidate_id
        self.placeholder.setVisible(candidate_id is None)
        for box in (
            self.resume_box,
            self.round1_box,
            self.history_box,
            self.probes_box,
            self.model_box,
        ):
            box.setVisible(candidate_id is not None)
        if candidate_id is None:
            self.name.setText(self.tr("Candidate"))
            return
        zh = self.i18n.content_lang == "zh"
        with self.ctx.db.read() as s:
            d = queries.candidate_detail(s, candidate_id)
            brief = queries.candidate_brief(s, candidate_id, d.history)
        self.ctx.audit("view", "candidate", candidate_id, {"via": "gui"}, once=True)
        self.name.setText(d.name)
        for form in (self.resume, self.round1):
            while form.rowCount():
                form.removeRow(0)
        edu = EDUCATION.get(
            d.education_level or "", (d.education_level or "", d.education_level or "")
        )
        fields = [
            (self.tr("Phone"), d.phone),
            (self.tr("E-mail"), d.email),
            (self.tr("City"), d.city),
            (
                self.tr("Education"),
                f"{edu[0] if zh else edu[1]} · {d.school or ''} · {d.major or ''}",
            ),
            (
                self.tr("Experience"),
                f"{d.years_experience:g}" + self.tr(" years")
                if d.years_experience is not None
                else "",
            ),
            (self.tr("Skills"), ", ".join(d.skills)),
            (self.tr("Career goal"), d.career_goal),
        ]
        for e in d.experience:
            fields.append(
                (
                    self.tr("Work"),
                    f"{e.get('start', '')}–{e.get('end', '')} "
                    f"{e.get('company', '')} · {e.get('title', '')}",
                )
            )
        for p in d.projects:
            fields.append(
                (
                    self.tr("Project"),
                    f"{p.get('name', '')} ({p.get('role', '')}): {p.get('outcome', '')}",
                )
            )
        for label, value in fields:
            v = QLabel(str(value or "—"))
            v.setWordWrap(True)
            self.resume.addRow(label, v)
        profile = None
        for app in d.applications:
            title = app["job_title_zh"] if zh else app["job_title_en"]
            passed = {True: self.tr("passed"), False: self.tr("not passed"), None: "—"}[
                app["round1_passed"]
            ]
            self.round1.addRow(self.tr("Job"), QLabel(title))
            self.round1.addRow(self.tr("Score"), QLabel(f"{app['round1_score']} ({passed})"))
            notes = QLabel(app["round1_notes"] or "—")
            notes.setWordWrap(True)
            self.round1.addRow(self.tr("Notes"), notes)
            for k, v in app["round1_detail"].items():
                self.round1.addRow(str(k), QLabel(str(v)))
            profile = app["profile"]
        self._show_history(d.history)
        probes = tailored_probes(profile, brief, self.i18n.content_lang) if profile else []
        self.probes_box.setVisible(bool(probes))
        self.probes.setText(
            "\n".join(
                f"• {p.text}\n    "
                + self.tr("from %1: %2")
                .replace("%1", self._source(p.source))
                .replace("%2", p.basis)
                for p in probes
            )
        )
        if profile is None:
            self.model.setRowCount(0)
            return
        self.model.setRowCount(len(profile.competencies))
        for i, c in enumerate(profile.competencies):
            self.model.setItem(i, 0, cell(c.name.get("zh" if zh else "en")))
            self.model.setItem(i, 1, cell(f"{c.weight:.0%}", align_right=True))
            self.model.setItem(i, 2, cell(f"≥ {c.required_level}", align_right=True))
            self.model.setItem(i, 3, cell(c.anchors[8].get("zh" if zh else "en")))
        self.model.resizeColumnToContents(0)
        self.model.resizeRowsToContents()

    def _source(self, source: str) -> str:
        return {
            "project": self.tr("the résumé"),
            "round1": self.tr("round-1 notes"),
            "training": self.tr("training history"),
        }.get(source, source)

    def _show_history(self, items: list[HistoryItem]) -> None:
        self.history_box.setVisible(bool(items))
        self.history.setRowCount(len(items))
        for i, h in enumerate(items):
            kind = self.tr("Interview") if h.entity == "interviews" else self.tr("Training")
            self.history.setItem(i, 0, cell(h.date))
            self.history.setItem(i, 1, cell(kind))
            self.history.setItem(i, 2, cell(h.line.removeprefix(h.date).strip(" ·")))
            self.history.setItem(i, 3, cell(h.notes))
        self.history.resizeColumnsToContents()
        self.history.resizeRowsToContents()
        # As tall as its rows (up to eight): the page scrolls, not the table.
        shown = min(len(items), 8)
        rows = sum(self.history.rowHeight(i) for i in range(shown))
        frame = 2 * self.history.frameWidth()
        self.history.setFixedHeight(self.history.horizontalHeader().height() + rows + frame + 2)
