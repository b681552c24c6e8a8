"""Headless analysis of a recorded file: the same runners as live, faster than real time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from app.core.cancel import check
from app.core.compliance import Permissions
from app.core.errors import InvalidInputError, NotFoundError, RoundTwoError
from app.models.audio import (
    CHUNK,
    SAMPLE_RATE,
    SileroVad,
    cut_utterances,
    prosody,
    vad_probabilities,
)
from app.models.registry import ModelRegistry
from app.pipeline.events import FaceObservation
from app.pipeline.face import FaceAnalyzer, FaceConfig
from app.security.media import open_source

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
FACE_SIGNALS = (
    "face_present",
    "face_count",
    "yaw",
    "pitch",
    "roll",
    "gaze_at_camera",
    "smile",
    "hand_near_face",
)
# Which runner task a stored face signal comes from (the compliance profile allows tasks);
# face_present/face_count are the capture-quality check every recording may have.
SIGNAL_TASK = {
    "face_present": "face_detection",
    "face_count": "face_count",
    "yaw": "head_pose",
    "pitch": "head_pose",
    "roll": "head_pose",
    "gaze_at_camera": "gaze",
    "smile": "smile",
    "hand_near_face": "hand_near_face",
}


class QualityAnalyzer:
    """The capture-quality check only (face in frame, how many), as in the live room under
    `strict`: one detector model, no mesh, iris, pose, gaze, smile or hand model is opened."""

    def __init__(self, registry: ModelRegistry) -> None:
        from app.models.vision import FaceDetector

        self.unavailable: dict[str, str] = {}
        self.detector: FaceDetector | None = None
        try:
            self.detector = FaceDetector(registry.session("face_detect_short"))
        except RoundTwoError as exc:
            self.unavailable["face_detect_short"] = exc.message

    @property
    def models_used(self) -> list[str]:
        return [] if self.detector is None else ["face_detect_short"]

    def analyse(self, rgb: np.ndarray, ts: float, frame_id: int = 0) -> FaceObservation:
        dets = self.detector.detect(rgb) if self.detector is not None else []
        main = max(dets, key=lambda d: d.width * d.height) if dets else None
        return FaceObservation(
            ts=ts,
            frame_id=frame_id,
            face_count=len(dets),
            face_present=bool(dets),
            box=main.box if main else None,
            detected=True,
        )


def face_runner(permissions: Permissions | None) -> str | None:
    """The face runner the profile and consent allow: "face" (mesh, pose, gaze, hands),
    "face-quality" (detector only) or None; no permissions = everything (benchmarks)."""
    if permissions is None:
        return "face"
    if not permissions.runner_allowed("face_detection"):
        return None
    return "face" if permissions.runner_allowed("face_mesh") else "face-quality"


def _open_media(path: Path) -> Any:
    import av

    if not path.exists():
        raise NotFoundError(f"The video file {path} does not exist.")
    if path.is_dir():
        raise InvalidInputError(f"{path} is a folder, not a video file.")
    try:
        container = av.open(open_source(path))  # decrypts in memory if encrypted at rest
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path} is not a video file RoundTwo can read ({exc}).") from exc
    if not container.streams.video:
        container.close()
        raise InvalidInputError(f"{path} has no video stream, so it cannot be analysed.")
    return container


def read_audio(path: Path) -> np.ndarray:
    """The file's first audio stream as 16 kHz mono float32 (empty if it has none)."""
    import av

    with av.open(open_source(path)) as c:
        if not c.streams.audio:
            return np.zeros(0, dtype=np.float32)
        res = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        parts = []
        for frame in c.decode(c.streams.audio[0]):
            for out in res.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
        for out in res.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)


class _Progress:
    """Face and speech run on two threads; the bar shows their mean progress."""

    def __init__(self, say: Progress | None) -> None:
        self.say = say
        self.parts = {"faces": 0.0, "speech": 0.0}
        self.lock = threading.Lock()

    def __call__(self, part: str, frac: float) -> None:
        if self.say is None:
            return
        with self.lock:
            self.parts[part] = max(self.parts[part], min(frac, 1.0))
            total = sum(self.parts.values()) / len(self.parts)
            lead = min(self.parts, key=lambda k: self.parts[k])
            self.say(total, lead if total < 1 else "done")


