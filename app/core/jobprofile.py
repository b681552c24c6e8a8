"""Job profiles: competency model with BARS anchors and a structured question guide (YAML)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.core.domain import CareerTrack, CompetencyBar, CompetencyCategory, Lang, QuestionKind
from app.core.errors import NotFoundError, ProfileError

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
REQUIRED_ANCHOR_LEVELS = (2, 5, 8, 10)


class Text(BaseModel):
    """A text in both shipped languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: NonEmpty
    en: NonEmpty

    def get(self, lang: Lang | str) -> str:
        return self.zh if str(lang).startswith("zh") else self.en


class Phrases(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: list[NonEmpty] = Field(default_factory=list)
    en: list[NonEmpty] = Field(default_factory=list)

    def get(self, lang: Lang | str) -> list[str]:
        return self.zh if str(lang).startswith("zh") else self.en


class Competency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    category: CompetencyCategory
    name: Text
    definition: Text
    weight: float = Field(gt=0, le=1)
    required_level: int = Field(ge=0, le=10)
    anchors: dict[int, Text]
    indicators: Phrases
    counter_indicators: Phrases = Field(default_factory=Phrases)

    @model_validator(mode="after")
    def _anchors_cover_scale(self) -> Competency:
        missing = [lv for lv in REQUIRED_ANCHOR_LEVELS if lv not in self.anchors]
        if missing:
            raise ValueError(f"anchors for levels {missing} are missing (need 2, 5, 8 and 10)")
        bad = [lv for lv in self.anchors if not 0 <= lv <= 10]
        if bad:
            raise ValueError(f"anchor levels {bad} are outside 0..10")
        if not self.indicators.zh or not self.indicators.en:
            raise ValueError("indicators need at least one phrase in zh and in en")
        return self

    @property
    def bar(self) -> CompetencyBar:
        return CompetencyBar(self.id, self.weight, self.required_level)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    kind: QuestionKind
    text: Text
    competencies: list[Slug] = Field(min_length=1, max_length=3)
    minutes: int = Field(ge=1, le=30)
    probes: list[Text] = Field(default_factory=list)


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min: int = 0
    max: int = 10


class JobProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Slug
    version: int = Field(ge=1)
    title: Text
    department: Text
    summary: Text
    scale: Scale = Field(default_factory=Scale)
    match_threshold: float = Field(ge=0, le=100)
    career_path: Text
    career_track: CareerTrack
    competencies: list[Competency] = Field(min_length=1, max_length=12)
    questions: list[Question] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _consistent(self) -> JobProfile:
        if (self.scale.min, self.scale.max) != (0, 10):
            raise ValueError("scale must be 0..10")
        ids = [c.id for c in self.competencies]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"competency ids repeated: {dup}")
        qids = [q.id for q in self.questions]
        qdup = sorted({i for i in qids if qids.count(i) > 1})
        if qdup:
            raise ValueError(f"question ids repeated: {qdup}")
        total = sum(c.weight for c in self.competencies)
        if abs(total - 1.0) > 1e-3:
            raise ValueError(f"competency weights sum to {total:.3f}, not 1.0")
        known = set(ids)
        for q in self.questions:
            unknown = [c for c in q.competencies if c not in known]
            if unknown:
                raise ValueError(f"question {q.id} targets unknown competencies {unknown}")
        return self

    def competency(self, key: str) -> Competency:
        for c in self.competencies:
            if c.id == key:
                return c
        raise NotFoundError(f"Job {self.id} has no competency '{key}'.")

    @property
    def bars(self) -> list[CompetencyBar]:
        return [c.bar for c in self.competencies]

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _describe(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic location into a readable path that uses ids instead of list indexes."""
    parts: list[str] = []
    node = data
    for p in loc:
        if isinstance(p, int) and isinstance(node, list) and 0 <= p < len(node):
            item = node[p]
            ident = item.get("id") if isinstance(item, dict) else None
            parts.append(f"[{ident}]" if ident else f"[{p}]")
            node = item
        else:
            parts.append(f".{p}" if parts else str(p))
            node = node.get(p) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def load_profile(path: Path) -> JobProfile:
    """Parse and validate one profile file; errors name the file and the field."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise NotFoundError(f"Job profile file {path} does not exist.") from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: not UTF-8 text ({exc.reason}).") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(f"{path}: not valid YAML{where} ({problem}).") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping at the top level.")
    try:
        profile = JobProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _describe(tuple(first["loc"]), data)
        msg = re.sub(r"^Value error, ", "", first["msg"])
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ProfileError(f"{path}: field '{field}': {msg}{more}.") from exc
    if profile.id != path.stem:
        raise ProfileError(f"{path}: field 'id' is '{profile.id}' but must equal the file name.")
    return profile


def discover_profiles(dirs: Iterable[Path]) -> list[JobProfile]:
    """Every profile in the given folders, later folders overriding earlier ones by id."""
    found: dict[str, JobProfile] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            found[path.stem] = load_profile(path)
    return sorted(found.values(), key=lambda p: p.id)
