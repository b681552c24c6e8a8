"""The import wizard's column step: suggestions shown, the person's overrides used for the
import, required fields enforced, the mapping saved for reuse."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from sqlmodel import select

from app.migrate.mapping import load_mapping
from app.storage.tables import Candidate
from app.ui.mapping_dialog import MappingDialog

CSV = (
    "名字,手机号码,邮箱地址,个人目标,内部编号\n"
    "陈一鸣,13800138000,yiming.chen@example.com,成为产品负责人,A-001\n"
    "吴雨桐,13900139000,yutong.wu@example.com,带团队,A-002\n"
)


def _row(dialog: MappingDialog, header: str) -> int:
    for r in range(dialog.columns.rowCount()):
        if dialog.columns.item(r, 0).text() == header:
            return r
    raise AssertionError(header)


def _choose(dialog: MappingDialog, header: str, field: str) -> None:
    box = dialog.choices[_row(dialog, header)]
    box.setCurrentIndex(box.findData(field))


def test_overrides_are_what_gets_imported(window, ctx, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, tr = window
    path = tmp_path / "旧系统导出.csv"
    path.write_text(CSV, encoding="utf-8")
    dialog = win.home.mapping_dialog(path, "candidates")
    qtbot.addWidget(dialog)
    # Suggestions: the Chinese headers for name, phone and e-mail are recognised.
    assert dialog.choices[_row(dialog, "名字")].currentData() == "name"
    assert dialog.choices[_row(dialog, "手机号码")].currentData() == "phone"
    assert dialog.choices[_row(dialog, "邮箱地址")].currentData() == "email"
    assert "陈一鸣" in dialog.columns.item(_row(dialog, "名字"), 1).text()  # sample values
    assert dialog.import_button.isEnabled()

    # Without a name column nothing can be imported; a field taken twice is refused too.
    _choose(dialog, "名字", "")
    assert not dialog.import_button.isEnabled()
    assert "Name" in dialog.problem.text()
    _choose(dialog, "名字", "name")
    _choose(dialog, "内部编号", "email")
    assert not dialog.import_button.isEnabled()
    assert "E-mail" in dialog.problem.text()

    # The person's choice: 个人目标 is the career goal, the internal number is ignored.
    _choose(dialog, "个人目标", "career_goal")
    _choose(dialog, "内部编号", "")
    assert dialog.import_button.isEnabled() and dialog.problem.text() == ""
    saved = dialog.save(tmp_path / "ats.mapping.json")
    assert load_mapping(saved).columns["内部编号"] is None
    task = win.home.import_legacy(path, "candidates", dialog.mapping())
    assert task.error is None, task.error  # type: ignore[attr-defined]
    with ctx.db.read() as s:
        chen = s.exec(select(Candidate).where(Candidate.name == "陈一鸣")).one()
    assert chen.career_goal == "成为产品负责人"
    assert "A-001" not in str(chen.model_dump())  # the ignored column went nowhere
    assert chen.phone == "+8613800138000"

    # The dialog speaks Chinese when the app does.
    tr.apply("zh_CN")
    QApplication.processEvents()
    zh = win.home.mapping_dialog(path, "candidates")
    qtbot.addWidget(zh)
    assert zh.import_button.text() == "导入"
    assert zh.choices[_row(zh, "内部编号")].itemText(0) == "— 忽略 —"
    assert zh.choices[_row(zh, "名字")].currentText() == "姓名"
    tr.apply("en")


def test_a_file_without_a_header_says_so(window, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    win, _ = window
    path = tmp_path / "numbers.csv"
    path.write_text("1,2,3\n4,5,6\n", encoding="utf-8")
    dialog = win.home.mapping_dialog(path, "candidates")
    qtbot.addWidget(dialog)
    assert dialog.columns.rowCount() == 0
    assert not dialog.import_button.isEnabled()
