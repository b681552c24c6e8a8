"""Rating panel: BARS anchors per competency, the interviewer's level and note; the AI
suggestion beside it only after the interview (or live when settings allow)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import select

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.core.jobprofile import JobProfile
from app.storage import ratings, repo
from app.storage.tables import AISuggestion, InterviewSession
from app.ui.i18n import Translations
from app.ui.widgets import Page, heading, note

NOT_RATED = -1


class CompetencyRating(QGroupBox):
    """One competency: anchors on the left, level + note, AI suggestion underneath."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.anchors = QLabel()
        self.anchors.setWordWrap(True)
        self.level = QSpinBox()
        self.level.setRange(NOT_RATED, 10)
        self.level.setSpecialValueText("—")
        self.level.setValue(NOT_RATED)
        self.note = QLineEdit()
        self.ai = note()
        self.level_label, self.note_label = QLabel(), QLabel()
        grid = QGridLayout(self)
        grid.addWidget(self.anchors, 0, 0, 1, 4)
        grid.addWidget(self.level_label, 1, 0)
        grid.addWidget(self.level, 1, 1)
        grid.addWidget(self.note_label, 1, 2)
        grid.addWidget(self.note, 1, 3)
        grid.addWidget(self.ai, 2, 0, 1, 4)
        grid.setColumnStretch(3, 1)


class RatingPage(Page):
    saved = Signal(object)  # interview uuid

    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.session_id: uuid.UUID | None = None
        self.profile: JobProfile | None = None
        self.rows: dict[str, CompetencyRating] = {}
        self.title = heading()
        self.who = note()
        self.placeholder = note()
        self.save = QPushButton()
        self.message = note()
        self.container = QWidget()
        self.list = QVBoxLayout(self.container)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.container)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.who)
        lay.addWidget(self.placeholder)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.save)
        lay.addWidget(self.message)
        self.save.clicked.connect(self.store)
        self.retranslate()

    @property
    def rater(self) -> str:
        return self.ctx.settings.user_name.strip() or self.tr("Interviewer")

    def retranslate(self) -> None:
        self.title.setText(self.tr("Ratings"))
        self.save.setText(self.tr("Save ratings"))
        self.placeholder.setText(self.tr("Open an interview from Home (double-click)."))
        self.show_session(self.session_id)

    def show_session(self, session_id: uuid.UUID | None) -> None:
        self.session_id = session_id
        self.placeholder.setVisible(session_id is None)
        self.save.setEnabled(session_id is not None)
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        if session_id is None:
            self.who.setText("")
            return
        lang = self.i18n.content_lang
        with self.ctx.db.read() as s:
            interview = s.get(InterviewSession, session_id)
            assert interview is not None
            job = repo.get_job_by_id(s, interview.job_id)
            self.profile = repo.job_profile(job)
            mine = ratings.ratings_by(s, session_id, self.rater)
            ai = {
                a.competency_key: a
                for a in s.exec(
                    select(AISuggestion).where(AISuggestion.session_id == session_id)
                ).all()
            }
            ended = interview.ended_at is not None
        show_ai = ended or self.ctx.settings.show_ai_live
        self.who.setText(
            self.tr(
                "Rating as %1. The BARS anchors describe what each level "
                "looks like; pick the level the evidence supports."
            ).replace("%1", self.rater)
        )
        for c in self.profile.competencies:
            row = CompetencyRating(c.id)
            weight, bar = self.tr("weight"), self.tr("bar")
            row.setTitle(
                f"{c.name.get(lang)}  ·  {weight} {c.weight:.0%}  ·  {bar} ≥ {c.required_level}"
            )
            row.anchors.setText(
                "\n".join(f"{lv}: {a.get(lang)}" for lv, a in sorted(c.anchors.items()))
            )
            row.level_label.setText(self.tr("Level"))
            row.note_label.setText(self.tr("Note"))
            if c.id in mine:
                row.level.setValue(mine[c.id].level)
                row.note.setText(mine[c.id].note)
            row.ai.setText(self._ai_text(ai.get(c.id), show_ai, row.level.value()))
            self.rows[c.id] = row
            self.list.addWidget(row)

    def _ai_text(self, s: AISuggestion | None, show: bool, mine: int) -> str:
        if not show:
            return self.tr("AI suggestion hidden until the interview ends (avoids anchoring).")
        if s is None:
            return self.tr("AI suggestion: none for this competency.")
        if s.level is None:
            return self.tr("AI suggestion: insufficient evidence.")
        text = (
            self.tr("AI suggestion: %1 (confidence %2)")
            .replace("%1", f"{s.level:g}")
            .replace("%2", f"{s.confidence:.0%}")
        )
        quotes = [str(e.get("quote", "")) for e in s.evidence[:2] if e.get("quote")]
        if quotes:
            text += " — " + " / ".join(f"“{q}”" for q in quotes)
        if mine != NOT_RATED and abs(mine - s.level) >= 2:
            text += "  ⚑ " + self.tr("differs from your rating by 2+ levels")
        return text

    def store(self) -> None:
        if self.session_id is None:
            return
        sid, rater = self.session_id, self.rater
        picked = [
            (k, r.level.value(), r.note.text().strip())
            for k, r in self.rows.items()
            if r.level.value() != NOT_RATED
        ]

        def write(s):  # type: ignore[no-untyped-def]
            for key, level, text in picked:
                ratings.save_rating(s, sid, key, rater, level, text)

        try:
            self.ctx.db.write(write)
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return
        self.message.setText(self.tr("Saved %1 ratings.").replace("%1", str(len(picked))))
        self.show_session(sid)
        self.saved.emit(sid)
