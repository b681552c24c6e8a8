"""Kiosk mode without Qt: a candidate answers a job's questions alone (consent first, one
recording per answer, one re-record allowed), answers are queued for batch analysis, and the
interviewer's PIN ends the kiosk. The queue is the answers whose source is still "kiosk"."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.core.cancel import CancelledError, StepProgress, check
from app.core.compliance import Permissions, load_compliance_profile, permissions
from app.core.domain import ConsentPurpose, InterviewStatus
from app.core.errors import InvalidInputError, RoundTwoError
from app.core.jobprofile import JobProfile, Question
from app.storage import consent, repo
from app.storage.db import Database
from app.storage.tables import (
    Answer,
    Candidate,
    ConsentRecord,
    InterviewSession,
    Recording,
    TranscriptSegment,
)
from app.storage.types import utcnow

log = logging.getLogger(__name__)

KIOSK = "kiosk"  # InterviewSession.location / interviewer and Answer.source while queued


# --- the interviewer's PIN --------------------------------------------------------------------
def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """'salt$hash' (PBKDF2-SHA256); the PIN itself is never stored."""
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise InvalidInputError("The kiosk PIN must be 4 to 12 digits.")
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, 100_000)
    return f"{salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        salt_hex, digest_hex = stored.split("$", 1)
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), 100_000)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)


@dataclass(frozen=True)
class KioskConfig:
    job_slug: str
    pin_hash: str
    timed: bool = True
    think_s: int = 10  # countdown before each answer starts recording
    max_retakes: int = 1
    compliance_profile: str = "strict"

    def answer_limit_s(self, q: Question) -> int | None:
        """Timed jobs stop each answer after the question's planned minutes."""
        return max(30, int(q.minutes * 60)) if self.timed else None


@dataclass
class KioskAnswer:
    question: Question
    recording_id: uuid.UUID | None = None
    answer_id: uuid.UUID | None = None
    retakes: int = 0
    started_at: float | None = None


