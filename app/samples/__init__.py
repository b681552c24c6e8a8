"""The bundled sample interview used by `make demo` and the tests (fictional people)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from app.core.domain import ConsentPurpose, InterviewStatus
from app.core.errors import InvalidInputError, NotFoundError
from app.core.paths import resources_dir
from app.storage import repo
from app.storage.db import Database
from app.storage.tables import (
    Answer,
    Application,
    Candidate,
    ConsentRecord,
    InterviewerRating,
    InterviewSession,
)

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SAMPLE_FILE = "samples/demo-interview.yaml"
NOTICE_VERSION = "demo-2026-11"


def _uuid(v: Any) -> uuid.UUID:
    return uuid.UUID(str(v))


def _when(v: Any) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v if v.tzinfo else v.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))


def read_sample(path: Path | None = None) -> dict[str, Any]:
    path = path or resources_dir() / SAMPLE_FILE
    if not path.exists():
        raise NotFoundError(f"The sample interview {path} is missing.")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    if not isinstance(data, dict):
        raise InvalidInputError(f"{path}: expected a mapping at the top level.")
    return data


def load_sample_interview(session: Session, path: Path | None = None) -> uuid.UUID:
    """Store the sample candidate, application, consent, answers and ratings once.

    Returns the interview session id; loading again changes nothing."""
    data = read_sample(path)
    sid = _uuid(data["session"]["id"])
    if session.get(InterviewSession, sid) is not None:
        return sid
    job = repo.get_job(session, data["job"])
    profile = repo.job_profile(job)
    known_questions = {q.id for q in profile.questions}
    known_competencies = {c.id for c in profile.competencies}

    c = dict(data["candidate"])
    candidate = Candidate(
        id=_uuid(c.pop("id")),
        birth_date=c.pop("birth_date", None),
        experience=[{k: str(v) for k, v in e.items()} for e in c.pop("experience", [])],
        projects=c.pop("projects", []),
        source="sample",
        **c,
    )
    repo.save(session, candidate)
    a = data["application"]
    application = Application(
        id=_uuid(a["id"]),
        candidate_id=candidate.id,
        job_id=job.id,
        round=2,
        status="interviewed",
        round1_score=a.get("round1_score"),
        round1_passed=a.get("round1_passed"),
        round1_notes=a.get("round1_notes"),
        round1_detail=a.get("round1_detail", {}),
    )
    repo.save(session, application)
    s = data["session"]
    interview = InterviewSession(
        id=sid,
        application_id=application.id,
        candidate_id=candidate.id,
        job_id=job.id,
        interviewer=s["interviewer"],
        status=InterviewStatus.COMPLETED,
        scheduled_at=_when(s["scheduled_at"]),
        started_at=_when(s["started_at"]),
        ended_at=_when(s["ended_at"]),
        location=s.get("location"),
        language=s.get("language", "zh"),
    )
    repo.save(session, interview)
    for item in data.get("consent", []):
        repo.save(
            session,
            ConsentRecord(
                candidate_id=candidate.id,
                session_id=sid,
                purpose=ConsentPurpose(item["purpose"]),
                granted=bool(item["granted"]),
                notice_version=NOTICE_VERSION,
                notice_lang=interview.language,
                recorded_at=interview.started_at or _when(s["started_at"]),
                recorded_by=interview.interviewer,
            ),
        )
    for i, ans in enumerate(data.get("answers", [])):
        if ans["question"] not in known_questions:
            raise InvalidInputError(f"sample answer {i + 1}: unknown question '{ans['question']}'")
        repo.save(
            session,
            Answer(
                session_id=sid,
                question_key=ans["question"],
                position=i,
                start_ms=int(ans["start_s"] * 1000),
                end_ms=int(ans["end_s"] * 1000),
                lang=ans.get("lang", "zh"),
                text=ans["text"],
                source="typed",
            ),
        )
    for r in data.get("ratings", []):
        if r["competency"] not in known_competencies:
            raise InvalidInputError(f"sample rating: unknown competency '{r['competency']}'")
        repo.save(
            session,
            InterviewerRating(
                session_id=sid,
                competency_key=r["competency"],
                rater=r["rater"],
                level=int(r["level"]),
                note=r.get("note", ""),
                submitted_at=interview.ended_at,
            ),
        )
    repo.append_audit(session, "demo", "import", "interviewsession", str(sid), {"sample": True})
    return sid


def sample_session_ids(session: Session) -> list[uuid.UUID]:
    return [s.id for s in session.exec(select(InterviewSession)).all()]


def prepare_demo(db: Database) -> uuid.UUID:
    """Load the sample interview and let the on-device scorer propose levels for it."""
    from app.scoring.scorer import Scorer
    from app.scoring.session import save_suggestions, score_session

    session_id = db.write(load_sample_interview)
    with db.read() as s:
        job = repo.get_job(s, read_sample()["job"])
        scorer = Scorer(repo.job_profile(job))
        suggestions = score_session(s, session_id, scorer)
    db.write(lambda w: save_suggestions(w, session_id, suggestions))
    load_sample_history(db)
    return session_id


SAMPLE_HISTORY = (("legacy-interviews.csv", "interviews"), ("legacy-training.csv", "training"))


def load_sample_history(db: Database) -> None:
    """The sample candidate's earlier interviews and courses, as a legacy spreadsheet import
    gives them (re-importing is a no-op): the candidate view lists them and the room's
    probes use them."""
    from app.migrate.importer import import_file

    for name, entity in SAMPLE_HISTORY:
        import_file(db, resources_dir() / "samples" / name, entity)
