"""Retention timers from the compliance profile: recordings, derived cue features and whole
candidate records are erased when their period ends (dry-run first if you like)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.compliance import ComplianceProfile
from app.core.domain import OutboxOpKind
from app.storage import repo
from app.storage.db import Database
from app.storage.deletion import delete_candidate
from app.storage.tables import Candidate, InterviewSession, Observation, Recording

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    dry_run: bool
    recordings: list[str] = field(default_factory=list)
    observation_rows: int = 0
    candidates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "recordings": self.recordings,
            "observation_rows": self.observation_rows,
            "candidates": self.candidates,
        }


def _expired_recordings(s: Session, cutoff: dt.datetime) -> list[Recording]:
    return [r for r in s.exec(select(Recording)).all() if (r.ended_at or r.started_at) < cutoff]


def _expired_candidates(s: Session, cutoff: dt.datetime) -> list[uuid.UUID]:
    """Candidates with no activity (record change or interview) since the cutoff."""
    last_iv = dict(
        s.exec(
            select(InterviewSession.candidate_id, func.max(InterviewSession.updated_at)).group_by(
                col(InterviewSession.candidate_id)
            )
        ).all()
    )
    out = []
    for c in s.exec(select(Candidate)).all():
        last = max([c.updated_at, *([last_iv[c.id]] if c.id in last_iv else [])])
        if last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        if last < cutoff:
            out.append(c.id)
    return out


def sweep(
    db: Database,
    profile: ComplianceProfile,
    *,
    now: dt.datetime,
    dry_run: bool = False,
    by: str = "retention",
) -> RetentionReport:
    rep = RetentionReport(dry_run)
    days = profile.retention_days
    rec_cutoff = now - dt.timedelta(days=days.recordings)
    feat_cutoff = now - dt.timedelta(days=days.derived_features)
    cand_cutoff = now - dt.timedelta(days=days.candidate_record)

    def plan_and_apply(s: Session) -> list[Path]:
        files: list[Path] = []
        for r in _expired_recordings(s, rec_cutoff):
            rep.recordings.append(r.path)
            files.append(Path(r.path))
            if not dry_run:
                repo.delete(s, r)
        ended = {
            iv.id
            for iv in s.exec(select(InterviewSession)).all()
            if iv.ended_at is not None and iv.ended_at < feat_cutoff
        }
        if ended:
            obs = s.exec(select(Observation).where(col(Observation.session_id).in_(ended))).all()
            rep.observation_rows = len(obs)
            if not dry_run:
                for o in obs:
                    s.delete(o)
                    repo._enqueue(s, "observation", o.id, OutboxOpKind.DELETE, {"id": str(o.id)})
        if not dry_run and (rep.recordings or rep.observation_rows):
            repo.append_audit(
                s,
                by,
                "retention",
                "store",
                None,
                {
                    "recordings": len(rep.recordings),
                    "observation_rows": rep.observation_rows,
                    "profile": profile.id,
                },
            )
        return files

    files = db.write(plan_and_apply)
    if not dry_run:
        for f in files:
            f.unlink(missing_ok=True)
    with db.read() as s:
        expired = _expired_candidates(s, cand_cutoff)
    rep.candidates = [str(c) for c in expired]
    if not dry_run:
        for cid in expired:
            delete_candidate(db, cid, by=by, reason=f"retention period of {profile.id} ended")
    log.info("retention sweep: %s", rep.as_dict())
    return rep
