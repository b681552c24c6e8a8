"""Spreadsheet exports that cannot run formulas: cells starting = + - @ (or tab/CR) get a quote."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from app.core.errors import InvalidInputError

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """OWASP's CSV-injection rule: text a spreadsheet would read as a formula is prefixed
    with a single quote. Numbers stay numbers (a negative number is not a formula)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def export_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write .csv (UTF-8 with BOM, so Excel shows Chinese) or .xlsx, neutralised."""
    suffix = path.suffix.lower()
    safe_rows = ([neutralise(v) for v in r] for r in rows)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([neutralise(h) for h in header])
            w.writerows(safe_rows)
    elif suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("rows")
        ws.append([neutralise(h) for h in header])
        for r in safe_rows:
            # openpyxl would store a leading '=' as a formula; after neutralise() none has.
            ws.append(r)
        wb.save(path)
    else:
        raise InvalidInputError(f"Cannot export to {path.name}: use a .csv or .xlsx file name.")
