"""Rules that turn synced data into actions. The automation reads `hub_record` in server
sequence order (sequence order is commit order, so nothing is skipped) from a stored cursor;
every action it takes is idempotent, so reading a record twice does no harm.

- An application with round-1 results that passes the job's rule -> a second-round invitation.
- An interview session marked completed -> the report to HR and hiring managers, and a
  reminder (then one escalation) per panel member who has not rated, timed from its END.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.core.domain import CompetencyBar, Role, match_percent
from server.automation import queue
from server.config import HubSettings
from server.tables import (
    Assignment,
    AutomationCursor,
    Booking,
    Invitation,
    QueuedJob,
    Slot,
    SyncRecord,
    User,
)

log = logging.getLogger(__name__)
CURSOR = "records"
BATCH = 500
WATCHED = ["application", "candidate", "interviewsession", "interviewerrating"]
CJK = re.compile(r"[\u3400-\u9fff]")


def parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def live(s: Session, entity: str, entity_id: uuid.UUID | None) -> SyncRecord | None:
    if entity_id is None:
        return None
    return s.exec(
        select(SyncRecord)
        .where(SyncRecord.entity == entity, SyncRecord.entity_id == entity_id)
        .where(col(SyncRecord.deleted).is_(False))
    ).first()


# --- the round-1 rule --------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    passed: bool
    match: float | None
    reason: str


def job_bars(s: Session, job_id: uuid.UUID) -> list[CompetencyBar]:
    bars = []
    for r in s.exec(
        select(SyncRecord)
        .where(SyncRecord.entity == "competency", SyncRecord.job_ref == job_id)
        .where(col(SyncRecord.deleted).is_(False))
    ).all():
        pl = r.payload
        try:
            bars.append(
                CompetencyBar(str(pl["key"]), float(pl["weight"]), int(pl["required_level"]))
            )
        except (KeyError, TypeError, ValueError):
            continue
    return bars


def round1_verdict(s: Session, application: dict[str, Any], job: SyncRecord | None) -> Verdict:
    """The job's rule. HR's explicit "not passed" is never overridden. Otherwise the job
    profile decides when the round-1 data allows it: competency levels (round1_detail.levels)
    through the job-match rule against the job's match threshold, else the round-1 score
    against the same threshold; with neither, HR's explicit "passed" decides."""
    flag = application.get("round1_passed")
    if flag is False:
        return Verdict(False, None, "round 1 marked as not passed")
    threshold = 70.0
    if job is not None:
        try:
            threshold = float(job.payload.get("match_threshold", 70.0))
        except (TypeError, ValueError):
            threshold = 70.0
    detail = application.get("round1_detail") or {}
    levels = detail.get("levels") if isinstance(detail, dict) else None
    if isinstance(levels, dict) and job is not None:
        bars = job_bars(s, job.entity_id)
        clean: dict[str, float | None] = {}
        for k, v in levels.items():
            try:
                clean[str(k)] = None if v is None else float(v)
            except (TypeError, ValueError):
                clean[str(k)] = None
        try:
            m = match_percent(bars, clean)
        except ValueError as exc:
            return Verdict(False, None, f"round-1 levels invalid: {exc}")
        if m is not None:
            return Verdict(m >= threshold, m, f"match {m:.1f}% vs threshold {threshold:.0f}%")
    score = application.get("round1_score")
    if score is not None:
        try:
            value = float(score)
        except (TypeError, ValueError):
            value = None
        if value is not None:
            return Verdict(
                value >= threshold, None, f"score {value:g} vs threshold {threshold:.0f}"
            )
    return Verdict(flag is True, None, "round 1 marked as passed" if flag else "no result yet")


def candidate_language(candidate: dict[str, Any], default: str) -> str:
    """Explicit `language` on the candidate; else Chinese for a name in Chinese characters;
    else the hub's default."""
    lang = str(candidate.get("language") or candidate.get("lang") or "").lower()
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    if CJK.search(str(candidate.get("name") or "")):
        return "zh"
    return "zh" if default.startswith("zh") else "en"


def open_slots(s: Session, org_id: uuid.UUID, job_ref: uuid.UUID, now: dt.datetime) -> list[Slot]:
    taken = select(Booking.active_slot).where(col(Booking.active_slot).is_not(None))
    return list(
        s.exec(
            select(Slot)
            .where(Slot.org_id == org_id, Slot.job_ref == job_ref)
            .where(col(Slot.starts_at) > now)
            .where(col(Slot.id).not_in(taken))
            .order_by(col(Slot.starts_at))
        ).all()
    )


