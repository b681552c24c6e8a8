"""Checks that run before a spreadsheet is parsed: size caps, zip bombs, XML entity bombs."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InvalidInputError


@dataclass(frozen=True)
class Limits:
    """Caps on what one import may unpack; far above any real HR spreadsheet."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_uncompressed_bytes: int = 768 * 1024 * 1024
    max_member_ratio: float = 120.0
    max_members: int = 5_000
    max_rows: int = 2_000_000


DEFAULT_LIMITS = Limits()
# A ratio alone flags tiny, very regular parts (a 2 kB styles.xml can compress 50x); only
# members that unpack to more than this are held to the ratio.
_RATIO_FLOOR_BYTES = 4 * 1024 * 1024
# XML keywords are case-sensitive: a parser rejects "<!doctype", so only these can work.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 20


def check_file_size(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InvalidInputError(
            f"The file {path.name} is {size // (1024 * 1024)} MB, more than the "
            f"{limits.max_file_bytes // (1024 * 1024)} MB an import accepts.",
            hint="Split it into smaller files.",
        )


def check_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse zip bombs and XML entity expansion before any parser sees the file.

    Sizes declared in the zip directory are checked first (cheap); then every XML part is
    streamed through the decompressor with a running cap (declared sizes can lie) and
    scanned for a DTD, which a spreadsheet never needs and which billion-laughs relies on."""
    check_file_size(path, limits)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInputError(
            f"The file {path.name} is not a valid .xlsx workbook ({exc})."
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise _bomb(path, f"it has {len(infos)} parts")
        declared = 0
        for info in infos:
            declared += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_FLOOR_BYTES and ratio > limits.max_member_ratio:
                raise _bomb(path, f"part {info.filename} expands {ratio:.0f}-fold")
        if declared > limits.max_uncompressed_bytes:
            raise _bomb(path, f"it unpacks to {declared // (1024 * 1024)} MB")
        total = 0
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            tail = b""
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.max_uncompressed_bytes:
                            raise _bomb(path, "it unpacks to more than its declared size")
                        window = tail + chunk[:64]
                        if any(m in chunk or m in window for m in _DTD_MARKERS):
                            raise InvalidInputError(
                                f"The file {path.name} was refused: part {info.filename} "
                                "declares a DTD or XML entities, which spreadsheets never need "
                                "and which can expand without bound (billion laughs).",
                                hint="Re-save it from Excel or LibreOffice.",
                            )
                        tail = chunk[-64:]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InvalidInputError(
                    f"The file {path.name} is a damaged .xlsx workbook ({exc})."
                ) from exc


def _bomb(path: Path, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"The file {path.name} was refused as a possible zip bomb: {why}, beyond the "
        "import limits.",
        hint="Re-save it from Excel or LibreOffice, or split it.",
    )
