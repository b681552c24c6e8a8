"""Imported history: which stored candidate a legacy interview or training row is about, and
which job profile an interview or job row names.

People are linked with the same record linkage as the de-duplication of candidates (the
same keys, the same probabilities); a row is linked only when its cluster holds exactly one
stored candidate at the auto-merge threshold. Anything weaker stays unlinked and is
reported with the best probability seen, so a person can fix the file (add the phone or
e-mail) and import it again; rows already imported are linked again by every later import,
e.g. once the candidates themselves have been imported.

Jobs are linked by title (Chinese, English or the profile id, compared without case, width,
spaces or punctuation). A title two profiles share links to neither."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.migrate.linkage import AUTO_MERGE, REVIEW, link
from app.migrate.linkkeys import person_from_values, person_keys
from app.migrate.tables import LegacyRecord
from app.storage.tables import Candidate, Job
from app.storage.types import utcnow

PEOPLE_ENTITIES = ("interviews", "training")
JOB_FIELDS = {"interviews": "job_title", "jobs": "title"}
_PERSON_FIELDS = ("name", "phone", "email", "birth_date", "city", "school")
_TITLE_STRIP = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class PersonLink:
    candidate_id: uuid.UUID | None
    probability: float | None  # of the link; None when unlinked
    best: float | None = None  # unlinked: the strongest pair with a stored candidate, if any


def stored_candidates(
    s: Session, changed_after: dt.datetime | None = None
) -> tuple[list[uuid.UUID], list[dict[str, Any]]]:
    """Ids and linkage keys of the stored candidates (those changed after a time)."""
    cols = [getattr(Candidate, f) for f in ("id", *_PERSON_FIELDS)]
    query = select(*cols)
    if changed_after is not None:
        query = query.where(col(Candidate.updated_at) > changed_after)
    ids: list[uuid.UUID] = []
    keys: list[dict[str, Any]] = []
    for row in s.execute(query).all():
        values = dict(zip(_PERSON_FIELDS, row[1:], strict=True))
        ids.append(row[0])
        keys.append(person_keys(person_from_values(values, existing=True)))
    return ids, keys


def link_people(
    stored_ids: Sequence[uuid.UUID],
    stored_keys: Sequence[dict[str, Any]],
    rows: Sequence[dict[str, Any]],
    auto_merge: float = AUTO_MERGE,
) -> list[PersonLink]:
    """For each row (cleaned values with at least a name), the stored candidate it is about."""
    if not rows:
        return []
    if not stored_ids:
        return [PersonLink(None, None) for _ in rows]
    n = len(stored_ids)
    keys = list(stored_keys) + [
        person_keys(person_from_values({f: r.get(f) for f in _PERSON_FIELDS})) for r in rows
    ]
    result = link(None, auto_merge, REVIEW, keys=keys)
    out: list[PersonLink | None] = [None] * len(rows)
    for group in result.clusters:
        stored = [i for i in group if i < n]
        prob = result.cluster_probability.get(min(group), 1.0)
        for i in group:
            if i < n:
                continue
            if len(stored) == 1:
                out[i - n] = PersonLink(stored_ids[stored[0]], round(prob, 4))
            else:
                out[i - n] = PersonLink(None, None)
    best: dict[int, float] = {}
    for pair in result.pairs:
        a, b = sorted((pair.left, pair.right))
        if a < n <= b:
            best[b - n] = max(best.get(b - n, 0.0), pair.probability)
    return [
        x if x is not None and x.candidate_id is not None else PersonLink(None, None, best.get(i))
        for i, x in enumerate(out)
    ]


def title_key(text: Any) -> str:
    return _TITLE_STRIP.sub("", unicodedata.normalize("NFKC", str(text or "")).lower())


def job_titles(s: Session) -> dict[str, uuid.UUID | None]:
    """Normalised title or id -> job; None where two profiles share it (ambiguous)."""
    found: dict[str, uuid.UUID | None] = {}
    cols = (Job.id, Job.slug, Job.title_zh, Job.title_en)
    for jid, slug, zh, en in s.execute(select(*cols)):  # type: ignore[call-overload]
        for key in {title_key(slug), title_key(zh), title_key(en)} - {""}:
            found[key] = jid if found.get(key, jid) == jid else None
    return found


@dataclass
class LinkOutcome:
    """What linking the rows of one import (or the rows left from earlier ones) gave."""

    people: list[PersonLink]
    jobs: list[uuid.UUID | None]


def link_rows(
    s: Session, entity: str, rows: Sequence[dict[str, Any]], auto_merge: float = AUTO_MERGE
) -> LinkOutcome:
    """Links for freshly cleaned rows of `entity` against what `s` sees."""
    people: list[PersonLink] = []
    if entity in PEOPLE_ENTITIES:
        ids, keys = stored_candidates(s)
        people = link_people(ids, keys, rows, auto_merge)
    jobs: list[uuid.UUID | None] = []
    field = JOB_FIELDS.get(entity)
    if field is not None:
        titles = job_titles(s)
        jobs = [titles.get(title_key(r.get(field))) if r.get(field) else None for r in rows]
    return LinkOutcome(people, jobs)


def relink(s: Session, auto_merge: float = AUTO_MERGE) -> int:
    """Link rows imported earlier that are still unlinked (their candidate or job may have
    been imported or created since). Returns how many links were made.

    A row was already compared with every candidate that existed when it was last tried
    (its `updated_at`), so only candidates changed since are compared: training records of
    employees who never were candidates cost nothing on each later import."""
    made = 0
    now = utcnow()
    for entity in PEOPLE_ENTITIES:
        unlinked = (LegacyRecord.entity == entity, col(LegacyRecord.candidate_id).is_(None))
        pending = s.execute(
            select(  # type: ignore[call-overload]
                LegacyRecord.id, LegacyRecord.data, LegacyRecord.updated_at
            ).where(*unlinked)
        ).all()
        if not pending:
            continue
        ids, keys = stored_candidates(s, min(r[2] for r in pending))
        if not ids:
            continue
        links = link_people(ids, keys, [r[1] for r in pending], auto_merge)
        s.execute(
            update(LegacyRecord)
            .where(LegacyRecord.entity == entity)  # type: ignore[arg-type]
            .where(col(LegacyRecord.candidate_id).is_(None))
            .values(updated_at=now)
        )
        for (rid, _, _), found in zip(pending, links, strict=True):
            if found.candidate_id is None:
                continue
            s.execute(
                update(LegacyRecord)
                .where(col(LegacyRecord.id) == rid)
                .values(candidate_id=found.candidate_id, link_probability=found.probability)
            )
            made += 1
    titles: dict[str, uuid.UUID | None] | None = None
    for entity, field in JOB_FIELDS.items():
        pending = s.execute(
            select(LegacyRecord.id, LegacyRecord.data).where(  # type: ignore[call-overload]
                LegacyRecord.entity == entity, col(LegacyRecord.job_id).is_(None)
            )
        ).all()
        if not pending:
            continue
        titles = titles if titles is not None else job_titles(s)
        for rid, data in pending:
            jid = titles.get(title_key(data.get(field))) if data.get(field) else None
            if jid is not None:
                s.execute(
                    update(LegacyRecord).where(col(LegacyRecord.id) == rid).values(job_id=jid)
                )
                made += 1
    return made


@dataclass(frozen=True)
class HistoryItem:
    """One imported interview or training row about a candidate, for the candidate view."""

    entity: str  # interviews | training
    date: str  # ISO date or ""
    title: str  # the job applied for, or the course
    round: str
    result: str
    score: float | None
    notes: str
    who: str  # interviewer or provider
    probability: float | None  # of the link to the candidate

    @property
    def line(self) -> str:
        bits = [self.date, self.title]
        if self.round:
            bits.append(f"R{self.round}" if self.round.isdigit() else self.round)
        if self.score is not None:
            bits.append(f"{self.score:g}")
        if self.result:
            bits.append(self.result)
        if self.who:
            bits.append(self.who)
        return " · ".join(b for b in bits if b)


def _round(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value or "")


def history(s: Session, candidate_id: uuid.UUID) -> list[HistoryItem]:
    """The candidate's imported interviews and training, newest first."""
    rows = s.execute(
        select(  # type: ignore[call-overload]
            LegacyRecord.entity, LegacyRecord.data, LegacyRecord.link_probability
        ).where(LegacyRecord.candidate_id == candidate_id)
    ).all()
    out: list[HistoryItem] = []
    for entity, d, p in rows:
        score = d.get("score")
        out.append(
            HistoryItem(
                entity,
                str(d.get("date") or ""),
                str(d.get("job_title") or d.get("course") or ""),
                _round(d.get("round")),
                str(d.get("result") or ""),
                float(score) if isinstance(score, int | float) else None,
                str(d.get("notes") or ""),
                str(d.get("interviewer") or d.get("provider") or ""),
                p,
            )
        )
    out.sort(key=lambda h: (h.date, h.entity, h.title), reverse=True)
    return out