def consider_application(
    s: Session, rec: SyncRecord, settings: HubSettings, now: dt.datetime
) -> Invitation | None:
    pl = rec.payload
    cand_id, job_id = rec.candidate_ref, rec.job_ref
    if cand_id is None or job_id is None:
        return None
    existing = s.exec(
        select(Invitation).where(Invitation.candidate_ref == cand_id, Invitation.job_ref == job_id)
    ).first()
    if existing is not None:
        return None
    candidate = live(s, "candidate", cand_id)
    if candidate is None:
        return None  # considered again when the candidate arrives
    verdict = round1_verdict(s, pl, live(s, "job", job_id))
    if not verdict.passed:
        return None
    slots = open_slots(s, rec.org_id, job_id, now)
    if slots:
        start, end = slots[0].starts_at, max(x.ends_at for x in slots)
        places = sorted({x.location for x in slots if x.location})
    else:
        start = now + dt.timedelta(days=1)
        end = now + dt.timedelta(days=settings.invitation_window_days)
        places = []
    email = candidate.payload.get("email")
    inv = Invitation(
        org_id=rec.org_id,
        org_unit_id=rec.org_unit_id,
        candidate_ref=cand_id,
        job_ref=job_id,
        application_ref=rec.entity_id,
        token=secrets.token_urlsafe(32),
        language=candidate_language(candidate.payload, settings.default_language),
        email=str(email) if email else None,
        window_start=start,
        window_end=end,
        location=" / ".join(places)[:200],
        match_percent=verdict.match,
        created_at=now,
    )
    s.add(inv)
    s.flush()
    queue.enqueue(
        s,
        key=f"invite:{inv.id}",
        kind="invite",
        org_id=inv.org_id,
        candidate_ref=cand_id,
        run_at=now,
        payload={"invitation_id": str(inv.id)},
    )
    log.info("invitation %s for candidate %s (%s)", inv.id, cand_id, verdict.reason)
    return inv


# --- after the interview -----------------------------------------------------------------------


def staff(s: Session, org_unit_id: uuid.UUID, roles: tuple[Role, ...]) -> list[User]:
    return list(
        s.exec(
            select(User)
            .where(User.org_unit_id == org_unit_id, col(User.active).is_(True))
            .where(col(User.role).in_([r.value for r in roles]))
            .order_by(col(User.email))
        ).all()
    )


def panel(s: Session, session: SyncRecord) -> list[User]:
    """Who was on the interview panel: users assigned to the session, or to its candidate
    and job (self-scheduling assigns the booked interviewer that way)."""
    conds = [col(Assignment.session_id) == session.entity_id]
    if session.candidate_ref is not None:
        conds.append(
            (col(Assignment.candidate_id) == session.candidate_ref)
            & ((col(Assignment.job_id) == session.job_ref) | col(Assignment.job_id).is_(None))
        )
    ids = {a.user_id for a in s.exec(select(Assignment).where(or_(*conds))).all()}
    if not ids:
        return []
    return list(s.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.email))).all())


def session_end(rec: SyncRecord | None) -> dt.datetime | None:
    """When the interview ended, or None while it has not (not completed, or no end time)."""
    if rec is None or rec.deleted:
        return None
    if str(rec.payload.get("status")) != "completed":
        return None
    return parse_time(rec.payload.get("ended_at"))


def consider_session(s: Session, rec: SyncRecord, settings: HubSettings, now: dt.datetime) -> None:
    ended = session_end(rec)
    if ended is None:
        return
    queue.enqueue(
        s,
        key=f"report:{rec.entity_id}",
        kind="report",
        org_id=rec.org_id,
        candidate_ref=rec.candidate_ref,
        run_at=now,
        payload={"session_id": str(rec.entity_id)},
    )
    remind_at = ended + dt.timedelta(hours=settings.reminder_delay_hours)
    escalate_at = remind_at + dt.timedelta(hours=settings.escalation_delay_hours)
    for member in panel(s, rec):
        for kind, at in (("remind", remind_at), ("escalate", escalate_at)):
            queue.enqueue(
                s,
                key=f"{kind}:{rec.entity_id}:{member.id}",
                kind=kind,
                org_id=rec.org_id,
                candidate_ref=rec.candidate_ref,
                run_at=at,
                payload={"session_id": str(rec.entity_id), "user_id": str(member.id)},
            )


# --- the tail ----------------------------------------------------------------------------------


def process_new_records(s: Session, settings: HubSettings, now: dt.datetime) -> int:
    """Read the records changed since the cursor (one batch); returns how many were read."""
    cur = s.exec(
        select(AutomationCursor).where(AutomationCursor.name == CURSOR).with_for_update()
    ).first()
    if cur is None:
        cur = AutomationCursor(name=CURSOR, value=0)
        s.add(cur)
        s.flush()
    rows = s.exec(
        select(SyncRecord)
        .where(col(SyncRecord.server_seq) > cur.value)
        .where(col(SyncRecord.entity).in_(WATCHED))
        .order_by(col(SyncRecord.server_seq))
        .limit(BATCH)
    ).all()
    # The cursor may only advance to the last seq read, never past records still unread.
    for rec in rows:
        if rec.deleted:
            continue
        if rec.entity == "application":
            consider_application(s, rec, settings, now)
        elif rec.entity == "candidate":
            for app_rec in s.exec(
                select(SyncRecord)
                .where(
                    SyncRecord.entity == "application", SyncRecord.candidate_ref == rec.entity_id
                )
                .where(col(SyncRecord.deleted).is_(False))
            ).all():
                consider_application(s, app_rec, settings, now)
        elif rec.entity == "interviewsession":
            consider_session(s, rec, settings, now)
        elif rec.entity == "interviewerrating" and rec.session_ref is not None:
            # A waiting report looks again: the panel may be complete now.
            job = s.exec(
                select(QueuedJob).where(QueuedJob.key == f"report:{rec.session_ref}")
            ).first()
            if job is not None and job.status == queue.PENDING and job.run_at > now:
                job.run_at = now
                s.add(job)
    if rows:
        cur.value = rows[-1].server_seq
        s.add(cur)
    return len(rows)