@dataclass
class KioskRun:
    """One candidate at the kiosk, from consent to the last answer."""

    db: Database
    config: KioskConfig
    recordings_dir: Path
    session_id: uuid.UUID | None = None
    candidate_id: uuid.UUID | None = None
    permissions: Permissions | None = None
    profile: JobProfile | None = None
    answers: list[KioskAnswer] = field(default_factory=list)
    index: int = 0
    capture: Any = None
    # Gives the key recordings are encrypted with (app.security.keys); without one nothing
    # is recorded: a kiosk never writes an answer in plaintext.
    recording_key: Callable[[], Any] | None = None

    # --- consent --------------------------------------------------------------------------
    def begin(
        self,
        name: str,
        choices: Mapping[ConsentPurpose, bool],
        *,
        notice_version: str,
        notice_lang: str,
        contact: str = "",
    ) -> uuid.UUID:
        """Create the candidate and the interview and record the consent choices. Recording
        consent is required: the kiosk exists to record answers for later review."""
        name = name.strip()
        if not name:
            raise InvalidInputError("Please enter your name before starting.")
        if not choices.get(ConsentPurpose.RECORDING):
            raise InvalidInputError(
                "The kiosk records your answers: without recording consent please ask the "
                "staff for a regular interview."
            )
        profile = load_compliance_profile(self.config.compliance_profile)
        self.permissions = permissions(profile, {p for p, ok in choices.items() if ok})

        def write(s: Session) -> tuple[uuid.UUID, uuid.UUID]:
            job = repo.get_job(s, self.config.job_slug)
            email = contact if "@" in contact else None
            phone = contact if contact and not email else None
            cand = repo.save(s, Candidate(name=name, email=email, phone=phone))
            iv = repo.save(
                s,
                InterviewSession(
                    candidate_id=cand.id,
                    job_id=job.id,
                    interviewer=KIOSK,
                    location=KIOSK,
                    status=InterviewStatus.IN_PROGRESS,
                    scheduled_at=utcnow(),
                    started_at=utcnow(),
                    language=notice_lang,
                    compliance_profile=self.config.compliance_profile,
                ),
            )
            consent.record_consent(
                s,
                cand.id,
                iv.id,
                dict(choices),
                notice_version=notice_version,
                notice_lang=notice_lang,
                recorded_by=KIOSK,
            )
            self.profile = repo.job_profile(job)
            return cand.id, iv.id

        self.candidate_id, self.session_id = self.db.write(write)
        assert self.profile is not None
        self.answers = [KioskAnswer(q) for q in self.profile.questions]
        self.index = 0
        return self.session_id

    @property
    def current(self) -> KioskAnswer:
        return self.answers[self.index]

    @property
    def done(self) -> bool:
        return self.index >= len(self.answers)

    # --- answers --------------------------------------------------------------------------
    def start_answer(self, camera: Any, microphone: Any = None) -> None:
        """Record the current question's answer (one file per answer)."""
        from app.capture.session import CaptureSession

        if self.session_id is None or self.done:
            raise InvalidInputError("The kiosk has no question to record.")
        if self.capture is not None:
            raise InvalidInputError("An answer is already being recorded.")
        if self.recording_key is None:
            raise InvalidInputError(
                "Recording refused: the kiosk has no encryption key (answers are never "
                "written in plaintext)."
            )
        self.capture = CaptureSession(
            camera,
            microphone,
            self.recordings_dir,
            db=self.db,
            session_id=self.session_id,
            key=self.recording_key(),
        ).start()
        self.capture.mark("question", question=self.current.question.id)
        self.current.started_at = time.monotonic()

    def remaining_s(self) -> float | None:
        """Seconds left for a timed answer (None if untimed or not recording)."""
        limit = self.config.answer_limit_s(self.current.question) if not self.done else None
        if limit is None or self.current.started_at is None or self.capture is None:
            return None
        return max(0.0, limit - (time.monotonic() - self.current.started_at))

    def stop_answer(self) -> uuid.UUID:
        """Finish the file and queue the answer for batch analysis."""
        if self.capture is None or self.session_id is None:
            raise InvalidInputError("No answer is being recorded.")
        capture, self.capture = self.capture, None
        result = capture.stop()
        a = self.current
        a.started_at = None
        rec_id = uuid.UUID(result.id) if result is not None else None
        duration_ms = round((result.duration_s if result is not None else 0.0) * 1000)
        sid, q, pos = self.session_id, a.question, self.index

        def write(s: Session) -> uuid.UUID:
            row = repo.save(
                s,
                Answer(
                    session_id=sid,
                    question_key=q.id,
                    position=pos,
                    start_ms=0,
                    end_ms=duration_ms,
                    lang="",
                    text="",
                    source=KIOSK,
                ),
            )
            return row.id

        a.recording_id = rec_id
        a.answer_id = self.db.write(write)
        return a.answer_id

    def can_retake(self) -> bool:
        return (
            not self.done
            and self.current.answer_id is not None
            and self.current.retakes < self.config.max_retakes
        )

    def retake(self) -> None:
        """Throw away the current answer (its file and rows) so it can be recorded again."""
        if not self.can_retake():
            raise InvalidInputError("This answer has already been recorded again once.")
        a = self.current
        answer_id, rec_id = a.answer_id, a.recording_id
        path: str | None = None

        def write(s: Session) -> str | None:
            row = s.get(Answer, answer_id)
            if row is not None:
                repo.delete(s, row)
            rec = s.get(Recording, rec_id) if rec_id is not None else None
            if rec is None:
                return None
            file = rec.path
            repo.delete(s, rec)
            return file

        path = self.db.write(write)
        if path:
            try:
                Path(path).unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not delete the discarded kiosk answer %s: %s", path, exc)
        a.answer_id = a.recording_id = None
        a.retakes += 1

    def next_question(self) -> None:
        if self.current.answer_id is None:
            raise InvalidInputError("Record an answer to this question first.")
        self.index += 1
        if self.done:
            self.finish()

    def finish(self) -> None:
        """End the candidate's turn (also when they leave early); answers stay queued."""
        if self.capture is not None:
            self.stop_answer()
        sid = self.session_id
        if sid is None:
            return

        def write(s: Session) -> None:
            iv = s.get(InterviewSession, sid)
            if iv is not None and iv.ended_at is None:
                iv.status = InterviewStatus.COMPLETED
                iv.ended_at = utcnow()
                repo.save(s, iv)

        self.db.write(write)


# --- the batch-analysis queue -------------------------------------------------------------------
@dataclass(frozen=True)
class QueuedAnswer:
    answer_id: uuid.UUID
    session_id: uuid.UUID
    question_key: str | None
    recording_path: str | None


