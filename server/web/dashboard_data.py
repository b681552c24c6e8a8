"""Read models of the HR web dashboard, computed from synced records (hub_record) and the
automation tables: per-job level distributions, the ranking by job match %, the funnel by round
and time-to-schedule. Everything here is pure reading inside one database session."""

from __future__ import annotations

import datetime as dt
import functools
import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Uuid, column, inspect, select, table
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from app.core.domain import CompetencyBar, match_percent
from app.core.errors import RoundTwoError
from app.core.jobprofile import JobProfile, discover_profiles
from app.core.paths import resources_dir
from server.identity import Principal
from server.policy import Action, Scope, scope_of
from server.tables import OrgUnit, SyncRecord, UTCDateTime

# The laptop derives job/competency/question ids from the profile with uuid5 in this
# namespace (app.storage.repo.stable_id); the hub may not import app.storage, so it names the
# same namespace here and a test checks the two agree.
PROFILE_NAMESPACE = uuid.UUID("6f1d9a52-2c55-4e0b-9a43-52f1b0a70e11")

JOB_SOURCES = ("interviewsession", "application", "job")


def profile_job_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(PROFILE_NAMESPACE, f"job/{slug}")


@functools.lru_cache(maxsize=4)
def _bundled(jobs_dir: Path) -> dict[uuid.UUID, JobProfile]:
    try:
        profiles = discover_profiles([jobs_dir])
    except RoundTwoError:
        return {}
    return {profile_job_id(p.id): p for p in profiles}


def bundled_profiles() -> dict[uuid.UUID, JobProfile]:
    return _bundled(resources_dir() / "jobs")


# --- scope -------------------------------------------------------------------------------------


def scope_clause(who: Principal, unit: uuid.UUID | None) -> list[ColumnElement[bool]]:
    """The hub_record rows `who` may see on the dashboard (the caller checked `unit` already)."""
    conds: list[ColumnElement[bool]] = [
        col(SyncRecord.org_id) == who.org_id,
        col(SyncRecord.deleted).is_(False),
    ]
    scope = scope_of(who.role, Action.VIEW_DASHBOARD)
    if scope is not Scope.ORG:
        conds.append(col(SyncRecord.org_unit_id) == who.org_unit_id)
    elif unit is not None:
        conds.append(col(SyncRecord.org_unit_id) == unit)
    return conds


def units_of(s: Session, who: Principal) -> list[OrgUnit]:
    q = sm_select(OrgUnit).where(OrgUnit.org_id == who.org_id)
    if scope_of(who.role, Action.VIEW_DASHBOARD) is not Scope.ORG:
        q = q.where(OrgUnit.id == who.org_unit_id)
    return list(s.exec(q.order_by(col(OrgUnit.name))).all())


def _records(
    s: Session, conds: Sequence[ColumnElement[bool]], entity: str, **refs: Iterable[uuid.UUID]
) -> list[SyncRecord]:
    q = sm_select(SyncRecord).where(SyncRecord.entity == entity, *conds)
    for name, values in refs.items():
        q = q.where(col(getattr(SyncRecord, name)).in_(list(values)))
    return list(s.exec(q.order_by(col(SyncRecord.server_seq))).all())


# --- jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyInfo:
    key: str
    name_zh: str
    name_en: str
    weight: float
    required_level: int


@dataclass(frozen=True)
class JobInfo:
    id: uuid.UUID
    slug: str
    title_zh: str
    title_en: str
    threshold: float | None
    competencies: tuple[CompetencyInfo, ...]

    @property
    def bars(self) -> list[CompetencyBar]:
        return [CompetencyBar(c.key, c.weight, c.required_level) for c in self.competencies]


def _from_profile(job_id: uuid.UUID, p: JobProfile) -> JobInfo:
    return JobInfo(
        job_id,
        p.id,
        p.title.zh,
        p.title.en,
        p.match_threshold,
        tuple(
            CompetencyInfo(c.id, c.name.zh, c.name.en, c.weight, c.required_level)
            for c in p.competencies
        ),
    )


