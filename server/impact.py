"""Adverse-impact report (NYC Local Law 144 style): selection and scoring rates and impact
ratios by sex, race/ethnicity and their intersections, with significance tests.

Demographic data lives in its own table (`hub_demographic`), written only by an HR/admin
import; nothing here adds it to synced records, pulls, exports or dashboards. Only counts
and rates per category leave this module.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import statistics
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from server.errors import invalid, not_found
from server.identity import Principal
from server.policy import Action, Scope, scope_of
from server.tables import Demographic, SyncRecord, utcnow

log = logging.getLogger(__name__)

# Self-reported categories. "declined" is an answer; a missing value is "unknown".
SEX = ("female", "male", "other")
RACE = (
    "hispanic_latino",
    "white",
    "black",
    "asian",
    "native_hawaiian_pacific_islander",
    "american_indian_alaska_native",
    "two_or_more",
)
DECLINED = "declined"
UNKNOWN = "unknown"
_ALIASES = {
    "f": "female",
    "woman": "female",
    "女": "female",
    "m": "male",
    "man": "male",
    "男": "male",
    "hispanic": "hispanic_latino",
    "latino": "hispanic_latino",
    "black_african_american": "black",
    "african_american": "black",
    "two_or_more_races": "two_or_more",
    "decline": DECLINED,
    "prefer_not_to_say": DECLINED,
    "拒绝回答": DECLINED,
    "不愿透露": DECLINED,
}
DEFAULT_SELECTED = ("advanced", "selected", "offer", "offered", "hired")
SCORE_SOURCES = ("ai", "ratings", "round1")
FOUR_FIFTHS = 0.8
MAX_IMPORT_BYTES = 16 * 1024 * 1024


# --- the statistics (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One applicant (one application to one job) as the report sees it."""

    sex: str | None
    race: str | None
    selected: bool
    score: float | None = None


def sex_of(p: Person) -> str:
    return p.sex or UNKNOWN


def race_of(p: Person) -> str:
    return p.race or UNKNOWN


def intersection_of(p: Person) -> str:
    a, b = sex_of(p), race_of(p)
    if UNKNOWN in (a, b):
        return UNKNOWN
    if DECLINED in (a, b):
        return DECLINED
    return f"{a} × {b}"


DIMENSIONS: dict[str, Callable[[Person], str]] = {
    "sex": sex_of,
    "race_ethnicity": race_of,
    "intersection": intersection_of,
}


def _fisher(k1: int, n1: int, k2: int, n2: int) -> float:
    from scipy.stats import fisher_exact

    return float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="two-sided")[1])


def group_table(
    people: Sequence[Person],
    category: Callable[[Person], str],
    outcome: Callable[[Person], bool | None],
    *,
    min_n: int = 30,
    min_share: float = 0.02,
) -> dict[str, Any]:
    """Rates and impact ratios of one dimension. `outcome` None = not counted (no score).

    A category with fewer than `min_n` people or under `min_share` of everyone counted is
    reported but left out of the impact ratios and tests (LL144 allows that; it must still be
    shown). Unknown and declined are counted apart and are in no rate."""
    counted = [(category(p), o) for p in people if (o := outcome(p)) is not None]
    total = len(counted)
    unknown = sum(1 for c, _ in counted if c == UNKNOWN)
    declined = sum(1 for c, _ in counted if c == DECLINED)
    cells: dict[str, list[int]] = {}
    for c, o in counted:
        if c in (UNKNOWN, DECLINED):
            continue
        cell = cells.setdefault(c, [0, 0])
        cell[0] += 1
        cell[1] += int(o)
    groups: list[dict[str, Any]] = []
    for c in sorted(cells):
        n, k = cells[c]
        small = n < min_n or n < min_share * total
        groups.append({"category": c, "n": n, "count": k, "rate": k / n, "small": small})
    included = [g for g in groups if not g["small"]]
    best = max(included, key=lambda g: g["rate"], default=None)
    warnings: list[str] = []
    for g in groups:
        g["impact_ratio"] = None
        g["four_fifths_flag"] = False
        g["fisher_p"] = None
        if g["small"]:
            warnings.append(
                f"'{g['category']}' has {g['n']} people (under {min_n} or "
                f"{min_share:.0%} of {total}): reported, but left out of impact ratios and tests."
            )
            continue
        if best is None or best["rate"] == 0:
            continue
        g["impact_ratio"] = g["rate"] / best["rate"]
        g["four_fifths_flag"] = g["impact_ratio"] < FOUR_FIFTHS
        if g is not best:
            g["fisher_p"] = _fisher(g["count"], g["n"], best["count"], best["n"])
    if unknown or declined:
        warnings.append(
            f"{unknown} unknown and {declined} declined are counted apart and are in no rate."
        )
    return {
        "groups": groups,
        "highest": best["category"] if best else None,
        "unknown": unknown,
        "declined": declined,
        "total": total,
        "chi_square": _chi_square(included, warnings),
        "warnings": warnings,
    }


