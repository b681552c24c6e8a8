"""Course catalogue: bundled bilingual courses, Excel/CSV import, storage in the Course table."""

from __future__ import annotations

import csv
import enum
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlmodel import Session, col, select

from app.core.errors import InvalidInputError, NotFoundError
from app.core.paths import resources_dir
from app.storage import repo
from app.storage.tables import Competency, Course

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

log = logging.getLogger(__name__)

BUNDLED_FILE = "courses/catalogue.yaml"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CourseImportError(InvalidInputError):
    """A course file or row that cannot be used; the message names the file, row and field."""


class CourseFormat(enum.StrEnum):
    ONLINE = "online"
    WORKSHOP = "workshop"
    MENTORING = "mentoring"
    ON_THE_JOB = "on-the-job"


class CourseLanguage(enum.StrEnum):
    ZH = "zh"
    EN = "en"
    BILINGUAL = "bilingual"


FORMAT_LABELS: dict[CourseFormat, tuple[str, str]] = {
    CourseFormat.ONLINE: ("线上课程", "online course"),
    CourseFormat.WORKSHOP: ("工作坊", "workshop"),
    CourseFormat.MENTORING: ("导师辅导", "mentoring"),
    CourseFormat.ON_THE_JOB: ("在岗任务", "on-the-job task"),
}

# Spreadsheets written by HR often use Chinese words for the enumerations.
_FORMAT_ALIASES = {
    "线上": "online",
    "线上课程": "online",
    "在线": "online",
    "e-learning": "online",
    "工作坊": "workshop",
    "面授": "workshop",
    "导师": "mentoring",
    "导师辅导": "mentoring",
    "带教": "mentoring",
    "在岗任务": "on-the-job",
    "在岗": "on-the-job",
    "on-the-job task": "on-the-job",
    "on_the_job": "on-the-job",
    "task": "on-the-job",
}
_LANGUAGE_ALIASES = {
    "中文": "zh",
    "英文": "en",
    "双语": "bilingual",
    "中英": "bilingual",
    "中英文": "bilingual",
    "zh/en": "bilingual",
    "zh+en": "bilingual",
}


