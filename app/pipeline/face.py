"""Face analysis for one frame: detect (sometimes), track (otherwise), mesh, iris, hands."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from app.core.errors import RoundTwoError
from app.models.geometry import gaze, gaze_from_eyes, head_pose, smile
from app.models.registry import ModelRegistry
from app.models.vision import (
    EyeLandmarks,
    FaceDetection,
    FaceDetector,
    FaceMesh,
    HandLandmarks,
    Roi,
    hand_rois,
    roi_from_detection,
    roi_from_mesh,
)
from app.pipeline.events import FaceObservation

log = logging.getLogger(__name__)

MODEL_IDS = ("face_detect_short", "face_detect_full", "face_mesh", "iris", "hand_landmark_lite")


@dataclass
class FaceConfig:
    detect_interval_s: float = 1.0  # re-detect at least this often (new faces, face count)
    hand_interval_s: float = 0.5  # hand-near-face is slow to change; run it less often
    iris_interval_s: float = 0.0  # 0: every analysed frame; live uses 0.1 (10 Hz)
    mesh_presence_min: float = 0.5  # below this the track is lost
    hand_presence_min: float = 0.5
    intra_op_threads: int = 1


@dataclass
class FaceAnalyzer:
    """Not thread-safe: one analyser per runner thread (sessions are cheap to open)."""

    registry: ModelRegistry
    config: FaceConfig = field(default_factory=FaceConfig)
    unavailable: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.config.intra_op_threads
        self.detector = self._open("face_detect_short", FaceDetector, t)
        self.detector_far = self._open("face_detect_full", FaceDetector, t)
        self.mesh = self._open("face_mesh", FaceMesh, t)
        self.iris = self._open("iris", EyeLandmarks, t)
        self.hand = self._open("hand_landmark_lite", HandLandmarks, t)
        self._roi: Roi | None = None
        self._last_detect = -1e9
        self._last_hand = -1e9
        self._faces = 0
        self._hand_near = False
        self._eyes: tuple[float, float] | None = None
        self._last_iris = -1e9

    def _open(self, model_id: str, cls: type, threads: int) -> object:
        try:
            return cls(self.registry.session(model_id, intra_op_threads=threads))
        except RoundTwoError as exc:
            log.warning("feature off: %s", exc.message)
            self.unavailable[model_id] = exc.message
            return None

    @property
    def models_used(self) -> list[str]:
        return [m for m in MODEL_IDS if m not in self.unavailable]

    def _detect(self, rgb: np.ndarray) -> list[FaceDetection]:
        dets: list[FaceDetection] = []
        if isinstance(self.detector, FaceDetector):
            dets = self.detector.detect(rgb)
        # The short-range model misses faces under ~20% of the frame width (a wide room shot).
        if not dets and isinstance(self.detector_far, FaceDetector):
            dets = self.detector_far.detect(rgb)
        return dets

    def analyse(self, rgb: np.ndarray, ts: float, frame_id: int = 0) -> FaceObservation:
        stage: dict[str, float] = {}
        detected = False
        box: tuple[float, float, float, float] | None = None
        need_detect = self._roi is None or ts - self._last_detect >= self.config.detect_interval_s
        if need_detect and (self.detector is not None or self.detector_far is not None):
            t0 = time.perf_counter()
            dets = self._detect(rgb)
            stage["detect"] = (time.perf_counter() - t0) * 1000
            self._last_detect = ts
            detected = True
            self._faces = len(dets)
            if dets:
                main = max(dets, key=lambda d: d.width * d.height)
                box = main.box
                if self._roi is None:
                    self._roi = roi_from_detection(main)
            else:
                self._roi = None
        if not isinstance(self.mesh, FaceMesh) or self._roi is None:
            return FaceObservation(
                ts=ts,
                frame_id=frame_id,
                face_count=self._faces if self._roi is not None or detected else 0,
                face_present=self._roi is not None,
                box=box,
                detected=detected,
                stage_ms=stage,
            )
        t0 = time.perf_counter()
        m = self.mesh.run(rgb, self._roi)
        stage["mesh"] = (time.perf_counter() - t0) * 1000
        if m.presence < self.config.mesh_presence_min:
            self._roi = None  # lost: detect on the next frame
            self._eyes = None
            return FaceObservation(
                ts=ts,
                frame_id=frame_id,
                face_count=0,
                face_present=False,
                detected=detected,
                stage_ms=stage,
            )
        pts = m.points
        self._roi = roi_from_mesh(pts)  # track: next frame's crop comes from this mesh
        self._faces = max(self._faces, 1)
        xy = pts[:, :2]
        box = (
            float(xy[:, 0].min()),
            float(xy[:, 1].min()),
            float(xy[:, 0].max()),
            float(xy[:, 1].max()),
        )
        pose = head_pose(pts)
        sm = smile(pts, pose)
        at_camera: float | None = None
        eye_x: float | None = None
        if isinstance(self.iris, EyeLandmarks) and m.features is not None:
            # Eyes move fast but gaze-at-camera is shown at overlay rate: the eye heads run at
            # most every iris_interval_s and their eye-in-head offsets are combined with the
            # current frame's head pose.
            if self._eyes is None or ts - self._last_iris >= self.config.iris_interval_s:
                t0 = time.perf_counter()
                ir = self.iris.run(m)
                stage["iris"] = (time.perf_counter() - t0) * 1000
                g = gaze(pts, ir, pose)
                self._eyes = (g.eye_x, g.eye_y)
                self._last_iris = ts
            else:
                g = gaze_from_eyes(self._eyes[0], self._eyes[1], pose)
            at_camera, eye_x = g.at_camera, g.eye_x
        hand_near: bool | None = None
        if isinstance(self.hand, HandLandmarks):
            if ts - self._last_hand >= self.config.hand_interval_s:
                t0 = time.perf_counter()
                self._hand_near = any(
                    self.hand.run(rgb, r).presence >= self.config.hand_presence_min
                    for r in hand_rois(box, rgb.shape)
                )
                stage["hand"] = (time.perf_counter() - t0) * 1000
                self._last_hand = ts
            hand_near = self._hand_near
        return FaceObservation(
            ts=ts,
            frame_id=frame_id,
            face_count=self._faces,
            face_present=True,
            box=box,
            yaw=round(pose.yaw, 2),
            pitch=round(pose.pitch, 2),
            roll=round(pose.roll, 2),
            gaze_at_camera=None if at_camera is None else round(at_camera, 3),
            eye_x=None if eye_x is None else round(eye_x, 3),
            smile=round(sm.score, 3),
            hand_near_face=hand_near,
            detected=detected,
            stage_ms={k: round(v, 2) for k, v in stage.items()},
        )


class HandNearFace:
    """Hand-near-face as its own live runner (3 hand-model crops cost more than the rest of
    the face chain, so live runs it on a separate thread at a low rate). It follows the face
    box of the latest FaceObservation it was given."""

    def __init__(self, registry: ModelRegistry, min_presence: float = 0.5) -> None:
        self.hand = HandLandmarks(registry.session("hand_landmark_lite"))
        self.min_presence = min_presence
        self._box: tuple[float, float, float, float] | None = None
        self._lock = threading.Lock()

    def on_face(self, obs: FaceObservation) -> None:
        with self._lock:
            self._box = obs.box if obs.face_present else None

    def analyse(self, rgb: np.ndarray) -> bool | None:
        with self._lock:
            box = self._box
        if box is None:
            return None
        return any(
            self.hand.run(rgb, r).presence >= self.min_presence for r in hand_rois(box, rgb.shape)
        )
