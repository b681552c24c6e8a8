"""Consent step before any capture: what is recorded, what the AI analyses, where data goes
and for how long; one choice per purpose, recorded with the time and the notice version."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.compliance import Permissions, load_compliance_profile, permissions
from app.core.domain import ConsentPurpose
from app.core.errors import RoundTwoError
from app.core.notice import Notice, consent_notice
from app.storage import consent
from app.storage.tables import Candidate, InterviewSession
from app.ui.i18n import Translations
from app.ui.widgets import Page, clear_layout, heading, note


class ConsentPage(Page):
    recorded = Signal(object, object)  # interview uuid, Permissions

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.session_id: uuid.UUID | None = None
        self.candidate_id: uuid.UUID | None = None
        self.notice: Notice | None = None
        self.choices: dict[ConsentPurpose, QCheckBox] = {}
        self.title = heading()
        self.intro = note()
        self.placeholder = note()
        self.body = QWidget()
        self.sections = QVBoxLayout(self.body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        self.record = QPushButton()
        self.status = note()
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(self.placeholder)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.record)
        lay.addWidget(self.status)
        self.record.clicked.connect(self.store)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Consent"))
        self.intro.setText(
            self.tr(
                "Read this with the candidate before anything is recorded. Each purpose is a "
                "separate choice; declining AI analysis still allows a normal interview with notes "
                "and ratings."
            )
        )
        self.placeholder.setText(self.tr("Open an interview from Home (double-click)."))
        self.record.setText(self.tr("Record the candidate's choices"))
        self.show_session(self.session_id)

    def show_session(self, session_id: uuid.UUID | None) -> None:
        self.session_id = session_id
        self.placeholder.setVisible(session_id is None)
        self.record.setEnabled(session_id is not None)
        clear_layout(self.sections)
        self.choices.clear()
        if session_id is None:
            return
        with self.ctx.db.read() as s:
            interview = s.get(InterviewSession, session_id)
            assert interview is not None
            cand = s.get(Candidate, interview.candidate_id)
            self.candidate_id = interview.candidate_id
            already = consent.granted_purposes(s, session_id)
        profile = load_compliance_profile(self.ctx.settings.compliance_profile)
        self.notice = consent_notice(profile, self.i18n.content_lang, self.ctx.settings.hub_url)
        self.title.setText(self.tr("Consent") + f" · {cand.name if cand else ''}")
        for sec in self.notice.sections:
            box = QGroupBox(sec.title)
            inner = QVBoxLayout(box)
            text = QLabel(sec.text)
            text.setWordWrap(True)
            inner.addWidget(text)
            if sec.purpose is not None:
                check = QCheckBox(self.tr("The candidate agrees"))
                check.setChecked(sec.purpose in already)
                inner.addWidget(check)
                self.choices[sec.purpose] = check
            self.sections.addWidget(box)
        self.sections.addStretch(1)
        self.status.setText(self.tr("Notice version %1.").replace("%1", self.notice.version))

    def store(self) -> None:
        if self.session_id is None or self.candidate_id is None or self.notice is None:
            return
        picks = {p: c.isChecked() for p, c in self.choices.items()}
        sid, cid, notice = self.session_id, self.candidate_id, self.notice
        by = self.ctx.settings.user_name or "interviewer"
        try:
            self.ctx.db.write(
                lambda s: consent.record_consent(
                    s,
                    cid,
                    sid,
                    picks,
                    notice_version=notice.version,
                    notice_lang=notice.lang,
                    recorded_by=by,
                )
            )
        except RoundTwoError as exc:
            self.status.setText(exc.user_message())
            return
        profile = load_compliance_profile(self.ctx.settings.compliance_profile)
        perm = permissions(profile, {p for p, ok in picks.items() if ok})
        self.status.setText(self.describe(perm))
        self.recorded.emit(sid, perm)

    def describe(self, perm: Permissions) -> str:
        yes, no = self.tr("yes"), self.tr("no")
        return (
            self.tr(
                "Recorded. Recording: %1 · AI analysis: %2 · camera/voice cues stored: %3 "
                "· sync to hub: %4"
            )
            .replace("%1", yes if perm.record else no)
            .replace("%2", yes if perm.analyse_content else no)
            .replace("%3", yes if perm.store_cues else no)
            .replace("%4", yes if perm.sync else no)
        )