def _chi_square(groups: list[dict[str, Any]], warnings: list[str]) -> dict[str, Any] | None:
    """Chi-square test of independence across the included groups (no continuity correction)."""
    if len(groups) < 2:
        return None
    yes = sum(g["count"] for g in groups)
    no = sum(g["n"] - g["count"] for g in groups)
    if yes == 0 or no == 0:
        return None  # everyone (or no one) had the outcome: no variation to test
    from scipy.stats import chi2_contingency

    table = [[g["count"], g["n"] - g["count"]] for g in groups]
    res = chi2_contingency(table, correction=False)
    if float(res.expected_freq.min()) < 5:
        warnings.append("Some expected counts are under 5: the chi-square p-value is rough.")
    return {"statistic": float(res.statistic), "p": float(res.pvalue), "dof": int(res.dof)}


def population_report(
    people: Sequence[Person], *, min_n: int = 30, min_share: float = 0.02
) -> dict[str, Any]:
    """Selection rates and scoring rates (share scoring above the median of everyone with a
    score in this population) for every dimension."""
    scores = [p.score for p in people if p.score is not None]
    median = statistics.median(scores) if scores else None

    def above(p: Person) -> bool | None:
        if p.score is None or median is None:
            return None
        return p.score > median

    def table(outcome: Callable[[Person], bool | None]) -> dict[str, Any]:
        return {
            name: group_table(people, key, outcome, min_n=min_n, min_share=min_share)
            for name, key in DIMENSIONS.items()
        }

    return {
        "applicants": len(people),
        "selection": {"selected": sum(p.selected for p in people), **table(lambda p: p.selected)},
        "scoring": {"scored": len(scores), "median": median, **table(above)},
    }


# --- demographic data: normalising and importing -----------------------------------------------


def normalise(value: Any, allowed: Iterable[str], field: str) -> str | None:
    """A category code, "declined", or None for empty; anything else raises ValueError."""
    if value is None:
        return None
    text = str(value).strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    if not text:
        return None
    text = _ALIASES.get(text, text)
    choices = (*allowed, DECLINED)
    if text not in choices:
        raise ValueError(f"{field} '{value}' is not one of {', '.join(choices)} (or empty)")
    return text


