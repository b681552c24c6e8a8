"""The bundled course catalogue and the Excel/CSV import (row-level errors, nothing half-saved)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from app.context import bundled_profiles_dir
from app.core.jobprofile import load_profile
from app.storage.db import Database
from app.storage.tables import Course, OutboxOp
from app.training.catalogue import (
    CourseImportError,
    CourseLanguage,
    ensure_bundled_courses,
    list_courses,
    load_catalogue_yaml,
    read_course_file,
    store_courses,
)

HEADER = "key,title_zh,title_en,competencies,min_level,max_level,format,hours,language,provider\n"
GOOD = (
    "risk-graph-fraud,图算法反欺诈实战,Graph analytics against fraud,"
    "data-analysis;risk-judgement,6,9,workshop,8,中文,数据学院\n"
)
GOOD2 = (
    "risk-stress-test,压力测试入门,Stress testing basics,"
    "risk-judgement,3,6,线上,4,双语,风险管理部\n"
)


def _profiles() -> list:  # type: ignore[type-arg]
    return [load_profile(p) for p in sorted(bundled_profiles_dir().glob("*.yaml"))]


def _known() -> set[str]:
    return {c.id for p in _profiles() for c in p.competencies}


def test_bundled_catalogue_is_valid_and_covers_every_bundled_job() -> None:
    courses = load_catalogue_yaml(known_competencies=_known())
    assert len({c.key for c in courses}) == len(courses) >= 40
    for p in _profiles():
        for comp in p.competencies:
            # A learner one level under the bar finds at least one course that reaches the bar.
            below = comp.required_level - 1
            fits = [
                c for c in courses if c.suits(comp.id, below) and c.max_level >= comp.required_level
            ]
            assert fits, f"{p.id}: no course for {comp.id} at level {below}"
    for c in courses:
        assert c.title_zh != c.title_en and c.hours > 0 and c.min_level < c.max_level
    assert {c.format.value for c in courses} == {"online", "workshop", "mentoring", "on-the-job"}


def test_bundled_yaml_errors_name_the_course_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "courses:\n  - {key: a-course, title: {zh: 课, en: Course}, competencies: [teamwork],"
        " min_level: 6, max_level: 4, format: online, hours: 2, language: zh, provider: HR}\n",
        encoding="utf-8",
    )
    with pytest.raises(CourseImportError) as err:
        load_catalogue_yaml(bad)
    assert str(bad) in err.value.message and "course 1 (a-course)" in err.value.message
    assert "min_level" in err.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_import_reads_utf8_and_gbk(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "courses.csv"
    path.write_bytes((HEADER + GOOD + GOOD2).encode(encoding))
    specs = read_course_file(path, _known())
    assert [s.key for s in specs] == ["risk-graph-fraud", "risk-stress-test"]
    assert specs[0].title_zh == "图算法反欺诈实战"
    assert specs[0].competencies == ["data-analysis", "risk-judgement"]
    assert specs[0].language is CourseLanguage.ZH and specs[1].language is CourseLanguage.BILINGUAL
    assert specs[1].format.value == "online"


def test_xlsx_import_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "课程.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "课程编号",
            "课程名称",
            "英文名称",
            "胜任力",
            "最低级别",
            "最高级别",
            "形式",
            "学时",
            "语言",
            "提供方",
        ]
    )
    ws.append(
        [
            "retail-visual-merch",
            "陈列与视觉营销",
            "Visual merchandising",
            "sales-operations、customer-experience",
            5,
            8,
            "工作坊",
            6.5,
            "中文",
            "零售运营部",
        ]
    )
    wb.save(path)
    [spec] = read_course_file(path, _known())
    assert spec.key == "retail-visual-merch" and spec.hours == 6.5 and spec.min_level == 5
    assert spec.competencies == ["sales-operations", "customer-experience"]


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        (
            "bad-level,课,Course,teamwork,five,8,online,2,zh,HR\n",
            "min_level",
            "'five' is not a number",
        ),
        ("bad-range,课,Course,teamwork,8,5,online,2,zh,HR\n", "min_level", "must be below"),
        ("bad-format,课,Course,teamwork,3,5,webinar,2,zh,HR\n", "format", "webinar"),
        (
            "bad-comp,课,Course,cooking,3,5,online,2,zh,HR\n",
            "competencies",
            "unknown competency 'cooking'",
        ),
        ("bad-hours,课,Course,teamwork,3,5,online,0,zh,HR\n", "hours", "greater than 0"),
        ("bad-title,课,,teamwork,3,5,online,2,zh,HR\n", "title_en", "at least 1 character"),
    ],
)
def test_a_malformed_row_names_file_row_and_field(
    tmp_path: Path, row: str, field: str, fragment: str
) -> None:
    path = tmp_path / "courses.csv"
    path.write_text(HEADER + GOOD + row, encoding="utf-8")
    with pytest.raises(CourseImportError) as err:
        read_course_file(path, _known())
    msg = err.value.message
    assert str(path) in msg and "row 3" in msg and f"field '{field}'" in msg and fragment in msg
    assert "\n" not in msg


def test_missing_columns_and_wrong_types_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "courses.csv"
    path.write_text("key,title_zh\nx,课\n", encoding="utf-8")
    with pytest.raises(CourseImportError, match="missing column"):
        read_course_file(path)
    other = tmp_path / "courses.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CourseImportError, match=r"unsupported file type '\.txt'"):
        read_course_file(other)
    dup = tmp_path / "dup.csv"
    dup.write_text(HEADER + GOOD + GOOD, encoding="utf-8")
    with pytest.raises(CourseImportError, match=r"row 3, field 'key'.*already appears at .*row 2"):
        read_course_file(dup)


def test_store_is_idempotent_queues_outbox_and_keeps_edits(tmp_path: Path) -> None:
    with Database(tmp_path / "t.db").open() as db:
        first = db.write(ensure_bundled_courses)
        assert len(first.added) == len(load_catalogue_yaml())
        assert db.write(ensure_bundled_courses).added == []
        path = tmp_path / "c.csv"
        edited = GOOD.replace("图算法反欺诈实战", "图算法反欺诈（进阶）")
        path.write_text(HEADER + edited, encoding="utf-8")
        result = db.write(lambda s: store_courses(s, read_course_file(path)))
        assert result.added == ["risk-graph-fraud"]
        # Re-importing the bundled catalogue never overwrites a course already in the table.
        with db.read() as s:
            row = s.exec(select(Course).where(Course.key == "risk-sql-analytics")).one()
        row.hours = 12.0
        db.write(lambda s: store_courses(s, [_spec_from(row)]))
        db.write(ensure_bundled_courses)
        with db.read() as s:
            assert (
                s.exec(select(Course).where(Course.key == "risk-sql-analytics")).one().hours == 12.0
            )
            ops = s.exec(select(OutboxOp).where(OutboxOp.entity == "course")).all()
            assert len(ops) == len(first.added) + 2
            assert "risk-graph-fraud" in {c.key for c in list_courses(s)}


def _spec_from(row: Course):  # type: ignore[no-untyped-def]
    from app.training.catalogue import CourseSpec

    return CourseSpec.from_row(row)


def test_blank_rows_are_skipped_and_damaged_files_named(tmp_path: Path) -> None:
    path = tmp_path / "courses.csv"
    path.write_text(HEADER + "\n" + GOOD + ",,,,,,,,,\n" + GOOD2, encoding="utf-8")
    assert [s.key for s in read_course_file(path, _known())] == [
        "risk-graph-fraud",
        "risk-stress-test",
    ]
    broken = tmp_path / "courses.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CourseImportError, match=r"courses\.xlsx: cannot be read as a table"):
        read_course_file(broken, _known())
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + b"\xff\xfe\xfa\n")
    with pytest.raises(CourseImportError, match="neither UTF-8 nor GBK"):
        read_course_file(latin, _known())
