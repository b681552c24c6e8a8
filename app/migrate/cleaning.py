"""Cleaning of legacy values, with a log of every change and a reason for every rejection."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers

from app.core.domain import EducationLevel
from app.migrate.readers import Cell


class CleanError(ValueError):
    """A value that cannot be used; the message is the reason shown in the report."""


@dataclass
class Correction:
    row: int
    column: str
    field: str
    before: str
    after: str
    rule: str


@dataclass
class Flag:
    row: int
    field: str
    message: str


@dataclass
class CleanRow:
    sheet: str
    row: int
    values: dict[str, Any]
    corrections: list[Correction] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # Linkage keys of a candidate row, made beside the cleaning (see rows.clean_chunk).
    link_keys: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass
class Rejection:
    sheet: str
    row: int
    column: str
    field: str
    value: str
    reason: str


# --- text ------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def text(value: Cell) -> str:
    """NFKC folds full-width letters, digits and punctuation; whitespace is collapsed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(str(value))


@lru_cache(maxsize=131072)
def _text(s: str) -> str:
    # Cached: cities, schools, levels and dates repeat on most rows of a big file.
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s).replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", s).strip()


def prose(value: Cell) -> str:
    """Free text (notes, descriptions): whitespace collapsed, invisible characters dropped,
    nothing else touched. Folding "，" to "," or "：" to ":" would mangle Chinese prose."""
    s = text(value) if not isinstance(value, str) else value
    s = s.replace("\u200b", "").replace("\ufeff", "").replace("\u3000", " ")
    return _SPACES.sub(" ", s).strip()


def has_han(s: str) -> bool:
    return _HAN.search(s) is not None


def clean_name(value: Cell) -> tuple[str, str]:
    s = text(value)
    if not s:
        raise CleanError("the name is empty")
    if has_han(s):
        # "张 伟" and "张　伟" are typing artefacts; Chinese names carry no inner spaces
        # (a "·" between parts of minority and foreign names stays).
        s = s.replace(" ", "")
    if any(ch.isdigit() for ch in s) or "@" in s:
        raise CleanError("a name cannot contain digits or '@'")
    if len(s) > 60:
        raise CleanError("the name is longer than 60 characters")
    rule = "whitespace/full-width"
    if not has_han(s) and (s.islower() or s.isupper()):
        s = " ".join(w.capitalize() for w in s.split(" "))
        rule = "capitalisation"
    return s, rule


_CN_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_PHONE_JUNK = re.compile(r"[\s\-()./]")


@lru_cache(maxsize=65536)
def clean_phone(raw: str, region: str = "CN") -> str:
    """E.164. Chinese mobiles take a fast path; everything else goes to phonenumbers."""
    s = text(raw)
    if not s:
        raise CleanError("the phone number is empty")
    first = re.split(r"[;,，；、|]|\s/\s", s)[0]
    compact = _PHONE_JUNK.sub("", first)
    if region == "CN" and (m := _CN_MOBILE.match(compact)):
        return "+86" + m.group(1)
    try:
        num = phonenumbers.parse(first, region)
    except phonenumbers.NumberParseException as exc:
        raise CleanError(f"'{s}' is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(num):
        raise CleanError(f"'{s}' is not a valid phone number for region {region}")
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")


def clean_email(value: Cell) -> str:
    s = text(value).lower().replace(" ", "").replace("。", ".")
    s = s.removeprefix("mailto:")
    if not _EMAIL.match(s):
        raise CleanError(f"'{text(value)}' is not a valid e-mail address")
    return s


# --- dates -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def clean_date(value: Cell) -> tuple[dt.date, str]:
    """A date and the rule that read it; Excel serials (1900 system) are converted."""
    if isinstance(value, dt.datetime):
        return value.date(), "excel date"
    if isinstance(value, dt.date):
        return value, "excel date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), "excel serial"
        raise CleanError(f"{value} is not a date")
    s = text(value)
    if not s:
        raise CleanError("the date is empty")
    s = s.split(" ")[0] if re.match(r"^\d{4}\D\d{1,2}\D\d{1,2} \d", s) else s
    try:
        if m := _YMD.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "date format"
        if m := _COMPACT.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "date format"
        if m := _YM.match(s):
            return dt.date(int(m[1]), int(m[2]), 1), "month only: day set to 1"
        if m := _DMY.match(s):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            if a > 12 >= b:
                return dt.date(y, b, a), "day/month/year"
            if b > 12 >= a:
                return dt.date(y, a, b), "month/day/year"
            if a == b:
                return dt.date(y, a, b), "date format"
            raise CleanError(f"'{s}' is ambiguous (day/month or month/day)")
        if re.fullmatch(r"\d{5}(\.\d+)?", s):
            return _EXCEL_EPOCH + dt.timedelta(days=int(float(s))), "excel serial"
    except ValueError as exc:
        raise CleanError(f"'{s}' is not a real date ({exc})") from exc
    raise CleanError(f"'{s}' is not a date RoundTwo can read")


OLDEST_PLAUSIBLE_BIRTH_YEAR = 1930


def clean_birth_date(value: Cell, today: dt.date | None = None) -> tuple[dt.date, str]:
    """A real date at least 14 years ago, or CleanError. A very old date (before
    `OLDEST_PLAUSIBLE_BIRTH_YEAR`) is kept: the caller flags it for a person (a typo is as
    likely as a record of an older person, and the date still helps to match records)."""
    d, rule = clean_date(value)
    today = today or dt.date.today()
    if d > today.replace(year=today.year - 14):
        raise CleanError(f"birth date {d.isoformat()} is not plausible")
    return d, rule


# --- education and experience -----------------------------------------------------------------

_EDUCATION: list[tuple[tuple[str, ...], EducationLevel]] = [
    (("博士", "phd", "ph.d", "doctor", "doctorate", "dphil"), EducationLevel.DOCTORATE),
    (
        ("硕士", "研究生", "mba", "master", "msc", "m.sc", "m.s.", "ma ", "meng"),
        EducationLevel.MASTER,
    ),
    (
        ("本科", "学士", "大学", "bachelor", "bsc", "b.sc", "b.s.", "ba ", "beng", "undergraduate"),
        EducationLevel.BACHELOR,
    ),
    (("大专", "专科", "高职", "associate", "diploma", "junior college"), EducationLevel.ASSOCIATE),
    (("高中", "中专", "职高", "技校", "high school", "secondary"), EducationLevel.HIGH_SCHOOL),
]


@lru_cache(maxsize=4096)
def _education(s: str) -> EducationLevel:
    s = s.lower() + " "
    for words, level in _EDUCATION:
        if any(w in s for w in words):
            return level
    return EducationLevel.OTHER


def clean_education(value: Cell) -> EducationLevel:
    return _education(text(value))


_CN_NUM = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "半": 0.5,
}