class CourseSpec(BaseModel):
    """One course: which competencies it builds and for learners between which BARS levels.

    `min_level`..`max_level` is the level range the course is designed for: it suits a learner
    whose current level is at least `min_level` and below `max_level`, and aims to bring them
    up to `max_level`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Key
    title_zh: NonEmpty
    title_en: NonEmpty
    competencies: list[Key] = Field(min_length=1)
    min_level: int = Field(ge=0, le=10)
    max_level: int = Field(ge=0, le=10)
    format: CourseFormat
    hours: float = Field(gt=0, le=200)
    language: CourseLanguage
    provider: NonEmpty

    def check(self) -> None:
        if self.min_level >= self.max_level:
            raise ValueError(f"min_level {self.min_level} must be below max_level {self.max_level}")

    def suits(self, competency: str, level: float) -> bool:
        return competency in self.competencies and self.min_level <= level < self.max_level

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en

    def as_ref(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_row(cls, row: Course) -> CourseSpec:
        return cls(
            key=row.key,
            title_zh=row.title_zh,
            title_en=row.title_en,
            competencies=list(row.competency_keys),
            min_level=row.min_level,
            max_level=row.max_level,
            format=CourseFormat(row.format),
            hours=row.hours,
            language=CourseLanguage(row.language),
            provider=row.provider,
        )


def _field_of(err: Any) -> str:
    loc = [str(p) for p in err["loc"]]
    return ".".join(loc) if loc else "row"


def _validate(data: dict[str, Any], where: str) -> CourseSpec:
    """Build a spec or raise one sentence naming `where` (file and row) and the field."""
    try:
        spec = CourseSpec.model_validate(data)
        spec.check()
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CourseImportError(
            f"{where}, field '{_field_of(err)}': {err['msg']} (got {err.get('input')!r})."
        ) from exc
    except ValueError as exc:
        raise CourseImportError(f"{where}, field 'min_level': {exc}.") from exc
    return spec


def _check_unique_and_known(
    specs: Sequence[tuple[str, CourseSpec]], known_competencies: set[str] | None
) -> None:
    seen: dict[str, str] = {}
    for where, spec in specs:
        if spec.key in seen:
            raise CourseImportError(
                f"{where}, field 'key': course '{spec.key}' already appears at {seen[spec.key]}."
            )
        seen[spec.key] = where
        if known_competencies is not None:
            unknown = [c for c in spec.competencies if c not in known_competencies]
            if unknown:
                raise CourseImportError(
                    f"{where}, field 'competencies': unknown competency {unknown[0]!r} "
                    f"(known: {', '.join(sorted(known_competencies))})."
                )


# --- the bundled catalogue ----------------------------------------------------------------------


def bundled_catalogue_path() -> Path:
    return resources_dir() / BUNDLED_FILE


def load_catalogue_yaml(
    path: Path | None = None, known_competencies: set[str] | None = None
) -> list[CourseSpec]:
    """Read a YAML catalogue (`courses:` list); errors name the file, course and field."""
    path = path or bundled_catalogue_path()
    if not path.exists():
        raise NotFoundError(f"The course catalogue {path} does not exist.")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CourseImportError(f"{path}: not a readable UTF-8 YAML file ({exc}).") from exc
    if not isinstance(data, dict) or not isinstance(data.get("courses"), list):
        raise CourseImportError(f"{path}: expected a mapping with a 'courses' list.")
    specs: list[tuple[str, CourseSpec]] = []
    for i, item in enumerate(data["courses"], 1):
        name = item.get("key", "?") if isinstance(item, dict) else "?"
        where = f"{path}: course {i} ({name})"
        if not isinstance(item, dict):
            raise CourseImportError(f"{where}: expected a mapping.")
        flat = dict(item)
        title = flat.pop("title", None)
        if isinstance(title, dict):
            flat.setdefault("title_zh", title.get("zh"))
            flat.setdefault("title_en", title.get("en"))
        specs.append((where, _validate(flat, where)))
    _check_unique_and_known(specs, known_competencies)
    return [s for _, s in specs]


# --- Excel / CSV import -------------------------------------------------------------------------

# Column headers accepted in a spreadsheet (lower-cased English or the usual Chinese names).
COLUMN_ALIASES: dict[str, str] = {
    "key": "key",
    "id": "key",
    "课程编号": "key",
    "编号": "key",
    "title_zh": "title_zh",
    "课程名称": "title_zh",
    "中文名称": "title_zh",
    "title_en": "title_en",
    "英文名称": "title_en",
    "competencies": "competencies",
    "competency_keys": "competencies",
    "胜任力": "competencies",
    "min_level": "min_level",
    "最低级别": "min_level",
    "max_level": "max_level",
    "最高级别": "max_level",
    "format": "format",
    "形式": "format",
    "hours": "hours",
    "学时": "hours",
    "language": "language",
    "语言": "language",
    "provider": "provider",
    "提供方": "provider",
}
REQUIRED_COLUMNS = (
    "key",
    "title_zh",
    "title_en",
    "competencies",
    "min_level",
    "max_level",
    "format",
    "hours",
    "language",
    "provider",
)
_SPLIT = re.compile(r"[;,，；、|/\s]+")


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    unchanged: list[str]


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a person typed: 5 not 5.0, empty for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(path: Path, suffix: str) -> list[list[str]]:
    """Every row of the first sheet or of the CSV file, header first, blank rows left out."""
    if suffix in (".xlsx", ".xlsm"):
        from app.migrate.readers import read_source

        # The legacy import's reader: the same size and archive checks as every spreadsheet.
        sheets = read_source(path).sheets
        grid = [[_cell(v) for v in row] for row in sheets[0].rows] if sheets else []
    else:
        raw = path.read_bytes()
        text = None
        # Excel on Chinese Windows saves CSV as GBK; gb18030 is its superset.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise CourseImportError(f"{path}: the file is neither UTF-8 nor GBK text.")
        grid = list(csv.reader(io.StringIO(text, newline="")))
    return [row for row in grid if any(cell.strip() for cell in row)]


def _read_table(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise NotFoundError(f"The course file {path} does not exist.")
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise CourseImportError(
            f"{path}: unsupported file type '{suffix or '(none)'}' (use .csv or .xlsx)."
        )
    try:
        grid = _read_rows(path, suffix)
    except CourseImportError:
        raise
    except Exception as exc:  # openpyxl/zipfile/csv raise many types for a damaged file
        raise CourseImportError(f"{path}: cannot be read as a table ({exc}).") from exc
    header = [COLUMN_ALIASES.get(h.strip().lower(), h.strip()) for h in grid[0]] if grid else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CourseImportError(
            f"{path}: missing column(s) {', '.join(missing)} in the header row."
        )
    where = {c: header.index(c) for c in REQUIRED_COLUMNS}
    return [
        {c: (row[i] if i < len(row) else "").strip() for c, i in where.items()} for row in grid[1:]
    ]


def _number(value: str, where: str, field: str, *, integer: bool) -> float:
    try:
        number = float(value)
    except ValueError:
        raise CourseImportError(f"{where}, field '{field}': {value!r} is not a number.") from None
    if integer and number != int(number):
        raise CourseImportError(f"{where}, field '{field}': {value!r} is not a whole level.")
    return number


def read_course_file(path: Path, known_competencies: set[str] | None = None) -> list[CourseSpec]:
    """Read and validate every row of a .csv (UTF-8 or GBK) or .xlsx course list.

    The first bad row raises a CourseImportError naming the file, the spreadsheet row number
    (header = row 1) and the field, so the caller can refuse the whole file."""
    specs: list[tuple[str, CourseSpec]] = []
    for i, row in enumerate(_read_table(path)):
        where = f"{path}: row {i + 2}"
        if not any(row.values()):
            continue
        data: dict[str, Any] = dict(row)
        data["competencies"] = [c for c in _SPLIT.split(row["competencies"].lower()) if c]
        for field in ("min_level", "max_level"):
            data[field] = int(_number(row[field], where, field, integer=True))
        data["hours"] = _number(row["hours"], where, "hours", integer=False)
        fmt = row["format"].strip().lower()
        data["format"] = _FORMAT_ALIASES.get(fmt, fmt)
        language = row["language"].strip().lower()
        data["language"] = _LANGUAGE_ALIASES.get(language, language)
        specs.append((where, _validate(data, where)))
    if not specs:
        raise CourseImportError(f"{path}: no course rows below the header.")
    _check_unique_and_known(specs, known_competencies)
    return [s for _, s in specs]


# --- storage ------------------------------------------------------------------------------------


def known_competency_keys(session: Session) -> set[str]:
    return {c.key for c in session.exec(select(Competency)).all()}


def store_courses(
    session: Session, specs: Iterable[CourseSpec], *, overwrite: bool = True
) -> ImportResult:
    """Insert or update courses by key (through repo.save, so the hub learns of them)."""
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for spec in specs:
        row = session.exec(select(Course).where(Course.key == spec.key)).first()
        values: dict[str, Any] = {
            "title_zh": spec.title_zh,
            "title_en": spec.title_en,
            "competency_keys": list(spec.competencies),
            "min_level": spec.min_level,
            "max_level": spec.max_level,
            "format": spec.format.value,
            "hours": spec.hours,
            "language": spec.language.value,
            "provider": spec.provider,
        }
        if row is None:
            repo.save(session, Course(key=spec.key, **values))
            added.append(spec.key)
            continue
        if all(getattr(row, k) == v for k, v in values.items()) or not overwrite:
            unchanged.append(spec.key)
            continue
        for k, v in values.items():
            setattr(row, k, v)
        repo.save(session, row)
        updated.append(spec.key)
    return ImportResult(added, updated, unchanged)


def ensure_bundled_courses(session: Session) -> ImportResult:
    """Add bundled courses not yet in the table; courses already there (maybe edited) stay."""
    return store_courses(session, load_catalogue_yaml(), overwrite=False)


def list_courses(session: Session) -> list[CourseSpec]:
    rows = session.exec(select(Course).order_by(col(Course.key))).all()
    return [CourseSpec.from_row(r) for r in rows]