def _read(fmt: str, data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
        if fmt == "csv":
            return list(csv.DictReader(io.StringIO(text)))
        loaded = json.loads(text) if text.strip() else []
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise invalid(f"The {fmt} file cannot be read: {exc}.") from exc
    if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
        raise invalid("The JSON file must be a list of objects, one per candidate.")
    return loaded


def import_demographics(
    s: Session, who: Principal, fmt: str, data: bytes, unit: uuid.UUID
) -> dict[str, Any]:
    """Rows of candidate_id, sex, race_ethnicity. Every row is checked first; nothing is
    stored if any row is wrong (each error names the row and field)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise invalid(f"A demographics file may be at most {MAX_IMPORT_BYTES // 2**20} MiB.")
    rows = _read(fmt, data)
    org_wide = scope_of(who.role, Action.MANAGE_DEMOGRAPHICS) is Scope.ORG
    errors: list[str] = []
    prepared: dict[uuid.UUID, tuple[uuid.UUID, str | None, str | None]] = {}
    first = 2 if fmt == "csv" else 1
    for n, raw in enumerate(rows, start=first):
        try:
            cid = uuid.UUID(str(raw.get("candidate_id") or "").strip())
        except ValueError:
            errors.append(f"row {n}: candidate_id '{raw.get('candidate_id')}' is not a UUID")
            continue
        try:
            sex = normalise(raw.get("sex"), SEX, "sex")
            race = normalise(raw.get("race_ethnicity"), RACE, "race_ethnicity")
        except ValueError as exc:
            errors.append(f"row {n}: {exc}")
            continue
        rec = s.exec(
            select(SyncRecord).where(
                SyncRecord.entity == "candidate",
                SyncRecord.entity_id == cid,
                SyncRecord.org_id == who.org_id,
                col(SyncRecord.deleted).is_(False),
            )
        ).first()
        if rec is None or (not org_wide and rec.org_unit_id != unit):
            errors.append(f"row {n}: candidate_id {cid} is not a candidate you manage here")
            continue
        prepared[cid] = (rec.org_unit_id, sex, race)
    if errors:
        raise invalid("; ".join(errors[:50]) + ".")
    created = updated = 0
    for cid, (cand_unit, sex, race) in prepared.items():
        row = s.exec(
            select(Demographic).where(
                Demographic.org_id == who.org_id, Demographic.candidate_id == cid
            )
        ).first()
        if row is None:
            row = Demographic(
                org_id=who.org_id, org_unit_id=cand_unit, candidate_id=cid, recorded_by=who.user_id
            )
            created += 1
        else:
            updated += 1
        row.sex, row.race_ethnicity = sex, race
        row.org_unit_id, row.recorded_by, row.recorded_at = cand_unit, who.user_id, utcnow()
        s.add(row)
    s.flush()
    log.info(
        "demographics imported: %d new, %d updated (by user %s)", created, updated, who.user_id
    )
    return {"created": created, "updated": updated, "errors": []}


# --- the report from the hub's records ---------------------------------------------------------


def _live(s: Session, org_id: uuid.UUID, entity: str, unit: uuid.UUID | None) -> list[SyncRecord]:
    q = select(SyncRecord).where(
        SyncRecord.org_id == org_id,
        SyncRecord.entity == entity,
        col(SyncRecord.deleted).is_(False),
    )
    if unit is not None:
        q = q.where(SyncRecord.org_unit_id == unit)
    return list(s.exec(q).all())


def _uuid(v: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(v))
    except ValueError:
        return None


def _scores(
    s: Session, org_id: uuid.UUID, unit: uuid.UUID | None, source: str
) -> dict[tuple[uuid.UUID | None, uuid.UUID | None], float]:
    """Mean level per (candidate, job): of the AI suggestions (the automated tool being
    audited) or of the interviewers' ratings, over all that candidate's interviews."""
    entity = "aisuggestion" if source == "ai" else "interviewerrating"
    sessions = {
        r.entity_id: (_uuid(r.payload.get("candidate_id")), _uuid(r.payload.get("job_id")))
        for r in _live(s, org_id, "interviewsession", unit)
    }
    levels: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[float]] = {}
    for r in _live(s, org_id, entity, unit):
        sid = _uuid(r.payload.get("session_id"))
        level = r.payload.get("level")
        if sid in sessions and isinstance(level, int | float) and not isinstance(level, bool):
            levels.setdefault(sessions[sid], []).append(float(level))
    return {k: sum(v) / len(v) for k, v in levels.items()}


def build_report(
    s: Session,
    who: Principal,
    unit: uuid.UUID | None,
    *,
    job_id: uuid.UUID | None = None,
    score_source: str = "ai",
    selected_statuses: Sequence[str] = DEFAULT_SELECTED,
    min_n: int = 30,
    min_share: float = 0.02,
) -> dict[str, Any]:
    """The report for the org (or one unit): overall and per job (or just `job_id`)."""
    if score_source not in SCORE_SOURCES:
        raise invalid(f"score must be one of {', '.join(SCORE_SOURCES)}, not '{score_source}'.")
    chosen = {x.strip().lower() for x in selected_statuses if x.strip()}
    if not chosen:
        raise invalid("selected must name at least one application status.")
    apps = _live(s, who.org_id, "application", unit)
    if job_id is not None:
        apps = [a for a in apps if _uuid(a.payload.get("job_id")) == job_id]
        if not apps and not _live_job(s, who.org_id, job_id):
            raise not_found(f"Job {job_id}")
    demo = {
        d.candidate_id: d
        for d in s.exec(select(Demographic).where(Demographic.org_id == who.org_id)).all()
    }
    scores = {} if score_source == "round1" else _scores(s, who.org_id, unit, score_source)
    by_job: dict[str, list[Person]] = {}
    everyone: list[Person] = []
    for a in apps:
        cand, job = _uuid(a.payload.get("candidate_id")), _uuid(a.payload.get("job_id"))
        d = demo.get(cand) if cand is not None else None
        if score_source == "round1":
            raw = a.payload.get("round1_score")
            score = (
                float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
            )
        else:
            score = scores.get((cand, job))
        person = Person(
            sex=d.sex if d else None,
            race=d.race_ethnicity if d else None,
            selected=str(a.payload.get("status") or "").strip().lower() in chosen,
            score=score,
        )
        everyone.append(person)
        by_job.setdefault(str(job), []).append(person)
    titles = {str(j.entity_id): j.payload for j in _live(s, who.org_id, "job", None)}
    jobs = []
    for jid in sorted(by_job):
        t = titles.get(jid, {})
        jobs.append(
            {
                "job_id": jid,
                "title": {"zh": t.get("title_zh"), "en": t.get("title_en")},
                **population_report(by_job[jid], min_n=min_n, min_share=min_share),
            }
        )
    return {
        "org_unit_id": str(unit) if unit else None,
        "job_id": str(job_id) if job_id else None,
        "generated_at": utcnow().isoformat(),
        "settings": {
            "selected_statuses": sorted(chosen),
            "score_source": score_source,
            "min_group_n": min_n,
            "min_group_share": min_share,
            "four_fifths": FOUR_FIFTHS,
        },
        "notes": [
            "Selection rate = selected ÷ applicants in the category; impact ratio = the "
            "category's rate ÷ the highest rate among the categories compared.",
            "Scoring rate = share scoring above the median score of everyone scored; the "
            f"score is the mean {'AI-suggested' if score_source == 'ai' else score_source} "
            "level.",
            "Demographic data is self-reported and optional; unknown and declined are counted "
            "apart and are in no rate.",
        ],
        "overall": population_report(everyone, min_n=min_n, min_share=min_share),
        "jobs": jobs,
    }


def _live_job(s: Session, org_id: uuid.UUID, job_id: uuid.UUID) -> bool:
    return any(j.entity_id == job_id for j in _live(s, org_id, "job", None))


CSV_COLUMNS = (
    "scope",
    "job_id",
    "measure",
    "dimension",
    "category",
    "n",
    "count",
    "rate",
    "impact_ratio",
    "four_fifths_flag",
    "small_group",
    "fisher_p",
    "chi_square",
    "chi_square_p",
)


def _fmt(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return v


def report_csv(report: dict[str, Any]) -> bytes:
    """One row per scope x measure x dimension x category, plus unknown/declined and the
    chi-square across groups; UTF-8 with BOM so Excel reads it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    scopes = [("overall", "", report["overall"])]
    scopes += [("job", j["job_id"], j) for j in report["jobs"]]
    for scope, jid, pop in scopes:
        for measure in ("selection", "scoring"):
            for dim in DIMENSIONS:
                t = pop[measure][dim]
                base = [scope, jid, measure, dim]
                for g in t["groups"]:
                    w.writerow(
                        [
                            *base,
                            g["category"],
                            g["n"],
                            g["count"],
                            _fmt(g["rate"]),
                            _fmt(g["impact_ratio"]),
                            "yes" if g["four_fifths_flag"] else "",
                            "yes" if g["small"] else "",
                            _fmt(g["fisher_p"]),
                            "",
                            "",
                        ]
                    )
                for label in (UNKNOWN, DECLINED):
                    w.writerow([*base, f"({label})", t[label], *[""] * 8])
                chi = t["chi_square"] or {}
                stat, pval = _fmt(chi.get("statistic")), _fmt(chi.get("p"))
                w.writerow([*base, "(all groups)", t["total"], *[""] * 6, stat, pval])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
