"""Labelled legacy data for tests and benchmarks: people, their corrupted duplicates, files.

Two corruption mixes exist on purpose: DEV (used while building the matcher) and HELD_OUT
(different seed, different weights, two extra corruptions) for the reported numbers.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉晨宇浩然欣怡子涵梓轩雨泽一诺思远佳琪文博天翼嘉怡诗琪俊杰晓东海峰志强建国春梅秋菊冬雪立新永红"
)
HOMOPHONES = {
    "伟": "玮",
    "芳": "方",
    "娜": "纳",
    "静": "婧",
    "丽": "莉",
    "强": "蔷",
    "磊": "垒",
    "军": "君",
    "洋": "阳",
    "艳": "燕",
    "杰": "洁",
    "涛": "滔",
    "明": "铭",
    "超": "朝",
    "华": "桦",
    "平": "萍",
    "刚": "钢",
    "辉": "晖",
    "晨": "辰",
    "宇": "雨",
    "浩": "昊",
    "欣": "馨",
    "文": "雯",
    "博": "波",
    "佳": "嘉",
    "俊": "骏",
    "峰": "锋",
    "志": "智",
}
EN_FIRST = [
    "James",
    "Mary",
    "John",
    "Linda",
    "Robert",
    "Susan",
    "Michael",
    "Karen",
    "David",
    "Emma",
    "Daniel",
    "Olivia",
    "Thomas",
    "Sophie",
    "Peter",
    "Grace",
    "Mark",
    "Alice",
    "Paul",
    "Chloe",
    "Kevin",
    "Laura",
    "Brian",
    "Hannah",
    "Steven",
    "Julia",
]
EN_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Martin",
    "Jackson",
    "Clarke",
    "Lewis",
    "Young",
]
CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "苏州",
    "天津",
    "重庆",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
]
SCHOOLS = [
    "清华大学",
    "北京大学",
    "浙江大学",
    "复旦大学",
    "武汉大学",
    "中山大学",
    "四川大学",
    "南京大学",
    "华中科技大学",
    "西安交通大学",
    "同济大学",
    "厦门大学",
]
EDUCATION = ["本科", "硕士", "大专", "博士", "高中", "Bachelor", "Master"]
DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com"]
HEADER = ["姓名", "手机", "邮箱", "出生日期", "城市", "学历", "毕业院校", "工作年限", "工作经历"]
FIELD_OF = dict(
    zip(
        HEADER,
        [
            "name",
            "phone",
            "email",
            "birth_date",
            "city",
            "education_level",
            "school",
            "years_experience",
            "experience",
        ],
        strict=True,
    )
)

DEV_MIX = {
    "pinyin": 3,
    "name_typo": 2,
    "phone_format": 3,
    "phone_changed": 2,
    "email_case": 2,
    "drop_email": 2,
    "drop_phone": 1,
    "birth_format": 2,
    "swap_phone_email": 1,
    "fullwidth": 2,
    "city_moved": 1,
    "space_in_name": 1,
}
HELD_OUT_MIX = {
    "pinyin": 2,
    "name_typo": 3,
    "phone_format": 2,
    "phone_changed": 3,
    "email_case": 1,
    "drop_email": 3,
    "drop_phone": 2,
    "birth_format": 1,
    "swap_phone_email": 2,
    "fullwidth": 1,
    "city_moved": 2,
    "space_in_name": 1,
    "name_order": 2,
    "email_domain_changed": 2,
}


@dataclass
class Person:
    key: int
    name: str
    phone: str
    email: str
    birth: dt.date
    city: str
    education: str
    school: str
    years: int


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["13", "15", "18", "17", "19"])
        + str(rng.randint(0, 9))
        + "".join(str(rng.randint(0, 9)) for _ in range(8))
    )


def make_people(
    n: int, rng: random.Random, english: float = 0.2, namesakes: float = 0.08
) -> list[Person]:
    """`namesakes`: share of people given the exact name of an earlier, different person."""
    people: list[Person] = []
    for key in range(n):
        if people and rng.random() < namesakes:
            name = rng.choice(people).name
        elif rng.random() < english:
            name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
        else:
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
            )
        handle = (
            "".join(lazy_pinyin(name)).replace(" ", "").lower()
            if not name.isascii()
            else name.replace(" ", ".").lower()
        )
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 13000))
        years = max(0, min(30, dt.date.today().year - birth.year - 22 - rng.randint(0, 3)))
        people.append(
            Person(
                key,
                name,
                _phone(rng),
                f"{handle}{rng.randint(1, 9999)}@{rng.choice(DOMAINS)}",
                birth,
                rng.choice(CITIES),
                rng.choice(EDUCATION),
                rng.choice(SCHOOLS),
                years,
            )
        )
    return people


def _history(p: Person) -> str:
    start = dt.date.today().year - p.years
    if p.years <= 0:
        return ""
    mid = start + max(1, p.years // 2)
    return f"{start}.03-{mid}.06 甲公司 工程师; {mid}.07-至今 乙公司 高级工程师"


def record(p: Person) -> dict[str, Any]:
    return {
        "姓名": p.name,
        "手机": p.phone,
        "邮箱": p.email,
        "出生日期": p.birth.isoformat(),
        "城市": p.city,
        "学历": p.education,
        "毕业院校": p.school,
        "工作年限": p.years,
        "工作经历": _history(p),
    }


_FULL = str.maketrans("0123456789@.", "０１２３４５６７８９＠．")


def corrupt(rec: dict[str, Any], op: str, rng: random.Random) -> None:
    name = rec["姓名"]
    if op == "pinyin" and not name.isascii():
        sy = lazy_pinyin(name)
        sur, given = sy[0].capitalize(), "".join(sy[1:]).capitalize()
        rec["姓名"] = rng.choice(
            [f"{sur} {given}", f"{given} {sur}", f"{sur}{given.lower()}", f"{sur.upper()} {given}"]
        )
    elif op == "name_order" and " " in name:
        a, b = name.split(" ", 1)
        rec["姓名"] = f"{b} {a}"
    elif op == "name_typo":
        if name.isascii():
            i = rng.randrange(1, len(name))
            if name[i] != " ":
                rec["姓名"] = name[:i] + rng.choice("aeiourn") + name[i + 1 :]
        else:
            chars = list(name)
            i = rng.randrange(1, len(chars))
            chars[i] = HOMOPHONES.get(chars[i], chars[i])
            rec["姓名"] = "".join(chars)
    elif op == "space_in_name":
        rec["姓名"] = " " + (" ".join(name) if not name.isascii() else name.upper()) + "  "
    elif op == "phone_format" and str(rec["手机"]).isdigit():
        d = rec["手机"]
        rec["手机"] = rng.choice(
            [
                f"+86 {d[:3]}-{d[3:7]}-{d[7:]}",
                f"{d[:3]} {d[3:7]} {d[7:]}",
                f"(0086){d}",
                f"86-{d}",
                f"{d[:3]}.{d[3:7]}.{d[7:]}",
            ]
        )
    elif op == "phone_changed":
        rec["手机"] = _phone(rng)
    elif op == "fullwidth":
        rec["手机"] = str(rec["手机"]).translate(_FULL)
        rec["邮箱"] = str(rec["邮箱"]).translate(_FULL)
    elif op == "email_case" and rec["邮箱"]:
        rec["邮箱"] = " " + rec["邮箱"].upper() + " "
    elif op == "email_domain_changed" and "@" in str(rec["邮箱"]).replace("＠", "@"):
        rec["邮箱"] = str(rec["邮箱"]).replace("＠", "@").split("@")[0] + "@" + rng.choice(DOMAINS)
    elif op == "drop_email":
        rec["邮箱"] = ""
    elif op == "drop_phone":
        rec["手机"] = ""
    elif op == "swap_phone_email":
        rec["手机"], rec["邮箱"] = rec["邮箱"], rec["手机"]
    elif (
        op == "birth_format"
        and isinstance(rec["出生日期"], str)
        and len(rec["出生日期"]) == 10
        and rec["出生日期"][4] == "-"
    ):
        d = dt.date.fromisoformat(rec["出生日期"])
        rec["出生日期"] = rng.choice(
            [
                f"{d.year}年{d.month}月{d.day}日",
                f"{d:%Y/%m/%d}",
                f"{d:%Y%m%d}",
                (d - dt.date(1899, 12, 30)).days,
            ]
        )
    elif op == "city_moved":
        rec["城市"] = rng.choice(CITIES)


def labelled(
    n_people: int,
    seed: int,
    mix: dict[str, int],
    dup_rate: float = 0.35,
    max_dups: int = 3,
    ops_per_dup: tuple[int, int] = (1, 3),
) -> tuple[list[dict[str, Any]], list[int]]:
    """Records (header -> raw value) and the person each belongs to, shuffled."""
    rng = random.Random(seed)
    people = make_people(n_people, rng)
    ops, weights = list(mix), list(mix.values())
    out: list[tuple[dict[str, Any], int]] = []
    for p in people:
        out.append((record(p), p.key))
        if rng.random() < dup_rate:
            for _ in range(rng.randint(1, max_dups)):
                rec = record(p)
                chosen = rng.choices(ops, weights, k=rng.randint(*ops_per_dup))
                # A swap moves whole values; applied last, so later edits hit the right field.
                for op in sorted(chosen, key=lambda o: o == "swap_phone_email"):
                    corrupt(rec, op, rng)
                out.append((rec, p.key))
    rng.shuffle(out)
    return [r for r, _ in out], [k for _, k in out]


# --- malformed rows ---------------------------------------------------------------------------

BAD_KINDS = {
    "empty_name": ("姓名", ""),
    "digit_name": ("姓名", "张三3"),
    "bad_phone": ("手机", "12345"),
    "bad_email": ("邮箱", "not-an-email"),
    "bad_birth": ("出生日期", "2099-13-45"),
    "future_birth": ("出生日期", "2030-01-01"),
    "bad_years": ("工作年限", "很多"),
    "negative_years": ("工作年限", "-3"),
}


def with_faults(
    records: list[dict[str, Any]], n_bad: int, seed: int
) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    """Replace `n_bad` records by broken ones; returns rows and {index: (column, kind)}."""
    rng = random.Random(seed)
    rows = [dict(r) for r in records]
    bad: dict[int, tuple[str, str]] = {}
    # A record whose phone and e-mail were swapped is only fixable while both are intact.
    plain = [i for i, r in enumerate(rows) if "@" not in str(r["手机"]).replace("＠", "@")]
    for i in rng.sample(plain, n_bad):
        kind = rng.choice(sorted(BAD_KINDS))
        column, value = BAD_KINDS[kind]
        rows[i][column] = value
        bad[i] = (column, kind)
    return rows, bad


# --- files ------------------------------------------------------------------------------------


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    encoding: str = "utf-8",
    header: Sequence[str] = HEADER,
    preamble: Sequence[str] = (),
) -> int:
    """Returns the file row number of the first data row."""
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        for line in preamble:
            w.writerow([line])
        w.writerow(list(header))
        for r in rows:
            w.writerow([r.get(h, "") for h in header])
    return len(preamble) + 2


def write_xlsx(
    path: Path,
    rows: Sequence[dict[str, Any]],
    header: Sequence[str] = HEADER,
    title_rows: int = 0,
    merged_header: bool = False,
    sheet: str = "候选人",
    serial_dates: bool = False,
) -> int:
    """An .xlsx; optional title rows above the header and a two-row merged header.
    Returns the row number of the first data row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    r = 1
    for t in range(title_rows):
        ws.cell(row=r, column=1, value=f"人才库导出 {t + 1}")
        r += 1
    if merged_header:
        # Row r: 姓名 merged down two rows; 联系方式 merged across 手机/邮箱; others down.
        for c, h in enumerate(header, start=1):
            if h in ("手机", "邮箱"):
                ws.cell(row=r + 1, column=c, value=h)
            else:
                ws.cell(row=r, column=c, value=h)
                ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
        c0 = list(header).index("手机") + 1
        ws.cell(row=r, column=c0, value="联系方式")
        ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c0 + 1)
        r += 2
    else:
        for c, h in enumerate(header, start=1):
            ws.cell(row=r, column=c, value=h)
        r += 1
    first = r
    for rec in rows:
        for c, h in enumerate(header, start=1):
            v = rec.get(h, "")
            if h == "出生日期" and serial_dates and isinstance(v, str) and len(v) == 10:
                with contextlib.suppress(ValueError):
                    v = (dt.date.fromisoformat(v.replace("/", "-")) - dt.date(1899, 12, 30)).days
            ws.cell(row=r, column=c, value=v if v != "" else None)
        r += 1
    wb.save(path)
    return first


def write_xlsx_fast(
    path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER
) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("candidates")
    ws.append(list(header))
    for rec in rows:
        ws.append([rec.get(h, "") for h in header])
    wb.save(path)
