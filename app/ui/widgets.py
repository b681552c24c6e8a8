"""Small shared widgets and helpers for the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    import numpy as np


def heading(text: str = "", size: int = 15) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(size)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


def note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def banner(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(
        "background: #fff4ce; color: #5c4400; border: 1px solid #e8cf7a; padding: 6px;"
    )
    label.hide()
    return label


def table(columns: int) -> QTableWidget:
    t = QTableWidget(0, columns)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    t.setAlternatingRowColors(True)
    t.setWordWrap(True)
    return t


def cell(text: object, data: object = None, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def rgb_image(rgb: np.ndarray) -> QImage:
    """An RGB uint8 array (H x W x 3) as a QImage that owns its pixels: a QImage over the
    array only borrows its memory, and what is made from it may still share it."""
    import numpy as np

    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()


def pixmap_from_png(data: bytes) -> QPixmap:
    pm = QPixmap()
    pm.loadFromData(data, "PNG")
    return pm


def clear_layout(layout) -> None:  # type: ignore[no-untyped-def]
    """Remove every item now. deleteLater alone leaves the widgets painted until the event
    loop runs DeferredDelete, which processEvents() does not do (stacked old labels)."""
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class Page(QWidget):
    """A screen: re-translates itself when the language changes; may scroll its content."""

    def retranslate(self) -> None:  # overridden by every page
        pass

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_scrolled(self, inner: QWidget) -> None:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)


# What each imported/stored field is called on screen (import wizard, duplicate review).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "Name"),
    "phone": ("手机", "Phone"),
    "email": ("邮箱", "E-mail"),
    "external_id": ("原系统编号", "ID in the old system"),
    "birth_date": ("出生日期", "Birth date"),
    "gender": ("性别", "Gender"),
    "family_name": ("姓", "Family name"),
    "given_name": ("名", "Given name"),
    "address": ("详细地址（仅用于查重）", "Address (matching only)"),
    "postcode": ("邮编（仅用于查重）", "Postcode (matching only)"),
    "id_number": ("证件号码（仅用于查重）", "ID number (matching only)"),
    "city": ("城市", "City"),
    "education_level": ("学历", "Education"),
    "school": ("学校", "School"),
    "major": ("专业", "Major"),
    "years_experience": ("工作年限", "Years of experience"),
    "experience": ("工作经历", "Work history"),
    "skills": ("技能", "Skills"),
    "career_goal": ("职业规划", "Career goal"),
    "source": ("来源渠道", "Source"),
    "title": ("职位名称", "Job title"),
    "department": ("部门", "Department"),
    "description": ("职位描述", "Description"),
    "requirements": ("任职要求", "Requirements"),
    "headcount": ("招聘人数", "Headcount"),
    "job_title": ("应聘职位", "Job applied for"),
    "interviewer": ("面试官", "Interviewer"),
    "date": ("日期", "Date"),
    "round": ("轮次", "Round"),
    "score": ("分数", "Score"),
    "result": ("结果", "Result"),
    "notes": ("备注", "Notes"),
    "course": ("课程", "Course"),
    "hours": ("学时", "Hours"),
    "provider": ("培训机构", "Provider"),
}


def field_label(field: str, lang: str) -> str:
    zh, en = FIELD_LABELS.get(field, (field, field))
    return zh if lang == "zh" else en
