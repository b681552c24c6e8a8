"""The import wizard's first step: which column holds what. Each column of the file with a
few sample values, the field RoundTwo suggests (and how sure it is), and a drop-down to
change it or ignore the column; the import uses exactly what the person confirmed, and the
choice can be saved as a mapping file for the next export from the same system."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets import cell, field_label, heading, note, table

if TYPE_CHECKING:
    from app.migrate.importer import SheetPreview
    from app.migrate.mapping import MappingFile

_IGNORE = ""


def _sample(preview: SheetPreview, index: int, n: int = 3) -> str:
    values = []
    for row in preview.sample:
        v = row[index] if index < len(row) else None
        if v is not None and str(v).strip():
            values.append(str(v).strip())
        if len(values) == n:
            break
    return " · ".join(values)


class MappingDialog(QDialog):
    def __init__(
        self, path: Path, entity: str, parent: QWidget | None = None, lang: str = "en"
    ) -> None:
        super().__init__(parent)
        from app.migrate.importer import preview
        from app.migrate.mapping import FIELDS, REQUIRED

        self.path, self.entity, self.lang = path, entity, lang
        self.fields = list(FIELDS[entity])
        self.required = REQUIRED[entity]
        sheets = preview(path, entity)
        usable = [p for p in sheets if p.columns]
        self.sheet: SheetPreview | None = usable[0] if usable else None
        self.setWindowTitle(self.tr("Import %1").replace("%1", path.name))
        self.resize(900, 560)

        lay = QVBoxLayout(self)
        title = heading(self.tr("Which column holds what?"), 13)
        lay.addWidget(title)
        if self.sheet is None:
            lay.addWidget(
                note(
                    self.tr(
                        "No header row was found in %1: the file has no column RoundTwo "
                        "recognises for %2."
                    )
                    .replace("%1", path.name)
                    .replace("%2", entity)
                )
            )
        else:
            lay.addWidget(
                note(
                    self.tr(
                        "Sheet '%1', header on row %2. Check the suggestion for every column; "
                        "choose 'ignore' for columns that should not be imported."
                    )
                    .replace("%1", self.sheet.name)
                    .replace("%2", str(self.sheet.header_row))
                )
            )
        self.columns = table(4)
        self.columns.setObjectName("mappingColumns")
        self.columns.setHorizontalHeaderLabels(
            [self.tr("Column"), self.tr("Sample values"), self.tr("Field"), self.tr("Sure")]
        )
        self.choices: list[QComboBox] = []
        suggestions = self.sheet.columns if self.sheet else []
        self.columns.setRowCount(len(suggestions))
        for i, s in enumerate(suggestions):
            self.columns.setItem(i, 0, cell(s.header or "—"))
            self.columns.setItem(i, 1, cell(_sample(self.sheet, s.index) if self.sheet else ""))
            box = QComboBox()
            box.addItem(self.tr("— ignore —"), _IGNORE)
            for f in self.fields:
                box.addItem(field_label(f, lang), f)
            box.setCurrentIndex(max(0, box.findData(s.field or _IGNORE)))
            box.currentIndexChanged.connect(self._check)
            self.columns.setCellWidget(i, 2, box)
            self.choices.append(box)
            sure = f"{s.confidence:.0%}" if s.field else ""
            if s.source == "mapping file":
                sure = self.tr("saved")
            self.columns.setItem(i, 3, cell(sure, align_right=True))
        self.columns.resizeColumnsToContents()
        header = self.columns.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        lay.addWidget(self.columns, 1)
        self.problem = QLabel()
        self.problem.setObjectName("mappingProblem")
        self.problem.setWordWrap(True)
        lay.addWidget(self.problem)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button = QPushButton(self.tr("Save mapping…"))
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._ask_save)
        lay.addWidget(self.buttons)
        self._check()

    def chosen(self) -> dict[str, str | None]:
        """Header text -> field (None: ignore), as the person left the drop-downs."""
        if self.sheet is None:
            return {}
        return {
            s.header: (box.currentData() or None)
            for s, box in zip(self.sheet.columns, self.choices, strict=True)
            if s.header
        }

    def problems(self) -> list[str]:
        if self.sheet is None:
            return [self.tr("Nothing to import.")]
        picked = [f for f in self.chosen().values() if f]
        out = []
        from app.migrate.mapping import missing_required

        missing = missing_required(self.entity, picked)
        if missing:
            text = self.tr("Required field(s) not chosen: %1.")
            out.append(text.replace("%1", ", ".join(field_label(f, self.lang) for f in missing)))
        twice = sorted({f for f in picked if picked.count(f) > 1})
        if twice:
            out.append(
                self.tr("Each field can come from one column only: %1.").replace(
                    "%1", ", ".join(field_label(f, self.lang) for f in twice)
                )
            )
        return out

    def _check(self) -> None:
        problems = self.problems()
        self.problem.setText(" ".join(problems))
        self.import_button.setEnabled(not problems)
        self.save_button.setEnabled(not problems)

    def mapping(self) -> MappingFile:
        from app.migrate.mapping import MappingFile

        # Columns only: the importer finds the header row that names them in every sheet.
        return MappingFile(entity=self.entity, columns=self.chosen())

    def save(self, target: Path) -> Path:
        self.mapping().save(target)
        return target

    def _ask_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save mapping"),
            str(self.path.with_suffix(".mapping.json")),
            self.tr("Mapping files (*.json)"),
        )
        if name:
            self.save(Path(name))