def queued(s: Session) -> list[QueuedAnswer]:
    """Kiosk answers not analysed yet, oldest first, with their recording file."""
    rows = s.exec(
        select(Answer).where(Answer.source == KIOSK).order_by(col(Answer.created_at))
    ).all()
    recs: dict[tuple[uuid.UUID, str | None], str] = {}
    for sid in {a.session_id for a in rows}:
        for r in s.exec(select(Recording).where(Recording.session_id == sid)).all():
            for m in r.markers:
                if m.get("label") == "question":
                    recs[(sid, m.get("question"))] = r.path
    return [
        QueuedAnswer(a.id, a.session_id, a.question_key, recs.get((a.session_id, a.question_key)))
        for a in rows
    ]


def _granted(s: Session, session_id: uuid.UUID) -> set[ConsentPurpose]:
    out = set()
    for r in s.exec(select(ConsentRecord).where(ConsentRecord.session_id == session_id)).all():
        if r.granted and r.withdrawn_at is None:
            out.add(ConsentPurpose(r.purpose))
    return out


Analyse = Callable[..., dict[str, Any]]


def process_queue(
    db: Database,
    *,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
    analyse: Analyse | None = None,
) -> int:
    """Analyse each queued answer (transcript, as consent allows) and, per interview once all
    its answers are done, let the scorer suggest levels. Each answer is stored in its own
    transaction, so a cancel leaves every answer either analysed or still queued."""
    from app.pipeline.batch import analyse_video

    run = analyse or analyse_video
    with db.read() as s:
        todo = queued(s)
        perms = {
            sid: permissions(
                load_compliance_profile(s.get(InterviewSession, sid).compliance_profile),  # type: ignore[union-attr]
                _granted(s, sid),
            )
            for sid in {q.session_id for q in todo}
        }
    done = 0
    touched: set[uuid.UUID] = set()
    for q in todo:
        check(cancel, "The kiosk batch analysis")
        if progress is not None:
            progress(done, len(todo))
        perm = perms[q.session_id]
        segments: list[dict[str, Any]] = []
        if q.recording_path and Path(q.recording_path).exists():
            try:
                result = run(Path(q.recording_path), permissions=perm, cancel=cancel)
                segments = list(result.get("transcript", []))
            except CancelledError:
                raise  # this answer stays queued
            except RoundTwoError as exc:  # an unreadable file: stored as analysed, no text
                log.warning("kiosk answer %s could not be analysed: %s", q.answer_id, exc)
        _store_analysis(db, q, segments)
        touched.add(q.session_id)
        done += 1
    if progress is not None:
        progress(done, len(todo))
    for sid in touched:
        _suggest(db, sid, perms[sid])
    return done


def _store_analysis(db: Database, q: QueuedAnswer, segments: list[dict[str, Any]]) -> None:
    def write(s: Session) -> None:
        a = s.get(Answer, q.answer_id)
        if a is None:  # erased meanwhile
            return
        for seg in segments:
            repo.save(
                s,
                TranscriptSegment(
                    session_id=q.session_id,
                    answer_id=a.id,
                    start_ms=round(float(seg["start"]) * 1000),
                    end_ms=round(float(seg["end"]) * 1000),
                    text=str(seg["text"]).strip(),
                    lang=str(seg.get("lang") or "zh"),
                    confidence=seg.get("confidence"),
                ),
            )
        text = "".join(
            str(g["text"]) if g.get("lang") == "zh" else " " + str(g["text"]) for g in segments
        ).strip()
        a.text = text
        a.lang = str(segments[0].get("lang") or "zh") if segments else a.lang or "zh"
        a.source = "asr"
        repo.save(s, a)

    db.write(write)


def _suggest(db: Database, session_id: uuid.UUID, perm: Permissions) -> None:
    if not perm.analyse_content:
        return
    with db.read() as s:
        if queued_for(s, session_id):
            return  # not every answer is analysed yet
        iv = s.get(InterviewSession, session_id)
        assert iv is not None
        profile = repo.job_profile(repo.get_job_by_id(s, iv.job_id))
    from app.scoring.scorer import Scorer
    from app.scoring.session import save_suggestions, score_session

    try:
        scorer = Scorer(profile)
        with db.read() as s:
            suggestions = score_session(s, session_id, scorer)
        db.write(lambda w: save_suggestions(w, session_id, suggestions))
    except RoundTwoError as exc:
        log.warning("no AI suggestions for kiosk interview %s: %s", session_id, exc)


def queued_for(s: Session, session_id: uuid.UUID) -> int:
    return len(
        s.exec(
            select(Answer.id).where(Answer.session_id == session_id, Answer.source == KIOSK)
        ).all()
    )