def _analyse_speech(
    path: Path,
    registry: ModelRegistry,
    lang: str,
    asr_threads: int,
    beam_size: int,
    progress: _Progress,
    out: dict[str, Any],
    cancel: threading.Event,
    *,
    transcribe: bool = True,
    voice_cues: bool = True,
) -> None:
    """VAD -> utterances -> Whisper -> prosody; fills `out` (runs on its own thread).
    Whisper runs only with `transcribe` (AI content consent); prosody and the voice-activity
    timeline are voice cues and are computed only with `voice_cues`."""
    timings: dict[str, float] = {}
    models: dict[str, dict[str, str]] = {}
    unavailable: dict[str, str] = {}
    transcript: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    voice: dict[str, Any] | None = None
    out.update(
        timings=timings,
        models=models,
        unavailable=unavailable,
        transcript=transcript,
        answers=answers,
    )
    if not transcribe and not voice_cues:
        progress("speech", 1.0)
        return
    t0 = time.perf_counter()
    audio = read_audio(path)
    timings["audio_decode_s"] = round(time.perf_counter() - t0, 3)
    if not len(audio):
        progress("speech", 1.0)
        return
    st = registry.status("silero_vad")
    if not st.available:
        unavailable["silero_vad"] = st.reason
        progress("speech", 1.0)
        return
    models["silero_vad"] = registry.describe("silero_vad")
    t0 = time.perf_counter()
    probs = vad_probabilities(SileroVad(registry.session("silero_vad")), audio)
    timings["vad_s"] = round(time.perf_counter() - t0, 3)
    voice = {
        "rate_hz": SAMPLE_RATE / CHUNK,
        "speech_probability": [round(float(p), 3) for p in probs],
    }
    if voice_cues:
        out["voice"] = voice
    utterances, _speech = cut_utterances(audio, probs)
    progress("speech", 0.05)
    asr = None
    ws = registry.status("whisper_base")
    if not transcribe:
        pass
    elif ws.available and ws.path is not None:
        from app.models.asr import WhisperAsr

        try:
            asr = WhisperAsr(ws.path, cpu_threads=asr_threads)
            models["whisper_base"] = registry.describe("whisper_base")
        except RoundTwoError as exc:
            unavailable["whisper_base"] = exc.message
    else:
        unavailable["whisper_base"] = ws.reason
    t0 = time.perf_counter()
    total_s = max(sum(u.end - u.start for u in utterances), 1e-6)
    done_s = 0.0
    for u in utterances:
        if cancel.is_set():  # the video side failed: stop early, the result is discarded
            return
        segs = (
            asr.transcribe(u.audio, lang=lang, offset=u.start, beam_size=beam_size) if asr else []
        )
        text = "".join(s.text if s.lang == "zh" else " " + s.text for s in segs).strip()
        u_lang = segs[0].lang if segs else (lang if lang != "auto" else "")
        i0, i1 = int(u.start * SAMPLE_RATE / CHUNK), int(u.end * SAMPLE_RATE / CHUNK)
        speech_s = float((probs[i0:i1] >= 0.5).sum()) * CHUNK / SAMPLE_RATE
        answer: dict[str, Any] = {
            "start": round(u.start, 2),
            "end": round(u.end, 2),
            "lang": u_lang,
            "text": text,
        }
        if voice_cues:
            pro = prosody(u.audio, text, u_lang or "en", speech_s, u.end - u.start)
            answer["prosody"] = asdict(pro)
        answers.append(answer)
        for s in segs:
            transcript.append(
                {
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "lang": s.lang,
                    "confidence": s.confidence,
                }
            )
        done_s += u.end - u.start
        progress("speech", 0.05 + 0.95 * done_s / total_s)
    timings["asr_s"] = round(time.perf_counter() - t0, 3)
    progress("speech", 1.0)


