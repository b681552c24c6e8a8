"""Draft job profiles for imported job rows that no profile matches.

A spreadsheet row holds a title, a department and a description, not a competency model.
So a draft takes its competencies, weights, bars, anchors and questions from the closest
existing profile (by the characters of title, department and description) and says so at
the top of the file. Drafts are written to a folder the app does not load: a person reviews
the copied model, adds the missing translation and moves the file next to the other
profiles. Nothing is used in an interview until then."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlmodel import Session, col

from app.core.jobprofile import JobProfile
from app.migrate.cleaning import has_han
from app.migrate.legacy import title_key
from app.migrate.tables import ImportBatch, LegacyRecord

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Draft:
    path: Path
    profile: JobProfile
    template: str  # id of the profile the model was copied from
    similarity: float
    sources: tuple[str, ...]  # "file.xlsx row 7"


def _grams(text: str) -> set[str]:
    s = unicodedata.normalize("NFKC", text).lower()
    han = [c for c in s if "\u3400" <= c <= "\u9fff"]
    grams = {a + b for a, b in itertools.pairwise(han)} | set(han)
    return grams | set(_WORD.findall(s))


def _similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def _profile_text(p: JobProfile) -> str:
    return " ".join(
        (p.title.zh, p.title.en, p.department.zh, p.department.en, p.summary.zh, p.summary.en)
    )


def slug_for(title: str, taken: set[str]) -> str:
    """An ASCII profile id from a title (pinyin for Chinese), unique among `taken`."""
    from pypinyin import lazy_pinyin

    s = unicodedata.normalize("NFKC", title)
    words = lazy_pinyin(s, errors="ignore") if has_han(s) else _WORD.findall(s.lower())
    base = "-".join(_WORD.findall("-".join(words).lower()))[:48].strip("-") or "job"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _both(value: str | None, fallback: dict[str, str]) -> dict[str, str]:
    """The imported text goes into both languages (the other one is for a person to write);
    empty -> the template's text."""
    v = (value or "").strip()
    return {"zh": v, "en": v} if v else dict(fallback)


def make_drafts(
    s: Session, templates: Sequence[JobProfile], out_dir: Path, taken: set[str]
) -> list[Draft]:
    """One draft per distinct unmatched job title among the imported job rows."""
    if not templates:
        return []
    rows = s.execute(
        select(LegacyRecord.data, ImportBatch.file_name)  # type: ignore[call-overload]
        .join(ImportBatch, col(ImportBatch.id) == col(LegacyRecord.batch_id))
        .where(LegacyRecord.entity == "jobs", col(LegacyRecord.job_id).is_(None))
        .order_by(col(LegacyRecord.created_at))
    ).all()
    by_title: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for data, file_name in rows:
        key = title_key(data.get("title"))
        if key:
            by_title.setdefault(key, []).append((data, file_name))
    drafts: list[Draft] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for group in by_title.values():
        data = group[-1][0]  # the newest row's wording
        title = str(data["title"]).strip()
        text = " ".join(str(data.get(f) or "") for f in ("title", "department", "description"))
        scored = sorted(
            ((_similarity(text, _profile_text(t)), t.id, t) for t in templates),
            key=lambda x: (-x[0], x[1]),
        )
        similarity, _, template = scored[0]
        body = template.model_dump(mode="json")
        summary = str(data.get("description") or "").strip()
        if data.get("requirements"):
            summary = f"{summary}\n{str(data['requirements']).strip()}".strip()
        slug = slug_for(title, taken)
        body.update(
            id=slug,
            version=1,
            title=_both(title, body["title"]),
            department=_both(data.get("department"), body["department"]),
            summary=_both(summary, body["summary"]),
        )
        profile = JobProfile.model_validate(body)
        sources = tuple(
            f"{name} row {d.get('_source_row', '?')}"
            for d, name in sorted(group, key=lambda g: (g[1], g[0].get("_source_row", 0)))
        )
        path = out_dir / f"{slug}.yaml"
        header = [
            f"# DRAFT job profile for '{title}', made from the imported job row(s):",
            *(f"#   {src}" for src in sources),
            "# The competency model, weights, bars, anchors and questions are COPIED from the",
            f"# profile '{template.id}' ({template.title.zh} / {template.title.en}), the closest",
            f"# by title, department and description (similarity {similarity:.2f}).",
            "# Before use: review every competency, weight, bar and question for this job, write",
            "# the title, department and summary in the other language, then move this file",
            "# into the profiles folder one level up. Files in drafts/ are never loaded.",
        ]
        text_out = yaml.safe_dump(
            profile.model_dump(mode="json"), allow_unicode=True, sort_keys=False, width=100
        )
        path.write_text("\n".join(header) + "\n" + text_out, encoding="utf-8")
        drafts.append(Draft(path, profile, template.id, round(similarity, 4), sources))
    return drafts
