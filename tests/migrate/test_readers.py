"""Readers and header detection on real files in the encodings and layouts legacy data has."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import select

from app.core.errors import InvalidInputError
from app.migrate.importer import import_file, preview
from app.migrate.mapping import find_header, suggest_columns
from app.migrate.readers import read_source
from app.storage.db import Database
from app.storage.tables import Candidate
from tests.migrate.datagen import DEV_MIX, HEADER, labelled, write_csv, write_xlsx

ROWS = [
    {
        "姓名": "张伟",
        "手机": "138 1234 5678",
        "邮箱": "ZHANG.WEI@QQ.COM",
        "出生日期": "1990年3月5日",
        "城市": "北京",
        "学历": "大学本科",
        "毕业院校": "清华大学",
        "工作年限": "5年",
        "工作经历": "2019.01-2021.12 甲公司; 2022.01-至今 乙公司",
    },
    {
        "姓名": "  李　娜 ",
        "手机": "＋８６ １３９００００１１１１",
        "邮箱": "lina＠163．com",
        "出生日期": "1992/11/30",
        "城市": "上海",
        "学历": "硕士研究生",
        "毕业院校": "复旦大学",
        "工作年限": 3,
        "工作经历": "",
    },
]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_are_detected_and_values_cleaned(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"c_{encoding}.csv"
    first = write_csv(
        path, ROWS, encoding=encoding, preamble=["某公司人才库", "导出日期 2024-01-01"]
    )
    src = read_source(path)
    assert src.encoding in ({"gbk": "gb18030"}.get(encoding, encoding), "utf-8-sig")
    report = import_file(None, path, "candidates", dry_run=True)
    assert report.sheets[0].header_row == first - 1
    assert report.counts["read"] == 2 and report.counts["rejected"] == 0
    fixed = {(c.row, c.field): c.after for c in report.corrections}
    assert fixed[(first, "phone")] == "+8613812345678"
    assert fixed[(first, "email")] == "zhang.wei@qq.com"
    assert fixed[(first, "birth_date")] == "1990-03-05"
    assert fixed[(first, "education_level")] == "bachelor"
    assert fixed[(first + 1, "name")] == "李娜"
    assert fixed[(first + 1, "phone")] == "+8613900001111"
    assert fixed[(first + 1, "email")] == "lina@163.com"
    assert fixed[(first + 1, "education_level")] == "master"


def test_tsv_and_semicolon_csv(tmp_path: Path) -> None:
    tsv = tmp_path / "a.tsv"
    tsv.write_text("Name\tMobile\tEmail\nWei Zhang\t13812345678\twz@example.com\n", "utf-8")
    semi = tmp_path / "b.csv"
    semi.write_text("Name;Mobile;Email\nWei Zhang;13812345678;wz@example.com\n", "utf-8")
    for path in (tsv, semi):
        rows = read_source(path).sheets[0].rows
        assert rows[1] == ["Wei Zhang", "13812345678", "wz@example.com"]


def test_xlsx_with_title_rows_merged_header_and_date_serials(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    first = write_xlsx(path, ROWS, title_rows=2, merged_header=True, serial_dates=True)
    sheet = read_source(path).sheets[0]
    guess = find_header(sheet, "candidates")
    assert guess is not None
    assert sheet.numbers[guess.row_index] == first - 1  # the lower of the two header rows
    fields = [c.field for c in suggest_columns(guess.headers, "candidates")]
    assert fields[:3] == ["name", "phone", "email"]  # 姓名 merged down, 手机/邮箱 under 联系方式
    report = import_file(None, path, "candidates", dry_run=True)
    assert report.counts["rejected"] == 0
    fixed = {(c.row, c.field): (c.after, c.rule) for c in report.corrections}
    assert fixed[(first + 1, "birth_date")] == ("1992-11-30", "excel serial")


def test_xls_and_multiple_sheets(tmp_path: Path, db: Database) -> None:
    xlwt = pytest.importorskip("xlwt")
    path = tmp_path / "old.xls"
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in (("一部", ROWS[:1]), ("二部", ROWS[1:])):
        ws = book.add_sheet(name)
        for c, h in enumerate(HEADER):
            ws.write(0, c, h)
        for r, rec in enumerate(rows, start=1):
            for c, h in enumerate(HEADER):
                if h == "出生日期":
                    ws.write(r, c, dt.date(1990, 1, 2), date_style)
                else:
                    ws.write(r, c, rec[h])
    book.add_sheet("说明").write(0, 0, "本表为导出说明")
    book.save(str(path))
    report = import_file(db, path, "candidates")
    assert [s.name for s in report.sheets] == ["一部", "二部"]  # the notes sheet has no header
    assert report.counts["read"] == 2 and report.counts["rejected"] == 0
    with db.read() as s:
        stored = s.exec(select(Candidate)).all()
    assert sorted(c.name for c in stored) == ["张伟", "李娜"]
    assert {c.birth_date for c in stored} == {dt.date(1990, 1, 2)}


def test_ats_json_export_with_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "ats.json"
    doc = {
        "meta": {"exported": "2024"},
        "candidates": [
            {
                "id": 7,
                "name": "Wei Zhang",
                "contact": {"mobile": "13812345678", "email": "w@x.cn"},
                "skills": ["Python", "SQL"],
            },
            {"id": 8, "name": "", "contact": {"mobile": "1", "email": "bad"}},
        ],
    }
    path.write_text(json.dumps(doc), "utf-8")
    report = import_file(None, path, "candidates", dry_run=True)
    cols = {c["header"]: c["field"] for c in report.sheets[0].columns}
    assert cols["contact.mobile"] == "phone" and cols["contact.email"] == "email"
    assert report.counts == report.counts | {"read": 2, "rejected": 1, "accepted": 1}
    assert report.rejected[0].row == 2 and report.rejected[0].field == "name"


def test_a_file_without_a_recognisable_header_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", "utf-8")
    with pytest.raises(InvalidInputError, match="no sheet with a column for name"):
        import_file(None, path, "candidates", dry_run=True)


def test_generated_duplicates_survive_the_csv_round_trip(tmp_path: Path) -> None:
    records, _ = labelled(200, 3, DEV_MIX)
    path = tmp_path / "dups.csv"
    write_csv(path, records, encoding="gb18030")
    report = import_file(None, path, "candidates", dry_run=True)
    assert report.counts["rejected"] == 0
    assert report.counts["read"] == len(records)
    assert report.clusters, "duplicates in the file must form clusters"


def test_preview_gives_the_wizard_suggestions_with_confidence(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("候选人姓名,手机号码(主),E-mail,备注\n张伟,13812345678,a@b.cn,x\n", "utf-8")
    (sheet,) = preview(path, "candidates")
    by_header = {c.header: (c.field, c.confidence) for c in sheet.columns}
    assert by_header["候选人姓名"] == ("name", 1.0)
    assert by_header["手机号码(主)"] == ("phone", 1.0)  # the note in brackets is ignored
    assert by_header["E-mail"] == ("email", 1.0)
    assert by_header["备注"][0] is None
    assert sheet.usable and sheet.header_row == 1 and sheet.sample[0][0] == "张伟"