def analyse_video(
    path: Path,
    *,
    registry: ModelRegistry | None = None,
    lang: str = "auto",
    face_rate_hz: float = 10.0,
    progress: Progress | None = None,
    asr_threads: int = 1,
    beam_size: int = 5,
    permissions: Permissions | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Face analysis at `face_rate_hz` on the video and VAD -> Whisper -> prosody on the
    audio, on two threads side by side (each uses about one core); returns analysis.json.

    `permissions` (profile + consent) decide what runs, as in the live room: under `strict`
    only the face-quality detector is opened and no cue (pose, gaze, smile, hands, prosody)
    is computed; Whisper runs only with AI content consent."""
    t_all = time.perf_counter()
    cpu_all = time.process_time()
    registry = registry or ModelRegistry()
    bar = _Progress(progress)
    container = _open_media(path)
    speech: dict[str, Any] = {}
    failure: list[BaseException] = []
    # The caller's token (the person pressed Cancel) doubles as the speech thread's stop flag.
    cancel = cancel if cancel is not None else threading.Event()
    check(cancel, f"The analysis of {path.name}")
    face_kind = face_runner(permissions)
    transcribe = permissions is None or permissions.analyse_content
    voice_cues = permissions is None or permissions.runner_allowed("prosody")
    kept = [
        k for k in FACE_SIGNALS if permissions is None or permissions.runner_allowed(SIGNAL_TASK[k])
    ]
    runners = [r for r in (face_kind,) if r] + ["asr"] * transcribe + ["prosody"] * voice_cues

    def speech_job() -> None:
        try:
            _analyse_speech(
                path,
                registry,
                lang,
                asr_threads,
                beam_size,
                bar,
                speech,
                cancel,
                transcribe=transcribe,
                voice_cues=voice_cues,
            )
        except BaseException as exc:  # re-raised on the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=speech_job, name="analyze-speech", daemon=True)
    worker.start()
    timings: dict[str, float] = {}
    models: dict[str, dict[str, str]] = {}
    unavailable: dict[str, str] = {}
    times: list[float] = []
    timeline: dict[str, list[Any]] = {k: [] for k in kept}
    fps = 30.0
    duration = 0.0
    try:
        vs = container.streams.video[0]
        vs.thread_type = "AUTO"
        duration = float(container.duration / 1e6) if container.duration else 0.0
        fps = float(vs.average_rate or 0) or 30.0
        analyzer: FaceAnalyzer | QualityAnalyzer | None = None
        if face_kind == "face":
            analyzer = FaceAnalyzer(registry, FaceConfig())
        elif face_kind == "face-quality":
            analyzer = QualityAnalyzer(registry)
        if analyzer is not None:
            unavailable.update(analyzer.unavailable)
            for m in analyzer.models_used:
                models[m] = registry.describe(m)
        next_t = 0.0
        frames = 0
        t0 = time.perf_counter()
        stage_sum: dict[str, float] = {}
        try:
            for frame in container.decode(vs):
                frames += 1
                check(cancel, f"The analysis of {path.name}")
                if analyzer is None:  # no camera analysis allowed: only check it decodes
                    break
                ts = float(frame.time) if frame.time is not None else frames / fps
                if ts + 1e-6 < next_t:
                    continue
                # A fixed time grid (not "last + period") so 15 fps input gives 10 Hz, not 7.5.
                while next_t <= ts + 1e-6:
                    next_t += 1.0 / face_rate_hz
                rgb = frame.to_ndarray(format="rgb24")
                obs = analyzer.analyse(rgb, ts, frames - 1)
                for k, v in obs.stage_ms.items():
                    stage_sum[k] = stage_sum.get(k, 0.0) + v
                times.append(round(ts, 3))
                for k in kept:
                    timeline[k].append(getattr(obs, k))
                if duration:
                    bar("faces", ts / duration)
        except Exception as exc:  # a truncated/corrupt stream: keep what was decoded
            import av

            if not isinstance(exc, av.error.FFmpegError):
                raise
            log.warning("video decoding stopped early: %s", exc)
        if frames == 0:
            raise InvalidInputError(f"{path} has a video stream but no decodable frames.")
        bar("faces", 1.0)
        timings["video_s"] = round(time.perf_counter() - t0, 3)
        n = max(len(times), 1)
        timings.update({f"{k}_ms_per_frame": round(v / n, 2) for k, v in stage_sum.items()})
    except BaseException:
        cancel.set()
        raise
    finally:
        container.close()
        worker.join()
    if failure:
        raise failure[0]
    check(cancel, f"The analysis of {path.name}")  # the speech side may have stopped early
    if not duration:
        duration = times[-1] if times else 0.0
    timings.update(speech.get("timings", {}))
    models.update(speech.get("models", {}))
    unavailable.update(speech.get("unavailable", {}))
    signals: dict[str, Any] = {
        "face": {"rate_hz": min(face_rate_hz, fps), "t": times, **timeline},
    }
    if speech.get("voice"):
        signals["voice"] = speech["voice"]
    total = time.perf_counter() - t_all
    timings["total_s"] = round(total, 3)
    # CPU seconds of this process: on a shared machine a steadier measure than wall time.
    timings["cpu_s"] = round(time.process_time() - cpu_all, 3)
    timings["media_duration_s"] = round(duration, 3)
    timings["real_time_factor"] = round(total / duration, 3) if duration else 0.0
    present = [bool(v) for v in timeline.get("face_present", [])]
    return {
        "file": str(path),
        "duration_s": round(duration, 3),
        "transcript": speech.get("transcript", []),
        "utterances": speech.get("answers", []),
        "signals": signals,
        "summary": {
            "face_visible_ratio": round(sum(present) / len(present), 3) if present else 0.0,
            "max_face_count": max((c or 0 for c in timeline.get("face_count", [])), default=0),
            "analysed_frames": len(times),
        },
        "models": sorted(models.values(), key=lambda m: m["id"]),
        "unavailable": unavailable,
        "runners": runners,
        "timings": timings,
    }
