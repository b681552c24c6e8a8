"""Cleaning one spreadsheet row into a candidate (or job/interview/training) record."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from typing import Any

from app.migrate import cleaning as cl
from app.migrate.linkkeys import person_from_values, person_keys
from app.migrate.mapping import LINK_ONLY, REQUIRED
from app.migrate.readers import Cell


def id_token(value: Cell) -> str:
    """An identity-document number as a one-way token: equal numbers give equal tokens
    (spaces, dashes, case and width ignored), and the number itself is never kept."""
    s = "".join(ch for ch in cl.text(value).upper() if ch.isalnum())
    return "id:" + hashlib.sha256(s.encode()).hexdigest()[:24]


def _blank(v: Cell) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _looks_like_email(v: Cell) -> bool:
    return isinstance(v, str) and "@" in cl.text(v)


def _looks_like_phone(v: Cell) -> bool:
    s = cl.text(v)
    return bool(s) and "@" not in s and sum(ch.isdigit() for ch in s) >= 7


def clean_candidate(
    sheet: str, row: int, values: dict[str, Cell], columns: dict[str, str], region: str = "CN"
) -> cl.CleanRow | cl.Rejection:
    """One candidate row: cleaned values with a log of changes, or the first reason to reject."""
    out = cl.CleanRow(sheet, row, {})

    def fix(f: str, before: Cell, after: Any, rule: str) -> None:
        b = "" if before is None else str(before)
        a = "" if after is None else str(after)
        if a != b:
            out.corrections.append(cl.Correction(row, columns.get(f, f), f, b, a, rule))

    def reject(f: str, why: str) -> cl.Rejection:
        raw = values.get(f)
        return cl.Rejection(sheet, row, columns.get(f, f), f, "" if raw is None else str(raw), why)

    phone_raw, email_raw = values.get("phone"), values.get("email")
    phone_wrong = _looks_like_email(phone_raw) or _blank(phone_raw)
    email_wrong = _looks_like_phone(email_raw) or _blank(email_raw)
    if phone_wrong and email_wrong and not (_blank(phone_raw) and _blank(email_raw)):
        values["phone"], values["email"] = values.get("email"), values.get("phone")
        out.corrections.append(
            cl.Correction(
                row,
                columns.get("phone", "phone"),
                "phone/email",
                str(values["email"]),
                str(values["phone"]),
                "phone and e-mail swapped",
            )
        )
    if _blank(values.get("name")) and not (
        _blank(values.get("family_name")) and _blank(values.get("given_name"))
    ):
        family, given = cl.text(values.get("family_name")), cl.text(values.get("given_name"))
        joined = family + given if cl.has_han(family + given) else f"{given} {family}".strip()
        out.corrections.append(
            cl.Correction(row, columns.get("name", "name"), "name", "", joined, "split name joined")
        )
        values["name"] = joined
    try:
        name, rule = cl.clean_name(values.get("name"))
    except cl.CleanError as exc:
        return reject("name", str(exc))
    fix("name", values.get("name"), name, rule)
    out.values["name"] = name
    simple: list[tuple[str, Callable[[Cell], Any], str]] = [
        ("phone", lambda v: cl.clean_phone(cl.text(v), region), "phone to E.164"),
        ("email", cl.clean_email, "e-mail normalised"),
        ("years_experience", cl.clean_years, "number of years"),
    ]
    for f, fn, rule in simple:
        raw = values.get(f)
        if _blank(raw):
            continue
        try:
            value = fn(raw)
        except cl.CleanError as exc:
            return reject(f, str(exc))
        fix(f, raw, value, rule)
        out.values[f] = value
    raw = values.get("birth_date")
    if not _blank(raw):
        try:
            d, rule = cl.clean_birth_date(raw)
        except cl.CleanError as exc:
            return reject("birth_date", str(exc))
        fix("birth_date", raw, d.isoformat(), rule)
        out.values["birth_date"] = d
        if d.year < cl.OLDEST_PLAUSIBLE_BIRTH_YEAR:
            out.flags.append(
                cl.Flag(
                    row,
                    "birth_date",
                    f"birth date {d.isoformat()} is unusually early; kept as written for a "
                    "person to check",
                )
            )
    raw = values.get("education_level")
    if not _blank(raw):
        level = cl.clean_education(raw)
        fix("education_level", raw, level.value, "education scale")
        out.values["education_level"] = level.value
    for f in ("city", "school", "major", "career_goal", "source", "external_id", "gender"):
        raw = values.get(f)
        if not _blank(raw):
            value = cl.text(raw)
            fix(f, raw, value, "whitespace/full-width")
            out.values[f] = value
    # Matching evidence only (dropped after the linkage keys are made, see `clean_chunk`):
    # no correction is logged, so the report never carries them either.
    for f in ("address", "postcode"):
        if not _blank(values.get(f)):
            out.values[f] = cl.text(values.get(f))
    if not _blank(values.get("id_number")):
        out.values["id_number"] = id_token(values.get("id_number"))
    raw = values.get("skills")
    if not _blank(raw):
        out.values["skills"] = cl.split_list(raw)
    raw = values.get("experience")
    if not _blank(raw):
        history = cl.parse_history(raw)
        out.values["experience"] = history
        years = cl.history_years(history)
        stated = out.values.get("years_experience")
        if years is not None and stated is not None and cl.experience_disagrees(stated, years):
            out.flags.append(
                cl.Flag(
                    row,
                    "years_experience",
                    f"states {stated:g} years of experience but the dated work history "
                    f"covers {years:g} years; left as stated for a person to check",
                )
            )
    return out


_NUMBERS = {"score", "hours", "headcount", "round", "years_experience"}
_DATES = {"date", "birth_date"}
_PROSE = {"notes", "description", "requirements"}


def clean_generic(
    entity: str,
    sheet: str,
    row: int,
    values: dict[str, Cell],
    columns: dict[str, str],
    region: str = "CN",
) -> cl.CleanRow | cl.Rejection:
    """Jobs, interviews and training rows: the same rules per field, no linkage."""
    out = cl.CleanRow(sheet, row, {})
    for f, raw in values.items():
        if _blank(raw):
            if f in REQUIRED[entity]:
                return cl.Rejection(sheet, row, columns.get(f, f), f, "", f"the {f} is empty")
            continue
        try:
            value: Any
            if f == "name":
                value = cl.clean_name(raw)[0]
            elif f == "phone":
                value = cl.clean_phone(cl.text(raw), region)
            elif f == "email":
                value = cl.clean_email(raw)
            elif f in _DATES:
                value = cl.clean_date(raw)[0].isoformat()
            elif f == "education_level":
                value = cl.clean_education(raw).value
            elif f in _PROSE:
                value = cl.prose(raw)
            elif f in _NUMBERS:
                value = cl.clean_years(raw) if f == "years_experience" else _number(raw)
            else:
                value = cl.text(raw)
        except cl.CleanError as exc:
            return cl.Rejection(sheet, row, columns.get(f, f), f, str(raw), str(exc))
        if str(value) != str(raw):
            out.corrections.append(
                cl.Correction(row, columns.get(f, f), f, str(raw), str(value), "cleaned")
            )
        out.values[f] = value
    for f in REQUIRED[entity]:
        if f not in out.values:
            return cl.Rejection(sheet, row, columns.get(f, f), f, "", f"the {f} is empty")
    return out


def _number(raw: Cell) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    try:
        return float(cl.text(raw).rstrip("分hH小时 "))
    except ValueError as exc:
        raise cl.CleanError(f"'{cl.text(raw)}' is not a number") from exc


def row_hash(entity: str, values: dict[str, Any]) -> str:
    """Fingerprint of a cleaned row. repr() of sorted items is deterministic for the
    value types cleaning produces (str, float, date, lists of str/dict) and cheap."""
    body = repr(sorted(values.items()))
    return hashlib.sha256(f"{entity}\n{body}".encode()).hexdigest()


# Which cell of a row holds which field, and each field's header (for the report): one per
# sheet, shared by its rows.
ColumnSpec = tuple[tuple[tuple[int, str], ...], dict[str, str]]
# (sheet, row number, the row's cells, its sheet's ColumnSpec). The cells are mapped to
# fields where the row is cleaned (in a worker process for a big file).
CleanJob = tuple[str, int, list[Cell], ColumnSpec]
Cleaned = tuple[cl.CleanRow | cl.Rejection, str]


def warm() -> tuple[int, str | None]:
    """Run first in each cleaning worker (importing this module is the warm-up). Returns the
    worker's pid and the file of the main module it ran besides its own start-up code (a
    spawned child re-runs the parent's main module unless that is hidden; it should be None)."""
    return os.getpid(), getattr(sys.modules.get("__main__"), "__file__", None)


def clean_chunk(entity: str, region: str, jobs: list[CleanJob]) -> list[Cleaned]:
    """Clean rows and fingerprint the accepted ones, in order."""
    out: list[Cleaned] = []
    for sheet, number, cells, (fields, headers) in jobs:
        n = len(cells)
        values = {f: (cells[j] if j < n else None) for j, f in fields}
        result = (
            clean_candidate(sheet, number, values, headers, region)
            if entity == "candidates"
            else clean_generic(entity, sheet, number, values, headers, region)
        )
        if isinstance(result, cl.Rejection):
            out.append((result, ""))
            continue
        if entity == "candidates":
            result.link_keys = person_keys(person_from_values(result.values))
            for f in LINK_ONLY:
                result.values.pop(f, None)
        out.append((result, row_hash(entity, result.values)))
    return out
