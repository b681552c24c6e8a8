"""Column mapping: finds the header row and maps legacy headers to domain fields.

Suggestions come with a confidence so the wizard can show what it is unsure of; a mapping
file (JSON) saves a reviewed mapping and overrides the suggestions on the next import.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from app.core.errors import InvalidInputError
from app.migrate.readers import Cell, Sheet

ENTITIES = ("candidates", "jobs", "interviews", "training")

_CONTACT = {
    "name": [
        "姓名",
        "名字",
        "候选人",
        "候选人姓名",
        "应聘者",
        "应聘人",
        "员工姓名",
        "学员",
        "学员姓名",
        "name",
        "full name",
        "candidate",
        "candidate name",
        "employee",
    ],
    "phone": [
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "电话号码",
        "移动电话",
        "联系方式",
        "mobile",
        "phone",
        "phone number",
        "telephone",
        "tel",
        "cell",
        "mobile phone",
    ],
    "email": [
        "邮箱",
        "电子邮箱",
        "邮件",
        "电子邮件",
        "邮箱地址",
        "email",
        "e-mail",
        "mail",
        "email address",
    ],
}
FIELDS: dict[str, dict[str, list[str]]] = {
    "candidates": {
        **_CONTACT,
        "external_id": ["编号", "候选人编号", "简历编号", "id", "candidate id", "ats id"],
        "birth_date": [
            "出生日期",
            "生日",
            "出生年月",
            "出生年月日",
            "birth date",
            "date of birth",
            "dob",
            "birthday",
            "birthdate",
        ],
        "gender": ["性别", "gender", "sex"],
        # Split names (English ATS exports, some HR sheets): joined into the name.
        "family_name": ["姓", "姓氏", "surname", "last name", "family name", "lastname"],
        "given_name": ["名", "given name", "first name", "firstname", "forename"],
        # Matching evidence only: used to link records, never stored (data minimisation).
        "address": [
            "详细地址",
            "通讯地址",
            "联系地址",
            "街道地址",
            "street address",
            "street",
            "address line",
            "address 1",
            "mailing address",
            "postal address",
        ],
        "postcode": ["邮编", "邮政编码", "postcode", "post code", "postal code", "zip", "zip code"],
        "id_number": [
            "身份证号",
            "身份证号码",
            "身份证",
            "证件号",
            "证件号码",
            "id number",
            "id card number",
            "national id",
            "social security number",
            "soc sec id",
            "ssn",
        ],
        "city": [
            "城市",
            "所在地",
            "所在城市",
            "现居地",
            "居住地",
            "地址",
            "住址",
            "现住址",
            "家庭住址",
            "city",
            "location",
            "address",
            "suburb",
            "town",
        ],
        "education_level": [
            "学历",
            "最高学历",
            "教育程度",
            "学历层次",
            "education",
            "education level",
            "degree",
            "highest degree",
        ],
        "school": ["学校", "毕业院校", "毕业学校", "院校", "school", "university", "college"],
        "major": ["专业", "所学专业", "major", "field of study", "discipline"],
        "years_experience": [
            "工作年限",
            "工作经验",
            "经验年限",
            "年限",
            "从业年限",
            "years of experience",
            "experience years",
            "yoe",
            "years",
        ],
        "experience": [
            "工作经历",
            "工作履历",
            "履历",
            "任职经历",
            "work history",
            "employment history",
            "work experience",
            "experience",
        ],
        "skills": ["技能", "专业技能", "技能特长", "skills", "skill"],
        "career_goal": ["求职意向", "职业目标", "期望职位", "career goal", "objective"],
        "source": ["来源", "渠道", "简历来源", "source", "channel"],
    },
    "jobs": {
        "title": ["职位", "岗位", "职位名称", "岗位名称", "job title", "title", "position"],
        "department": ["部门", "所属部门", "department", "dept"],
        "city": ["工作地点", "城市", "地点", "city", "location"],
        "description": ["职位描述", "岗位职责", "工作职责", "description", "responsibilities"],
        "requirements": ["任职要求", "岗位要求", "requirements", "qualifications"],
        "education_level": ["学历要求", "学历", "education"],
        "years_experience": ["经验要求", "工作年限", "years of experience", "experience"],
        "headcount": ["招聘人数", "人数", "headcount", "openings"],
    },
    "interviews": {
        **_CONTACT,
        "job_title": ["应聘职位", "职位", "岗位", "job", "position", "job title"],
        "interviewer": ["面试官", "面试人", "interviewer"],
        "date": ["面试日期", "面试时间", "日期", "interview date", "date"],
        "round": ["轮次", "面试轮次", "round"],
        "score": ["评分", "分数", "得分", "score", "rating"],
        "result": ["结果", "面试结果", "结论", "result", "outcome", "decision"],
        "notes": ["评语", "面试评价", "备注", "notes", "comments", "feedback"],
    },
    "training": {
        **_CONTACT,
        "course": [
            "课程",
            "培训课程",
            "课程名称",
            "培训项目",
            "course",
            "course title",
            "training",
        ],
        "date": ["培训日期", "日期", "完成日期", "date", "completion date"],
        "hours": ["学时", "课时", "时长", "hours", "duration"],
        "result": ["成绩", "考核结果", "结果", "result", "score", "grade"],
        "provider": ["讲师", "培训机构", "提供方", "provider", "trainer", "instructor"],
    },
}
# A required field some files split over several columns: all of them stand in for it.
ALTERNATIVES: dict[str, dict[str, tuple[str, ...]]] = {
    "candidates": {"name": ("family_name", "given_name")},
}
# Fields used to link records and then dropped: never stored, never in a report.
LINK_ONLY = ("address", "postcode", "id_number")


def missing_required(entity: str, mapped: set[str] | list[str]) -> list[str]:
    """Required fields no column gives (a split name counts for the name)."""
    have = set(mapped)
    alt = ALTERNATIVES.get(entity, {})
    return [f for f in REQUIRED[entity] if f not in have and not (f in alt and set(alt[f]) <= have)]


REQUIRED: dict[str, tuple[str, ...]] = {
    "candidates": ("name",),
    "jobs": ("title",),
    "interviews": ("name",),
    "training": ("name", "course"),
}

_STRIP = re.compile(r"[\s_\-:：*#/\\.()（）\[\]【】]+")


def normalise_header(text: Cell) -> str:
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    # "工作年限(年)" / "Mobile (required)": a unit or note in brackets is not the name.
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    return _STRIP.sub("", s)


_SYNONYMS: dict[str, dict[str, str]] = {
    entity: {normalise_header(syn): f for f, syns in fields.items() for syn in syns}
    for entity, fields in FIELDS.items()
}


def score_header(header: Cell, entity: str) -> tuple[str | None, float]:
    """Best field for one header and how sure we are (1.0 = a known synonym)."""
    if header is None or not isinstance(header, str) or len(header) > 40:
        return None, 0.0  # numbers, dates and long text are data, not headers
    return _score_header(header, entity)


@lru_cache(maxsize=8192)
def _score_header(header: str, entity: str) -> tuple[str | None, float]:
    h = normalise_header(header)
    if not h:
        return None, 0.0
    table = _SYNONYMS[entity]
    if h in table:
        return table[h], 1.0
    best: tuple[str | None, float] = (None, 0.0)
    for syn, f in table.items():
        if len(syn) >= 2 and (syn in h or (len(h) >= 2 and h in syn)):
            # Longer overlaps say more: "手机号码(主)" vs "手机" beats "号" vs anything.
            conf = 0.6 + 0.3 * min(len(syn), len(h)) / max(len(syn), len(h))
        else:
            conf = 0.8 * difflib.SequenceMatcher(None, h, syn).ratio()
            if conf < 0.6:
                continue
        if conf > best[1]:
            best = (f, round(conf, 3))
    return best


@dataclass
class ColumnSuggestion:
    index: int
    header: str
    field: str | None
    confidence: float
    source: str = "suggested"  # suggested | mapping file


@dataclass
class HeaderGuess:
    row_index: int  # index into Sheet.rows of the (last) header row
    headers: list[str]
    score: int


def _row_score(row: list[Cell], entity: str) -> int:
    return sum(1 for c in row if score_header(c, entity)[1] >= 0.8)


def _combine(upper: list[Cell], lower: list[Cell]) -> list[Cell]:
    """Two header rows from merged cells: a group title spans several columns above their
    own names, and a name merged down two rows is blank in the lower one."""
    width = max(len(upper), len(lower))
    filled: list[Cell] = []
    last: Cell = None
    for i in range(width):
        value = upper[i] if i < len(upper) else None
        if value not in (None, ""):
            last = value
        filled.append(value if value not in (None, "") else last)
    out: list[Cell] = []
    for i in range(width):
        low = lower[i] if i < len(lower) else None
        up = upper[i] if i < len(upper) and upper[i] not in (None, "") else None
        out.append(low if low not in (None, "") else (up if up is not None else filled[i]))
    return out


def find_header(sheet: Sheet, entity: str, scan_rows: int = 30) -> HeaderGuess | None:
    """The header row: the row among the first `scan_rows` naming the most known fields."""
    if sheet.header_given:
        row = sheet.rows[0] if sheet.rows else []
        return HeaderGuess(0, [str(c or "") for c in row], _row_score(row, entity))
    best: HeaderGuess | None = None
    for i, row in enumerate(sheet.rows[:scan_rows]):
        score = _row_score(row, entity)
        if score and (best is None or score > best.score):
            best = HeaderGuess(i, [str(c) if c is not None else "" for c in row], score)
    if best is None:
        return None
    i = best.row_index
    for upper_i, lower_i in ((i, i + 1), (i - 1, i)):
        if upper_i < 0 or lower_i >= len(sheet.rows):
            continue
        combined = _combine(sheet.rows[upper_i], sheet.rows[lower_i])
        score = _row_score(combined, entity)
        if score > best.score:
            best = HeaderGuess(lower_i, [str(c) if c is not None else "" for c in combined], score)
    return best


class MappingFile(BaseModel):
    """A saved, reviewed mapping: header text -> field (null = ignore the column)."""

    version: int = 1
    entity: str
    columns: dict[str, str | None] = Field(default_factory=dict)
    sheets: list[str] | None = None
    header_row: int | None = Field(default=None, description="1-based row of the header")
    default_region: str = "CN"

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.model_dump(), ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(path)


def load_mapping(path: Path) -> MappingFile:
    try:
        data: Any = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInputError(f"The mapping file {path} does not exist.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"The mapping file {path} is not valid JSON ({exc}).") from exc
    try:
        mapping = MappingFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InvalidInputError(
            f"The mapping file {path} is invalid at '{where}': {first['msg']}."
        ) from exc
    if mapping.entity not in ENTITIES:
        raise InvalidInputError(
            f"The mapping file {path} names entity '{mapping.entity}' "
            f"(expected one of {', '.join(ENTITIES)})."
        )
    known = set(FIELDS[mapping.entity])
    for header, target in mapping.columns.items():
        if target is not None and target not in known:
            raise InvalidInputError(
                f"The mapping file {path} maps column '{header}' to unknown field '{target}' "
                f"(fields for {mapping.entity}: {', '.join(sorted(known))})."
            )
    return mapping


def suggest_columns(
    headers: list[str], entity: str, mapping: MappingFile | None = None
) -> list[ColumnSuggestion]:
    """One suggestion per column; each field goes to at most one column (the surest)."""
    overrides = {normalise_header(k): v for k, v in (mapping.columns if mapping else {}).items()}
    out: list[ColumnSuggestion] = []
    for i, h in enumerate(headers):
        key = normalise_header(h)
        if key and key in overrides:
            out.append(ColumnSuggestion(i, h, overrides[key], 1.0, "mapping file"))
        else:
            f, conf = score_header(h, entity)
            out.append(ColumnSuggestion(i, h, f, conf))
    taken: dict[str, ColumnSuggestion] = {}
    for s in sorted(out, key=lambda s: (s.source != "mapping file", -s.confidence, s.index)):
        if s.field is None:
            continue
        if s.field in taken or s.confidence < 0.6:
            s.field, s.confidence = None, 0.0
        else:
            taken[s.field] = s
    return out


def to_mapping_file(
    entity: str, suggestions: list[ColumnSuggestion], region: str = "CN"
) -> MappingFile:
    return MappingFile(
        entity=entity,
        columns={s.header: s.field for s in suggestions if s.header},
        default_region=region,
    )