def job_info(s: Session, who: Principal, job_id: uuid.UUID) -> JobInfo:
    """What the dashboard knows of a job: the profile on its synced record, else the bundled
    profile with the same id or slug, else only the id (no bars: no match figure)."""
    rec = s.exec(
        sm_select(SyncRecord).where(
            SyncRecord.entity == "job",
            SyncRecord.entity_id == job_id,
            SyncRecord.org_id == who.org_id,
        )
    ).first()
    payload: dict[str, Any] = rec.payload if rec is not None and not rec.deleted else {}
    profile = payload.get("profile")
    if isinstance(profile, dict) and profile:
        try:
            return _from_profile(job_id, JobProfile.model_validate(profile))
        except ValidationError:
            pass  # a malformed profile on the record: fall back to the bundled one
    bundled = bundled_profiles()
    if job_id in bundled:
        return _from_profile(job_id, bundled[job_id])
    slug = str(payload.get("slug") or "")
    by_slug = {p.id: p for p in bundled.values()}
    if slug in by_slug:
        return _from_profile(job_id, by_slug[slug])
    threshold = payload.get("match_threshold")
    return JobInfo(
        job_id,
        slug or str(job_id)[:8],
        str(payload.get("title_zh") or slug or str(job_id)[:8]),
        str(payload.get("title_en") or slug or str(job_id)[:8]),
        float(threshold) if isinstance(threshold, int | float) else None,
        (),
    )


@dataclass(frozen=True)
class JobRow:
    job: JobInfo
    candidates: int
    interviews: int
    rated: int


def job_list(s: Session, who: Principal, unit: uuid.UUID | None) -> list[JobRow]:
    conds = scope_clause(who, unit)
    cands: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    sessions: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    seen: set[uuid.UUID] = set()
    for entity in JOB_SOURCES:
        for r in _records(s, conds, entity):
            if r.job_ref is None:
                continue
            seen.add(r.job_ref)
            if r.candidate_ref is not None and entity != "job":
                cands[r.job_ref].add(r.candidate_ref)
            if entity == "interviewsession":
                sessions[r.job_ref].add(r.entity_id)
    all_sessions = {sid for v in sessions.values() for sid in v}
    rated_sessions = {
        r.session_ref
        for r in _records(s, conds, "interviewerrating", session_ref=all_sessions)
        if r.session_ref is not None
    }
    rows = [
        JobRow(
            job_info(s, who, jid),
            len(cands[jid]),
            len(sessions[jid]),
            len(sessions[jid] & rated_sessions),
        )
        for jid in seen
    ]
    return sorted(rows, key=lambda r: (-r.candidates, r.job.title_en))


# --- one job -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    candidate_id: uuid.UUID
    name: str
    session_id: uuid.UUID
    match: float | None
    meets_threshold: bool | None
    below_bar: tuple[str, ...]
    levels: dict[str, float | None]


@dataclass(frozen=True)
class Distribution:
    competency: CompetencyInfo
    levels: tuple[float, ...]  # the panel's final level per ranked candidate
    ai_levels: tuple[float, ...]  # the AI suggestion per interview (evidence-backed only)

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.levels), 2) if self.levels else None

    @property
    def ai_mean(self) -> float | None:
        return round(statistics.fmean(self.ai_levels), 2) if self.ai_levels else None

    @property
    def below(self) -> int:
        return sum(1 for v in self.levels if v < self.competency.required_level)

    def histogram(self) -> list[int]:
        """Counts per whole level 0..10 (a level is counted at its rounded-down value)."""
        bins = [0] * 11
        for v in self.levels:
            bins[max(0, min(10, int(v)))] += 1
        return bins


FUNNEL = ("round1", "round1_passed", "invited", "scheduled", "interviewed", "rated", "passed")


@dataclass(frozen=True)
class TimeToSchedule:
    n: int
    median_hours: float | None
    p90_hours: float | None
    available: bool  # False when the hub has no scheduling tables (yet)


