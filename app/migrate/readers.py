"""Readers for legacy files: .xlsx/.xls/.csv/.tsv/.json into plain rows with source numbers."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import InvalidInputError
from app.migrate.safety import DEFAULT_LIMITS, Limits, check_file_size, check_xlsx

log = logging.getLogger(__name__)

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUPPORTED = (*SPREADSHEET_SUFFIXES, *TEXT_SUFFIXES, ".json")


@dataclass
class Sheet:
    """One table of a source file. `numbers[i]` is the row number a person sees for `rows[i]`
    (spreadsheet row, CSV record counted from 1, or JSON record index from 1)."""

    name: str
    rows: list[list[Cell]]
    numbers: list[int]
    encoding: str | None = None
    header_given: bool = False  # JSON: the first row is the key list, not file content


@dataclass
class SourceFile:
    path: Path
    sheets: list[Sheet] = field(default_factory=list)
    encoding: str | None = None


def read_source(path: Path, limits: Limits = DEFAULT_LIMITS) -> SourceFile:
    """Read every sheet of `path`; the format comes from the suffix (and the zip signature)."""
    if not path.is_file():
        raise InvalidInputError(f"The file {path} does not exist or is not a file.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InvalidInputError(
            f"The file {path.name} has an unsupported type '{suffix}' "
            f"(supported: {', '.join(SUPPORTED)})."
        )
    check_file_size(path, limits)
    if suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, limits)
        sheets = _read_workbook(path)
    elif suffix == ".xls":
        sheets = _read_workbook(path)
    elif suffix == ".json":
        sheets = [_read_json(path)]
    else:
        sheets = [_read_delimited(path)]
    total = sum(len(s.rows) for s in sheets)
    if total > limits.max_rows:
        raise InvalidInputError(
            f"The file {path.name} has {total} rows, more than the {limits.max_rows} an "
            "import accepts.",
            hint="Split it into smaller files.",
        )
    return SourceFile(path, sheets, sheets[0].encoding if sheets else None)


# --- spreadsheets ---------------------------------------------------------------------------


def _read_workbook(path: Path) -> list[Sheet]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - the fallback readers are slower but complete
        return _read_workbook_fallback(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells: list[list[Cell]] = [list(r) for r in rows]
            sheets.append(Sheet(name, cells, list(range(1, len(cells) + 1))))
        return sheets
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InvalidInputError(
            f"The file {path.name} cannot be read as a spreadsheet ({exc})."
        ) from exc


def _read_workbook_fallback(path: Path) -> list[Sheet]:
    sheets = []
    if path.suffix.lower() == ".xls":
        import xlrd

        book = xlrd.open_workbook(str(path))
        for sh in book.sheets():
            rows: list[list[Cell]] = []
            for r in range(sh.nrows):
                row: list[Cell] = []
                for c in range(sh.ncols):
                    cell = sh.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    else:
                        row.append(cell.value if cell.value != "" else None)
                rows.append(row)
            sheets.append(Sheet(sh.name, rows, list(range(1, len(rows) + 1))))
        return sheets
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            sheets.append(Sheet(ws.title, rows, list(range(1, len(rows) + 1))))
    finally:
        wb.close()
    return sheets


# --- delimited text -------------------------------------------------------------------------


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding found: a BOM wins, then strict UTF-8, then GB18030 (a superset
    of GBK and GB2312, what Chinese Excel writes), then charset-normalizer's best guess."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc), enc
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InvalidInputError(
            f"The file {name} is not text in any encoding RoundTwo recognises "
            "(tried UTF-8, GB18030/GBK and automatic detection).",
            hint="Save it as CSV UTF-8 from Excel.",
        )
    return str(best), best.encoding


def _read_delimited(path: Path) -> Sheet:
    text, encoding = decode_bytes(path.read_bytes(), path.name)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        sample = text[:16384]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            counts = {d: sample.count(d) for d in ",\t;|"}
            delimiter = max(counts, key=lambda d: counts[d])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    try:
        for record in reader:
            rows.append(list(record))
            numbers.append(len(rows))
    except csv.Error as exc:
        raise InvalidInputError(
            f"The file {path.name} is not valid CSV near record {len(rows) + 1} ({exc})."
        ) from exc
    return Sheet(path.stem, rows, numbers, encoding)


# --- ATS JSON exports -----------------------------------------------------------------------


def _records_in(doc: Any) -> list[dict[str, Any]] | None:
    if isinstance(doc, list) and all(isinstance(x, dict) for x in doc):
        return doc
    if isinstance(doc, dict):
        for value in doc.values():
            found = _records_in(value)
            if found:
                return found
    return None


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out[name] = "; ".join(str(v) for v in value)
            else:
                out[name] = json.dumps(value, ensure_ascii=False)
        elif value is None or isinstance(value, str | int | float | bool):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _read_json(path: Path) -> Sheet:
    text, encoding = decode_bytes(path.read_bytes(), path.name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"The file {path.name} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from exc
    records = _records_in(doc)
    if records is None:
        raise InvalidInputError(
            f"The file {path.name} holds no list of records (expected a JSON array of objects)."
        )
    flat = [_flatten(r) for r in records]
    keys: dict[str, None] = {}
    for r in flat:
        keys.update(dict.fromkeys(r))
    header: list[Cell] = list(keys)
    rows: list[list[Cell]] = [header, *([r.get(k) for k in keys] for r in flat)]
    return Sheet(path.stem, rows, list(range(len(rows))), encoding, header_given=True)
