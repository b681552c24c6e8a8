"""The import wizard's last step shows every rejected, corrected and unlinked row, saves the
whole report and exports the rejected rows formula-safe; in Chinese too."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PySide6.QtWidgets import QApplication

CSV = (
    "姓名,手机,邮箱,出生日期,城市\n"
    "陈一鸣,138 0013 8000,yiming.chen@example.com,1994-03-12,上海\n"  # row 2: phone cleaned
    ",13900139000,nobody@example.com,1995-01-01,杭州\n"  # row 3: no name
    "吴雨桐,=1+2,yutong.wu@example.com,1996-05-05,北京\n"  # row 4: a formula, not a phone
    "周怡然,18600186003,zhouyr@example.com,1998-02-30,深圳\n"  # row 5: no such date
    "刘洋,13300133005,liuyang@example.com,1992-06-15,成都\n"
)


def _texts(table, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_the_result_lists_every_rejected_row_and_saves_them(  # type: ignore[no-untyped-def]
    window, tmp_path: Path, qtbot
) -> None:
    win, tr = window
    path = tmp_path / "旧系统导出.csv"
    path.write_text(CSV, encoding="utf-8")
    task = win.home.import_legacy(path, "candidates")
    assert task.error is None, task.error
    report = task.result
    dialog = win.home.import_result
    assert dialog is not None and dialog.isVisible()
    rejected = dialog.tables["rejected"]
    # Every rejected row with its row number, column and reason, as the CLI report has them.
    assert rejected.rowCount() == len(report.rejected) >= 3
    rows = _texts(rejected, 0)
    assert {"3", "4", "5"} <= set(rows)
    by_row = {
        r: (c, v, why)
        for r, c, v, why in zip(rows, *(_texts(rejected, i) for i in (1, 2, 3)), strict=True)
    }
    assert by_row["4"][0] == "手机" and by_row["4"][1] == "=1+2" and by_row["4"][2]
    assert by_row["5"][0] == "出生日期"
    # The reasons read as sentences of the app (the saved report keeps the cleaning's own).
    assert by_row["3"][2] == "Name is empty"
    assert by_row["4"][2] == "'=1+2' is not a phone number"
    assert by_row["5"][2] == "'1998-02-30' is not a real date"
    # The phone written with spaces was corrected, and the correction is listed.
    assert "corrections" in dialog.tables
    assert any("138 0013 8000" in t for t in _texts(dialog.tables["corrections"], 2))
    assert str(report.counts["rejected"]) in dialog.summary.text()

    saved = dialog.save_report(tmp_path / "report.json")
    assert saved is not None and "report.json" in dialog.message.text()
    data = json.loads(saved.read_text("utf-8"))
    assert [r["row"] for r in data["rejected"]] == [r.row for r in report.rejected]

    # The rejected rows as CSV: the formula comes out as text, not something Excel runs.
    out = dialog.export_rejected(tmp_path / "rejected.csv")
    assert out is not None
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["sheet", "row", "column", "reason", "value"]
    assert len(table) - 1 == len(report.rejected)
    assert "'=1+2" in [r[4] for r in table[1:]]

    # A place that cannot be written: said in the dialog, which stays open.
    assert dialog.save_report(tmp_path / "no-such-folder" / "r.json") is None
    assert "could not be saved" in dialog.message.text()
    assert dialog.export_rejected(tmp_path / "rejected.pdf") is None
    assert ".csv or .xlsx" in dialog.message.text()
    assert dialog.isVisible()

    # In Chinese: the same tables with Chinese headers.
    tr.apply("zh_CN")
    QApplication.processEvents()
    zh = win.home.show_import_result(report)
    qtbot.addWidget(zh)
    assert win.home.import_result is zh
    assert zh.tables["rejected"].horizontalHeaderItem(3).text() == "原因"
    assert zh.tabs.tabText(0).startswith("被拒绝的行")
    zh_reasons = dict(
        zip(_texts(zh.tables["rejected"], 0), _texts(zh.tables["rejected"], 3), strict=True)
    )
    assert zh_reasons["3"] == "姓名为空"
    assert zh_reasons["4"] == "“=1+2”不是电话号码"
    assert zh_reasons["5"] == "“1998-02-30”不是真实存在的日期"
    assert zh.say("a sentence nobody translated") == "a sentence nobody translated"
    tr.apply("en")
    zh.close()


def test_interview_rows_nobody_matches_are_listed_as_not_linked(  # type: ignore[no-untyped-def]
    window, tmp_path: Path
) -> None:
    win, _ = window
    path = tmp_path / "interviews.csv"
    path.write_text(
        "姓名,手机,应聘职位,面试日期,轮次,评分,结果\n"
        "从没见过,13000000001,互联网产品经理,2024-03-18,1,70,通过\n",
        encoding="utf-8",
    )
    task = win.home.import_legacy(path, "interviews")
    assert task.error is None, task.error
    dialog = win.home.import_result
    assert task.result.counts["unlinked"] == 1
    unlinked = dialog.tables["unlinked"]
    assert _texts(unlinked, 0) == ["2"] and _texts(unlinked, 1) == ["从没见过"]
    assert _texts(unlinked, 3) == ["no stored candidate matches"]
    assert "not linked" in dialog.summary.text()
    assert not dialog.export_button.isEnabled()  # nothing rejected, nothing to export


def test_every_reason_the_cleaning_gives_is_shown_in_chinese(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The dialog translates the cleaning's English sentences by their wording: a sentence
    reworded in app/migrate without its translation would fall back to English unseen.
    Each reason below comes from the real cleaning of a bad value."""
    from app.migrate.plan import ImportReport
    from app.migrate.rows import clean_candidate
    from app.ui.import_result import ImportResultDialog

    _, tr = window
    bad: list[dict[str, object]] = [
        {"name": ""},
        {"name": "abc123"},
        {"name": "名" * 61},
        {"name": "王芳", "phone": "=1+2"},
        {"name": "王芳", "phone": "12345678901"},
        {"name": "王芳", "email": "wang@"},
        {"name": "王芳", "birth_date": "1998-02-30"},
        {"name": "王芳", "birth_date": "03/04/1990"},
        {"name": "王芳", "birth_date": "someday"},
        {"name": "王芳", "birth_date": "2030-01-01"},
        {"name": "王芳", "birth_date": "1900-01-01"},  # kept, flagged
        {"name": "王芳", "years_experience": "many"},
        {"name": "王芳", "years_experience": "99"},
    ]
    sentences = []
    for i, values in enumerate(bad):
        res = clean_candidate("s", i + 2, dict(values), {})
        got = [res.reason] if hasattr(res, "reason") else [f.message for f in res.flags]
        assert got, values
        sentences += got
    tr.apply("zh_CN")
    QApplication.processEvents()
    dialog = ImportResultDialog(ImportReport("f.csv", "candidates", "", False), lang="zh")
    qtbot.addWidget(dialog)
    for sentence in sentences:
        shown = dialog.say(sentence)
        assert shown != sentence and any("\u4e00" <= ch <= "\u9fff" for ch in shown), sentence
    tr.apply("en")