@dataclass
class JobDashboard:
    job: JobInfo
    ranking: list[Ranked] = field(default_factory=list)
    distribution: list[Distribution] = field(default_factory=list)
    funnel: list[tuple[str, int | None]] = field(default_factory=list)
    time_to_schedule: TimeToSchedule = TimeToSchedule(0, None, None, False)


def final_levels(ratings: Iterable[SyncRecord]) -> dict[uuid.UUID, dict[str, float]]:
    """Per interview, the panel's level per competency: the mean of its raters' levels
    rounded to one decimal (the laptop's rule, app.storage.repo.final_levels)."""
    acc: dict[uuid.UUID, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in ratings:
        key, level = r.payload.get("competency_key"), _level(r.payload.get("level"))
        if r.session_ref is None or not isinstance(key, str) or level is None:
            continue
        acc[r.session_ref][key].append(level)
    return {
        sid: {k: round(sum(v) / len(v), 1) for k, v in by_key.items()}
        for sid, by_key in acc.items()
    }


def _level(v: Any) -> float | None:
    """A level on the 0..10 scale, or None for anything else (bad data is skipped)."""
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 10:
        return float(v)
    return None


def _when(payload: dict[str, Any]) -> str:
    return str(
        payload.get("ended_at")
        or payload.get("started_at")
        or payload.get("scheduled_at")
        or payload.get("created_at")
        or ""
    )


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), q in 0..100."""
    xs = sorted(values)
    if len(xs) == 1:
        return xs[0]
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def job_dashboard(
    s: Session, who: Principal, unit: uuid.UUID | None, job_id: uuid.UUID
) -> JobDashboard | None:
    conds = scope_clause(who, unit)
    info = job_info(s, who, job_id)
    sessions = _records(s, conds, "interviewsession", job_ref=[job_id])
    apps = _records(s, conds, "application", job_ref=[job_id])
    if not sessions and not apps:
        return None
    dash = JobDashboard(info)
    session_ids = [r.entity_id for r in sessions]
    levels = final_levels(_records(s, conds, "interviewerrating", session_ref=session_ids))
    cand_ids = {r.candidate_ref for r in [*sessions, *apps] if r.candidate_ref is not None}
    names = {
        r.entity_id: str(r.payload.get("name") or "")
        for r in _records(s, conds, "candidate")
        if r.entity_id in cand_ids
    }
    # One row per candidate: their latest interview for this job that has ratings.
    latest: dict[uuid.UUID, SyncRecord] = {}
    for r in sorted(sessions, key=lambda r: (_when(r.payload), r.server_seq)):
        if r.candidate_ref is not None and r.entity_id in levels:
            latest[r.candidate_ref] = r
    required = {c.key: c.required_level for c in info.competencies}
    keys = [c.key for c in info.competencies]
    for cand, r in latest.items():
        lv = levels[r.entity_id]
        for k in lv:
            if k not in required and k not in keys:
                keys.append(k)  # a competency the profile does not know: still shown
        m = match_percent(info.bars, lv) if info.bars else None
        below = tuple(
            c.key
            for c in sorted(
                info.competencies,
                key=lambda c: c.weight * (c.required_level - lv.get(c.key, 99)),
                reverse=True,
            )
            if c.key in lv and lv[c.key] < c.required_level
        )
        dash.ranking.append(
            Ranked(
                cand,
                names.get(cand) or str(cand)[:8],
                r.entity_id,
                m,
                None if m is None or info.threshold is None else m >= info.threshold,
                below,
                {k: lv.get(k) for k in keys},
            )
        )
    dash.ranking.sort(key=lambda x: (x.match is None, -(x.match or 0.0), x.name))
    ranked_sessions = {x.session_id for x in dash.ranking}
    ai: dict[tuple[uuid.UUID, str], float] = {}
    for a in _records(s, conds, "aisuggestion", session_ref=ranked_sessions):
        key, level = a.payload.get("competency_key"), _level(a.payload.get("level"))
        if a.session_ref is not None and isinstance(key, str) and level is not None:
            ai[(a.session_ref, key)] = level
    comps = {c.key: c for c in info.competencies}
    for k in keys:
        c = comps.get(k) or CompetencyInfo(k, k, k, 0.0, 0)
        dash.distribution.append(
            Distribution(
                c,
                tuple(v for x in dash.ranking if (v := x.levels.get(k)) is not None),
                tuple(v for (sid, kk), v in ai.items() if kk == k and sid in ranked_sessions),
            )
        )
    invited, scheduled_booked, tts = _scheduling(s, who, job_id, cand_ids)
    scheduled = {r.candidate_ref for r in sessions if r.candidate_ref is not None}
    interviewed = {
        r.candidate_ref
        for r in sessions
        if r.candidate_ref is not None
        and (r.payload.get("status") == "completed" or r.payload.get("ended_at"))
    }
    rated = {
        r.candidate_ref for r in sessions if r.candidate_ref is not None and r.entity_id in levels
    }
    counts: dict[str, int | None] = {
        "round1": sum(1 for a in apps if a.payload.get("round1_passed") is not None),
        "round1_passed": sum(1 for a in apps if a.payload.get("round1_passed") is True),
        "invited": None if invited is None else len(invited),
        "scheduled": len(scheduled | (scheduled_booked or set())),
        "interviewed": len(interviewed),
        "rated": len(rated),
        "passed": sum(1 for x in dash.ranking if x.meets_threshold),
    }
    dash.funnel = [(k, counts[k]) for k in FUNNEL]
    dash.time_to_schedule = tts
    return dash


# --- scheduling (tables of hub automation, read by their documented columns) -------------------

_INVITATION = table(
    "hub_invitation",
    column("id", Uuid()),
    column("org_id", Uuid()),
    column("candidate_ref", Uuid()),
    column("job_ref", Uuid()),
    column("created_at", UTCDateTime()),
    column("status"),
)
_BOOKING = table(
    "hub_booking",
    column("id", Uuid()),
    column("invitation_id", Uuid()),
    column("status"),
    column("created_at", UTCDateTime()),
)


def _scheduling(
    s: Session, who: Principal, job_id: uuid.UUID, candidates: set[uuid.UUID]
) -> tuple[set[uuid.UUID] | None, set[uuid.UUID] | None, TimeToSchedule]:
    """Invited and booked candidates of the job (within the caller's view of candidates) and
    the time from invitation to the first booking; (None, None, unavailable) without tables."""
    insp = inspect(s.connection())  # the session's own connection: SQLite has one writer
    if not (insp.has_table("hub_invitation") and insp.has_table("hub_booking")):
        return None, None, TimeToSchedule(0, None, None, False)
    inv, bk = _INVITATION.c, _BOOKING.c
    invitations: dict[uuid.UUID, tuple[uuid.UUID, dt.datetime]] = {
        iid: (cand, created)
        for iid, cand, created in s.execute(
            select(inv.id, inv.candidate_ref, inv.created_at).where(
                inv.org_id == who.org_id, inv.job_ref == job_id
            )
        ).all()
        if cand in candidates
    }
    invited = {c for c, _ in invitations.values()}
    first: dict[uuid.UUID, dt.datetime] = {}
    booked: set[uuid.UUID] = set()
    if invitations:
        for iid, status, created in s.execute(
            select(bk.invitation_id, bk.status, bk.created_at).where(
                bk.invitation_id.in_(list(invitations))
            )
        ).all():
            if created is not None and (iid not in first or created < first[iid]):
                first[iid] = created
            if status != "cancelled":
                booked.add(invitations[iid][0])
    hours = [(first[k] - invitations[k][1]).total_seconds() / 3600.0 for k in first]
    if not hours:
        return invited, booked, TimeToSchedule(0, None, None, True)
    tts = TimeToSchedule(
        len(hours), round(statistics.median(hours), 1), round(percentile(hours, 90), 1), True
    )
    return invited, booked, tts
