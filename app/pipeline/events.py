"""Events the pipeline publishes on the bus (UI overlay, recorder's signal track, scoring)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.events import Event


@dataclass(frozen=True)
class FaceObservation(Event):
    """Face signals for one analysed frame; `ts` is the frame's capture timestamp."""

    frame_id: int
    face_count: int
    face_present: bool
    box: tuple[float, float, float, float] | None = None
    yaw: float | None = None
    pitch: float | None = None
    roll: float | None = None
    gaze_at_camera: float | None = None
    eye_x: float | None = None
    smile: float | None = None
    hand_near_face: bool | None = None
    detected: bool = False  # the detector ran on this frame (otherwise: tracked)
    stage_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RunnerResult(Event):
    """Any runner's output: `value` is the runner's typed result; `ts` the source timestamp."""

    runner: str
    frame_id: int
    value: object
    latency_ms: float  # capture -> result available


@dataclass(frozen=True)
class SpeechSegment(Event):
    """A recognised utterance; `ts` is its start in the audio stream's monotonic clock."""

    start: float
    end: float
    text: str
    lang: str
    confidence: float


@dataclass(frozen=True)
class FeatureUnavailable(Event):
    """A model is missing or did not verify; the feature it drives is off."""

    feature: str
    reason: str
