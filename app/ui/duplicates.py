"""The import wizard's review queue: records an import could not be sure about, side by side;
the person merges them or keeps them apart (nothing below the auto-merge bar is joined by the
machine). Uses app.migrate.review (the same core the tests and any other front end use)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import RoundTwoError
from app.ui.candidate import EDUCATION
from app.ui.i18n import Translations
from app.ui.widgets import Page, cell, field_label, heading, note, table

if TYPE_CHECKING:
    # Imported when the page is used: the linkage stack (NumPy, jellyfish, pypinyin) would
    # add to the app's cold start.
    from app.migrate.review import Decision, ReviewView

_DIFFERS = QColor("#fff1c2")


def _show(value: Any, field: str, lang: str) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "education_level" and value in EDUCATION:
        zh, en = EDUCATION[value]
        return zh if lang == "zh" else en
    if field == "experience" and isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                span = f"{item.get('start') or '?'}–{item.get('end') or '…'}"
                parts.append(f"{span} {item.get('text') or ''}".strip())
            else:
                parts.append(str(item))
        return "\n".join(parts)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _rows(rows: list[tuple[str, int]]) -> str:
    return ", ".join(f"{sheet}!{row}" for sheet, row in rows) or "—"


class DuplicatesPage(Page):
    def __init__(self, ctx: AppContext, tr: Translations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.i18n = ctx, tr
        self.items: list[ReviewView] = []
        self.title = heading()
        self.intro = note()
        self.count = QLabel()
        self.count.setObjectName("duplicatesCount")
        self.pairs = table(3)
        self.pairs.setObjectName("duplicatePairs")
        self.pairs.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.pairs.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.pairs.currentCellChanged.connect(lambda row, *_: self._show_pair(row))
        self.fields = table(3)
        self.fields.setObjectName("duplicateFields")
        self.fields.setWordWrap(True)
        self.message = note()
        self.message.setObjectName("duplicatesMessage")
        self.merge_button = QPushButton()
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.clicked.connect(lambda: self._decide_by_name("MERGE"))
        self.apart_button = QPushButton()
        self.apart_button.setObjectName("keepApartButton")
        self.apart_button.clicked.connect(lambda: self._decide_by_name("KEEP_APART"))

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addWidget(self.fields, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.apart_button)
        buttons.addStretch(1)
        rlay.addLayout(buttons)
        rlay.addWidget(self.message)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.pairs)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.intro)
        lay.addWidget(self.count)
        lay.addWidget(split, 1)
        self.retranslate()

    # -- text ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title.setText(self.tr("Possible duplicates from imports"))
        self.intro.setText(
            self.tr(
                "These imported records may be the same person, but not surely enough to join "
                "them without you. Compare them side by side: Merge keeps record A and moves "
                "the rows, interviews and missing fields of B into it; Keep apart remembers "
                "that they are different people."
            )
        )
        self.pairs.setHorizontalHeaderLabels(
            [self.tr("Match"), self.tr("Record A"), self.tr("Record B")]
        )
        self.fields.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Record A"), self.tr("Record B")]
        )
        self.merge_button.setText(self.tr("Merge into A"))
        self.apart_button.setText(self.tr("Keep apart"))
        self._show_count()
        self._show_pair(self.pairs.currentRow())

    def _show_count(self) -> None:
        n = len(self.items)
        self.count.setText(
            self.tr("%1 pair(s) waiting for a decision.").replace("%1", str(n))
            if n
            else self.tr("No pairs are waiting: every import so far was clear.")
        )
        self.merge_button.setEnabled(bool(n))
        self.apart_button.setEnabled(bool(n))

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        from app.migrate.review import pending

        shown = self.current()
        keep = shown.id if shown else None
        self.items = pending(self.ctx.db)
        self.pairs.setRowCount(len(self.items))
        for i, item in enumerate(self.items):
            names = {f.field: f for f in item.fields}["name"]
            self.pairs.setItem(i, 0, cell(f"{item.probability:.0%}", item.id, align_right=True))
            self.pairs.setItem(i, 1, cell(_show(names.left, "name", "")))
            self.pairs.setItem(i, 2, cell(_show(names.right, "name", "")))
        self.pairs.resizeColumnsToContents()
        self.pairs.horizontalHeader().setStretchLastSection(True)
        row = next((i for i, it in enumerate(self.items) if it.id == keep), 0)
        self._show_count()
        if self.items:
            self.pairs.setCurrentCell(row, 0)
            self._show_pair(row)
        else:
            self.fields.setRowCount(0)

    def current(self) -> ReviewView | None:
        row = self.pairs.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _show_pair(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        lang = self.i18n.content_lang
        empty = (None, "", [])
        shown = [f for f in item.fields if not (f.left in empty and f.right in empty)]
        self.fields.setRowCount(len(shown) + 1)
        for i, f in enumerate(shown):
            cells = [
                cell(field_label(f.field, lang)),
                cell(_show(f.left, f.field, lang)),
                cell(_show(f.right, f.field, lang)),
            ]
            for c in cells:
                if not f.same:
                    c.setBackground(QBrush(_DIFFERS))
            for j, c in enumerate(cells):
                self.fields.setItem(i, j, c)
        last = len(shown)
        self.fields.setItem(last, 0, cell(self.tr("Source rows")))
        self.fields.setItem(last, 1, cell(_rows(item.left_rows)))
        self.fields.setItem(last, 2, cell(_rows(item.right_rows)))
        self.fields.resizeColumnToContents(0)
        self.fields.setColumnWidth(1, 260)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.fields.resizeRowsToContents()

    def _decide_by_name(self, name: str) -> None:
        from app.migrate.review import Decision

        self.decide(Decision[name])

    def decide(self, decision: Decision) -> None:
        from app.migrate.review import Decision, decide

        item = self.current()
        if item is None:
            return
        try:
            decide(self.ctx.db, item.id, decision, actor=self.ctx.settings.user_name or "local")
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            self.refresh()
            return
        self.message.setText(
            self.tr("Merged: record B is now part of record A.")
            if decision is Decision.MERGE
            else self.tr("Kept apart: they will not be suggested again.")
        )
        row = self.pairs.currentRow()
        self.items.pop(row)
        self.pairs.removeRow(row)
        self._show_count()
        if self.items:
            self.pairs.setCurrentCell(min(row, len(self.items) - 1), 0)
            self._show_pair(self.pairs.currentRow())
        else:
            # The page holds the surest pairs only (see `pending`): fetch the next ones.
            self.refresh()
