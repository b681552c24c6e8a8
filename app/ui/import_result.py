"""The import wizard's last step: what the import did, row by row. Counts at the top; one tab
each for the rejected rows (row, column, value, reason), the corrections made, the flags
raised, the rows no stored candidate could be linked to and the duplicate clusters; the whole
report can be saved as JSON (as `roundtwo import --report` writes it) and the rejected rows
exported as CSV/XLSX (formula-safe) to fix and import again. The cleaning writes its reasons
as English sentences (the saved report keeps them so); the dialog shows them in the app's
language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import RoundTwoError
from app.ui.widgets import cell, field_label, heading, note, table

if TYPE_CHECKING:
    from app.migrate.plan import ImportReport

# A table widget with more rows than this gets slow to build and to scroll; the saved report
# has every row.
SHOWN_ROWS = 2000


class ImportResultDialog(QDialog):
    def __init__(
        self, report: ImportReport, parent: QWidget | None = None, lang: str = "en"
    ) -> None:
        super().__init__(parent)
        self.report, self.lang = report, lang
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None
        self.setWindowTitle(self.tr("Import of %1").replace("%1", report.file))
        self.resize(920, 560)
        lay = QVBoxLayout(self)
        c = report.counts
        title = (
            self.tr("What the import of %1 would do (dry run: nothing was changed)")
            if report.dry_run
            else self.tr("What the import of %1 did")
        )
        lay.addWidget(heading(title.replace("%1", report.file), 13))
        lines = [
            self.tr(
                "%1 rows read, %2 imported (%3 new records, %4 merged into others), %5 rejected."
            )
            .replace("%1", str(c.get("read", 0)))
            .replace("%2", str(c.get("imported", 0)))
            .replace("%3", str(c.get("created", 0)))
            .replace("%4", str(c.get("merged", 0)))
            .replace("%5", str(c.get("rejected", 0))),
            self.tr(
                "%1 values corrected, %2 flagged for a person to check, "
                "%3 rows unchanged since an earlier import."
            )
            .replace("%1", str(c.get("corrections", 0)))
            .replace("%2", str(c.get("flagged", 0)))
            .replace("%3", str(c.get("unchanged", 0))),
        ]
        if c.get("review"):
            lines.append(
                self.tr("%1 possible duplicate pair(s) wait for you under Duplicates.").replace(
                    "%1", str(c["review"])
                )
            )
        if "linked" in c:
            lines.append(
                self.tr("%1 rows linked to stored candidates, %2 not linked.")
                .replace("%1", str(c["linked"]))
                .replace("%2", str(c["unlinked"]))
            )
        self.summary = note("\n".join(lines))
        lay.addWidget(self.summary)

        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        self._tab(
            "rejected",
            self.tr("Rejected rows (%1)"),
            [self.tr("Row"), self.tr("Column"), self.tr("Value"), self.tr("Reason")],
            [
                [self._row(r.sheet, r.row), r.column, r.value, self.say(r.reason)]
                for r in report.rejected
            ],
        )
        self._tab(
            "unlinked",
            self.tr("Not linked (%1)"),
            [self.tr("Row"), self.tr("Name"), self.tr("Closest match"), self.tr("Reason")],
            [
                [
                    u.get("row"),
                    u.get("name"),
                    "" if u.get("best_probability") is None else f"{u['best_probability']:.2f}",
                    self.say(u.get("reason", "")),
                ]
                for u in report.unlinked
            ],
        )
        self._tab(
            "flags",
            self.tr("Flags (%1)"),
            [self.tr("Row"), self.tr("Field"), self.tr("What to check")],
            [[f.row, self._field(f.field), self.say(f.message)] for f in report.flags],
        )
        self._tab(
            "corrections",
            self.tr("Corrections (%1)"),
            [self.tr("Row"), self.tr("Column"), self.tr("Before"), self.tr("After")],
            [[x.row, x.column, x.before, x.after] for x in report.corrections],
        )
        self._tab(
            "clusters",
            self.tr("Merged duplicates (%1)"),
            [self.tr("Rows"), self.tr("Probability"), self.tr("With a stored record")],
            [
                [
                    ", ".join(k.rows),
                    f"{k.probability:.2f}",
                    self.tr("yes") if k.existing else "",
                ]
                for k in report.clusters
            ],
        )
        if self.tabs.count():
            lay.addWidget(self.tabs, 1)
        else:
            lay.addWidget(note(self.tr("Every row was imported as it was.")), 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.tr("Save report…"))
        self.export_button = QPushButton(self.tr("Export rejected rows…"))
        self.export_button.setEnabled(bool(report.rejected))
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._ask_save)
        self.export_button.clicked.connect(self._ask_export)
        lay.addWidget(buttons)

    def _sentences(self) -> list[tuple[re.Pattern[str], str]]:
        """The cleaning's and the linkage's sentences, each with its translation (%1, %2...
        stand for the parts the pattern captures; the first one's part is a field name)."""
        pairs = [
            (
                r"the (\w+) is empty",
                self.tr("%1 is empty"),
            ),
            (
                r"a name cannot contain digits or '@'",
                self.tr("a name cannot contain digits or '@'"),
            ),
            (
                r"the name is longer than 60 characters",
                self.tr("the name is longer than 60 characters"),
            ),
            (r"the phone number is empty", self.tr("the phone number is empty")),
            (r"'(.*)' is not a phone number \(.*\)", self.tr("'%1' is not a phone number")),
            (
                r"'(.*)' is not a valid phone number for region (\w+)",
                self.tr("'%1' is not a valid phone number for region %2"),
            ),
            (
                r"'(.*)' is not a valid e-mail address",
                self.tr("'%1' is not a valid e-mail address"),
            ),
            (r"the date is empty", self.tr("the date is empty")),
            (
                r"'(.*)' is ambiguous \(day/month or month/day\)",
                self.tr("'%1' is ambiguous (day/month or month/day)"),
            ),
            (r"'(.*)' is not a real date \(.*\)", self.tr("'%1' is not a real date")),
            (
                r"'(.*)' is not a date RoundTwo can read",
                self.tr("'%1' is not a date RoundTwo can read"),
            ),
            (r"(.*) is not a date", self.tr("'%1' is not a date")),
            (r"birth date (\S+) is not plausible", self.tr("birth date %1 is not plausible")),
            (
                r"birth date (\S+) is unusually early; kept as written for a person to check",
                self.tr("birth date %1 is unusually early; kept as written for a person to check"),
            ),
            (r"'(.*)' is not a number of years", self.tr("'%1' is not a number of years")),
            (
                r"(\S+) years of experience is out of range \(0-60\)",
                self.tr("%1 years of experience is out of range (0-60)"),
            ),
            (
                r"states (\S+) years of experience but the dated work history covers (\S+) "
                r"years; left as stated for a person to check",
                self.tr(
                    "states %1 years of experience but the dated work history covers %2 "
                    "years; left as stated for a person to check"
                ),
            ),
            (
                r"the closest stored candidate matches with p=(\S+), below the auto-merge "
                r"threshold (\S+)",
                self.tr(
                    "the closest stored candidate matches with p=%1, below the auto-merge "
                    "threshold %2"
                ),
            ),
            (r"no stored candidate matches", self.tr("no stored candidate matches")),
        ]
        return [(re.compile(p), t) for p, t in pairs]

    def say(self, sentence: str) -> str:
        """`sentence` in the app's language (as written when no translation knows it)."""
        if self._patterns is None:
            self._patterns = self._sentences()
        for pattern, template in self._patterns:
            m = pattern.fullmatch(sentence)
            if m is None:
                continue
            out = template
            for i, part in enumerate(m.groups(), 1):
                # "the <field> is empty" names a field: shown with the field's own label.
                named = part if pattern is not self._patterns[0][0] else self._field(part)
                out = out.replace(f"%{i}", named)
            return out
        return sentence

    def _row(self, sheet: str, row: int) -> str:
        multi = len(self.report.sheets) > 1
        return f"{sheet}!{row}" if multi else str(row)

    def _field(self, field: str) -> str:
        return field_label(field, self.lang)

    def _tab(self, key: str, title: str, headers: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            return
        t = table(len(headers))
        t.setHorizontalHeaderLabels(headers)
        shown = rows[:SHOWN_ROWS]
        t.setRowCount(len(shown))
        for i, r in enumerate(shown):
            for j, v in enumerate(r):
                t.setItem(i, j, cell(v))
        t.resizeColumnsToContents()
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(t, 1)
        if len(rows) > SHOWN_ROWS:
            inner.addWidget(
                note(
                    self.tr("The first %1 of %2 are shown; the saved report has them all.")
                    .replace("%1", str(SHOWN_ROWS))
                    .replace("%2", str(len(rows)))
                )
            )
        self.tables[key] = t
        self.tabs.addTab(box, title.replace("%1", str(len(rows))))

    def save_report(self, path: Path) -> Path | None:
        try:
            self.report.save(path)
        except OSError as exc:
            self.message.setText(
                self.tr("The report could not be saved to %1: %2")
                .replace("%1", str(path))
                .replace("%2", exc.strerror or str(exc))
            )
            return None
        self.message.setText(self.tr("Report saved to %1.").replace("%1", str(path)))
        return path

    def export_rejected(self, path: Path) -> Path | None:
        from app.migrate.export import export_rows

        try:
            export_rows(path, self.report.REJECT_HEADER, self.report.reject_rows())
        except RoundTwoError as exc:
            self.message.setText(exc.user_message())
            return None
        except OSError as exc:
            self.message.setText(
                self.tr("The rows could not be saved to %1: %2")
                .replace("%1", str(path))
                .replace("%2", exc.strerror or str(exc))
            )
            return None
        self.message.setText(
            self.tr("%1 rejected rows saved to %2: fix them there and import that file.")
            .replace("%1", str(len(self.report.rejected)))
            .replace("%2", str(path))
        )
        return path

    def _ask_save(self) -> None:
        stem = Path(self.report.file).stem
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save report"), f"{stem}.import-report.json", "JSON (*.json)"
        )
        if name:
            self.save_report(Path(name))

    def _ask_export(self) -> None:
        stem = Path(self.report.file).stem
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export rejected rows"),
            f"{stem}.rejected.csv",
            self.tr("CSV or Excel (*.csv *.xlsx)"),
        )
        if name:
            self.export_rejected(Path(name))
