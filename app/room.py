"""The interview room without Qt: question guide, answers with timestamps, markers, capture
and live answer analysis under the consent given; the desktop room is a thin view over it."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.compliance import Permissions
from app.core.domain import InterviewStatus
from app.core.errors import RoundTwoError
from app.core.jobprofile import JobProfile, Question
from app.scoring.tailored import TailoredProbe
from app.storage import queries, repo
from app.storage.db import Database
from app.storage.tables import Answer, InterviewSession, Observation
from app.storage.types import utcnow

log = logging.getLogger(__name__)


def text_lang(text: str, default: str) -> str:
    """zh when Chinese characters carry the text, else en; answers need not follow the UI."""
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if han == 0 and latin == 0:
        return default
    return "zh" if han * 2 >= latin else "en"


def _log_failure(future: Any) -> None:
    exc = future.exception()
    if exc is not None:
        log.error("storing cue samples failed: %s", exc)


class CameraFrames:
    """The capture camera as a pipeline frame source (capture is BGR, the models want RGB)."""

    def __init__(self, camera: Any) -> None:
        self.camera = camera
        self._lock = threading.Lock()
        self._converted: Any = None  # the last converted frame: each frame is converted once

    def _rgb(self, f: Any) -> Any:
        from app.pipeline.frames import Frame

        if f is None:
            return None
        with self._lock:
            if self._converted is None or self._converted.id != f.id:
                self._converted = Frame(f.id, f.ts, np.ascontiguousarray(f.image[:, :, ::-1]))
            return self._converted

    def latest(self) -> Any:
        return self._rgb(self.camera.slot.latest())

    def wait_newer(self, after_id: int, timeout: float) -> Any:
        return self._rgb(self.camera.slot.wait_newer(after_id, timeout))


def _quality_work(detector: Any) -> Any:
    """Capture-quality check only (face in frame, how many): no mesh, no pose, no cues."""
    from app.pipeline.events import FaceObservation

    def work(frame: Any) -> Any:
        dets = detector.detect(frame.image)
        main = max(dets, key=lambda d: d.width * d.height) if dets else None
        return FaceObservation(
            ts=frame.ts,
            frame_id=frame.id,
            face_count=len(dets),
            face_present=bool(dets),
            box=main.box if main else None,
            detected=True,
        )

    return work


# The observation fields that are stored as signals when the profile and consent allow it.
_CUE_SIGNALS = {
    "gaze_at_camera": "gaze",
    "yaw": "head_pose",
    "pitch": "head_pose",
    "smile": "smile",
    "hand_near_face": "hand_near_face",
}


@dataclass
class AnswerDraft:
    question: Question
    text: str = ""
    start_ms: int | None = None
    end_ms: int | None = None
    asked_probes: set[str] = field(default_factory=set)


@dataclass
class RoomStatus:
    """What the room shows besides video: one snapshot, cheap to compute on a timer."""

    index: int
    total: int
    elapsed_s: float
    recording: bool
    paused: bool
    problems: list[str]
    stats: dict[str, Any]


class InterviewRoom:
    """One interview from the first question to the saved answers.

    Capture starts only if `permissions.record`; live analysis only if
    `permissions.analyse_content`. Without either the interviewer still gets the guide,
    notes per question and the markers."""

    def __init__(
        self,
        db: Database,
        interview_id: uuid.UUID,
        permissions: Permissions,
        *,
        lang: str = "zh",
        recordings_dir: Path | None = None,
        recording_key: Callable[[], Any] | None = None,
    ) -> None:
        # `recording_key` gives the key recordings are encrypted with (app.security.keys);
        # without one nothing is recorded: there is no plaintext fallback.
        self.recording_key = recording_key
        self.db = db
        self.interview_id = interview_id
        self.permissions = permissions
        self.lang = lang
        self.recordings_dir = recordings_dir
        with db.read() as s:
            interview = s.get(InterviewSession, interview_id)
            if interview is None:
                raise RoundTwoError(f"No interview {interview_id}.")
            self.profile: JobProfile = repo.job_profile(repo.get_job_by_id(s, interview.job_id))
            # Probes from the candidate's résumé, round-1 notes and training history.
            self.tailored: list[TailoredProbe] = queries.candidate_probes(
                s, interview.candidate_id, interview.job_id, lang
            )
        self.drafts = [AnswerDraft(q) for q in self.profile.questions]
        # Each tailored probe goes with the first question that asks about its competency
        # (with the first question if none does).
        self._probe_home = [
            next(
                (i for i, q in enumerate(self.profile.questions) if p.competency in q.competencies),
                0,
            )
            for p in self.tailored
        ]
        self.index = 0
        self.capture: Any = None  # app.capture.session.CaptureSession when recording
        self.scorer: Any = None
        self.markers: list[dict[str, Any]] = []
        self._t0: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self.problems: list[str] = []
        self.pipeline: Any = None
        self.latest_face: Any = None  # the newest FaceObservation (read by the overlay)
        self._cue_buffer: list[Observation] = []
        self._cue_lock = threading.Lock()
        self._last_flush = 0.0

    # --- lifecycle ------------------------------------------------------------------------
    def start(self, camera: Any = None, microphone: Any = None) -> None:
        """`camera`/`microphone` are capture sources (or None to interview without them)."""
        if self.permissions.record and camera is not None and self.recordings_dir is not None:
            from app.capture.session import CaptureSession

            try:
                if self.recording_key is None:
                    raise RoundTwoError(
                        "Recording refused: no encryption key was given to the interview room "
                        "(recordings are never written in plaintext)."
                    )
                self.capture = CaptureSession(
                    camera,
                    microphone,
                    self.recordings_dir,
                    db=self.db,
                    session_id=self.interview_id,
                    key=self.recording_key(),
                ).start()
            except RoundTwoError as exc:
                self.problems.append(exc.user_message())
                self.capture = None
        elif not self.permissions.record:
            self.problems.append("no-recording-consent")
        if self.permissions.analyse_content:
            try:
                from app.scoring.scorer import Scorer

                self.scorer = Scorer(self.profile)
            except RoundTwoError as exc:
                self.problems.append(exc.user_message())
        if camera is not None and self.capture is not None:
            self._start_analysis(camera)
        self._t0 = time.monotonic()
        self.db.write(self._mark_started)
        self._open(0)

    def _start_analysis(self, camera: Any) -> None:
        """Camera analysis as the profile and consent allow: quality checks only under
        `strict`; the full face runner (pose, gaze, hand) only with separate cue consent."""
        perm = self.permissions
        if not perm.runner_allowed("face_detection"):
            return
        try:
            from app.models.registry import ModelRegistry
            from app.models.vision import FaceDetector
            from app.pipeline.events import FaceObservation
            from app.pipeline.face import FaceAnalyzer, FaceConfig
            from app.pipeline.live import LivePipeline, face_work

            registry = ModelRegistry()
            pipe = LivePipeline(CameraFrames(camera))
            if perm.runner_allowed("face_mesh") and perm.show_cues == "all":
                analyzer = FaceAnalyzer(registry, FaceConfig(iris_interval_s=0.1))
                for model, reason in analyzer.unavailable.items():
                    self.problems.append(f"{model}: {reason}")
                pipe.add("face", face_work(analyzer), rate_hz=15.0)
            else:
                detector = FaceDetector(registry.session("face_detect_short"))
                pipe.add("face-quality", _quality_work(detector), rate_hz=5.0)
            pipe.bus.subscribe(FaceObservation, self._on_face)
            pipe.start()
            self.pipeline = pipe
        except RoundTwoError as exc:
            self.problems.append(exc.user_message())

    def _on_face(self, obs: Any) -> None:
        self.latest_face = obs
        if not self.permissions.store_cues or self._t0 is None:
            return
        t_ms = self.elapsed_ms()
        rows = [
            Observation(
                session_id=self.interview_id,
                t_ms=t_ms,
                signal="face_visible",
                value=1.0 if obs.face_present else 0.0,
                model_id="face",
            )
        ]
        for field_name, task in _CUE_SIGNALS.items():
            value = getattr(obs, field_name, None)
            if value is not None and self.permissions.runner_allowed(task):
                rows.append(
                    Observation(
                        session_id=self.interview_id,
                        t_ms=t_ms,
                        signal=field_name,
                        value=float(value),
                        model_id="face",
                    )
                )
        with self._cue_lock:
            self._cue_buffer.extend(rows)

    def flush_cues(self, wait: bool = False) -> int:
        """Hand buffered cue samples to the DB writer as one transaction (about once a
        second). The caller (often the GUI thread) does not wait for the commit unless asked."""
        with self._cue_lock:
            rows, self._cue_buffer = self._cue_buffer, []
        if rows:
            future = self.db.submit(
                lambda s: [repo.save(s, r, outbox=self.permissions.sync_cues) for r in rows]
            )
            future.add_done_callback(_log_failure)
            if wait:
                future.result(timeout=60)
        self._last_flush = time.monotonic()
        return len(rows)

    def _mark_started(self, s: Any) -> None:
        iv = s.get(InterviewSession, self.interview_id)
        iv.status = InterviewStatus.IN_PROGRESS
        iv.started_at = iv.started_at or utcnow()
        repo.save(s, iv)

    def elapsed_ms(self) -> int:
        if self._t0 is None:
            return 0
        now = self._paused_at if self._paused_at is not None else time.monotonic()
        return int((now - self._t0 - self._paused_total) * 1000)

    def _open(self, index: int) -> None:
        d = self.drafts[index]
        if d.start_ms is None:
            d.start_ms = self.elapsed_ms()
        self.mark("question", question=d.question.id)

    def _close(self, index: int) -> None:
        self.drafts[index].end_ms = self.elapsed_ms()

    # --- navigation -----------------------------------------------------------------------
    @property
    def current(self) -> AnswerDraft:
        return self.drafts[self.index]

    def go(self, index: int) -> None:
        if not 0 <= index < len(self.drafts) or index == self.index:
            return
        self._close(self.index)
        self.index = index
        self._open(index)

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def tailored_probes(self) -> list[TailoredProbe]:
        """This candidate's own probes for the current question (see `_probe_home`)."""
        return [
            p for p, home in zip(self.tailored, self._probe_home, strict=True) if home == self.index
        ]

    def set_text(self, text: str) -> None:
        self.current.text = text

    # --- markers and pause ----------------------------------------------------------------
    def mark(self, label: str, **data: Any) -> dict[str, Any]:
        m = {"label": label, "t_ms": self.elapsed_ms(), **data}
        self.markers.append(m)
        if self.capture is not None:
            try:
                self.capture.mark(label, **data)
            except RoundTwoError as exc:
                self.problems.append(exc.user_message())
        return m

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def toggle_pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = time.monotonic()
            if self.capture is not None:
                self.capture.pause()
        else:
            self._paused_total += time.monotonic() - self._paused_at
            self._paused_at = None
            if self.capture is not None:
                self.capture.resume()

    # --- live analysis --------------------------------------------------------------------
    def live(self) -> Any:
        """Coverage, STAR completeness and probes for the current answer (None without AI)."""
        if self.scorer is None or not self.current.text.strip():
            return None
        from app.scoring.evidence import AnswerInput
        from app.scoring.live import live_status

        d = self.current
        return live_status(
            self.scorer,
            AnswerInput(d.question.id, d.question.id, text_lang(d.text, self.lang), d.text),
            d.asked_probes,
        )

    def status(self) -> RoomStatus:
        if self.permissions.store_cues and time.monotonic() - self._last_flush >= 1.0:
            self.flush_cues()
        stats: dict[str, Any] = {}
        problems = list(self.problems)
        if self.capture is not None:
            st = self.capture.stats()
            stats = {
                "dropped_frames": st.dropped_frames,
                "recording_s": st.recording_s,
                "av_offset_ms": st.av_offset_ms,
                "camera": st.camera_state,
            }
            problems += st.problems
        if self.pipeline is not None:
            stats["analysis"] = self.pipeline.stats()
        return RoomStatus(
            self.index,
            len(self.drafts),
            self.elapsed_ms() / 1000,
            self.capture is not None and self.capture.recording,
            self.paused,
            problems,
            stats,
        )

    # --- the end ----------------------------------------------------------------------------
    def stop(self) -> list[uuid.UUID]:
        """Stop capture, store every answered question with its time span, end the interview."""
        self._close(self.index)
        if self.pipeline is not None:
            self.pipeline.stop()
            self.pipeline = None
        if self.permissions.store_cues:
            self.flush_cues(wait=True)
        if self.capture is not None:
            try:
                self.capture.stop()
            except RoundTwoError as exc:
                self.problems.append(exc.user_message())
            self.capture = None

        def persist(s: Any) -> list[uuid.UUID]:
            ids = []
            for pos, d in enumerate(self.drafts):
                if not d.text.strip() or d.start_ms is None:
                    continue
                a = repo.save(
                    s,
                    Answer(
                        session_id=self.interview_id,
                        question_key=d.question.id,
                        position=pos,
                        start_ms=d.start_ms,
                        end_ms=d.end_ms or d.start_ms,
                        lang=text_lang(d.text, self.lang),
                        text=d.text.strip(),
                        source="typed",
                    ),
                )
                ids.append(a.id)
            iv = s.get(InterviewSession, self.interview_id)
            iv.status = InterviewStatus.COMPLETED
            iv.ended_at = utcnow()
            repo.save(s, iv)
            repo.append_audit(
                s,
                "room",
                "interview-ended",
                "interviewsession",
                str(self.interview_id),
                {"answers": len(ids), "markers": len(self.markers)},
            )
            return ids

        ids = self.db.write(persist)
        self.suggest()
        return ids

    def suggest(self) -> int:
        """After the interview (never during it, to avoid anchoring): the on-device scorer's
        suggestions for the saved answers, when AI analysis was consented. Returns how many."""
        if self.scorer is None:
            return 0
        from app.scoring.session import save_suggestions, score_session

        try:
            with self.db.read() as s:
                suggestions = score_session(s, self.interview_id, self.scorer)
            self.db.write(lambda w: save_suggestions(w, self.interview_id, suggestions))
        except RoundTwoError as exc:
            self.problems.append(exc.user_message())
            return 0
        return len(suggestions)