def clean_years(value: Cell) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        years = float(value)
    else:
        s = text(value).lower()
        m = re.search(r"-?\d+(\.\d+)?", s)
        if m:
            years = float(m.group())
        elif s and all(ch in _CN_NUM or ch in "年以上左右" for ch in s):
            digits = [_CN_NUM[ch] for ch in s if ch in _CN_NUM]
            if "十" in s and len(digits) > 1:  # 十二 = 12, 二十 = 20
                i = s.index("十")
                tens = _CN_NUM.get(s[i - 1], 1) if i > 0 else 1
                ones = _CN_NUM.get(s[i + 1], 0) if i + 1 < len(s) else 0
                years = float(tens * 10 + ones)
            else:
                years = float(sum(digits))
        else:
            raise CleanError(f"'{text(value)}' is not a number of years")
    if not 0 <= years <= 60:
        raise CleanError(f"{years:g} years of experience is out of range (0-60)")
    return years


_RANGE = re.compile(
    r"(\d{4})\s*[.\-/年]?\s*(\d{1,2})?\s*月?\s*(?:-|–|—|~|～|至|到|to)\s*"
    r"(?:(\d{4})\s*[.\-/年]?\s*(\d{1,2})?\s*月?|(至今|今|现在|now|present))",
    re.IGNORECASE,
)


def parse_history(value: Cell, today: dt.date | None = None) -> list[dict[str, Any]]:
    """'2018.03-2020.06 公司A 工程师; 2020.07-至今 公司B' -> dated entries."""
    today = today or dt.date.today()
    entries: list[dict[str, Any]] = []
    for part in re.split(r"[;；\n|]+", text(value)):
        part = part.strip()
        if not part:
            continue
        m = _RANGE.search(part)
        if not m:
            entries.append({"text": part})
            continue
        start = f"{int(m[1]):04d}-{int(m[2] or 1):02d}"
        end = None if m[5] else f"{int(m[3]):04d}-{int(m[4] or 12):02d}"
        rest = (part[: m.start()] + " " + part[m.end() :]).strip(" ,，:：")
        entries.append({"start": start, "end": end, "text": rest})
    return entries


def history_years(entries: list[dict[str, Any]], today: dt.date | None = None) -> float | None:
    """Years covered by dated entries, overlaps counted once; None without dated entries."""
    today = today or dt.date.today()
    spans: list[tuple[int, int]] = []
    for e in entries:
        if "start" not in e:
            continue
        y, m = map(int, e["start"].split("-"))
        a = y * 12 + m - 1
        if e["end"] is None:
            b = today.year * 12 + today.month
        else:
            y2, m2 = map(int, e["end"].split("-"))
            b = y2 * 12 + m2
        if b > a:
            spans.append((a, b))
    if not spans:
        return None
    spans.sort()
    months, cur_a, cur_b = 0, spans[0][0], spans[0][1]
    for a, b in spans[1:]:
        if a > cur_b:
            months += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    months += cur_b - cur_a
    return round(months / 12, 1)


def experience_disagrees(stated: float, history: float) -> bool:
    """More than a year and more than a quarter apart: worth a person's look."""
    return abs(stated - history) > max(1.0, 0.25 * history)


def split_list(value: Cell) -> list[str]:
    return [p.strip() for p in re.split(r"[,，、;；/|]+", text(value)) if p.strip()]
