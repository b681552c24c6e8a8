"""Vision runners on real pictures: the astronaut face, turned and rolled in 3D."""

from __future__ import annotations

import numpy as np
import pytest

from app.models.attention import LEFT_EYE_SUBSET, RIGHT_EYE_SUBSET
from app.models.geometry import head_pose
from app.models.registry import ModelRegistry
from app.models.vision import (
    EyeLandmarks,
    FaceDetector,
    FaceMesh,
    HandLandmarks,
    Roi,
    crop,
    hand_rois,
    roi_from_detection,
    ssd_anchors,
    to_image,
    weighted_nms,
)
from app.pipeline.face import FaceAnalyzer
from tools.synth_media import astronaut, place, rotate


def test_anchor_layouts_match_the_model_outputs() -> None:
    assert ssd_anchors(128).shape == (896, 2)
    assert ssd_anchors(192).shape == (2304, 2)
    a = ssd_anchors(128)
    assert np.allclose(a[0], [0.5 / 16, 0.5 / 16]) and np.allclose(a[-1], [7.5 / 8, 7.5 / 8])


def test_weighted_nms_merges_overlaps_and_keeps_separate_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=np.float32)
    scores = np.array([0.9, 0.8, 0.7], dtype=np.float32)
    pts = np.zeros((3, 6, 2), dtype=np.float32)
    out = weighted_nms(boxes, scores, pts, 0.3)
    assert len(out) == 2
    assert 0.4 < out[0][0][0] < 0.6  # averaged by score between 0 and 1
    assert out[1][1] == pytest.approx(0.7)


def test_crop_and_back_are_inverse() -> None:
    roi = Roi(100.0, 80.0, 64.0, 0.3)
    img = np.zeros((200, 200, 3), np.uint8)
    _, m = crop(img, roi, 32)
    centre = to_image(np.array([[16.0, 16.0]]), m)[0]
    assert np.allclose(centre, [100, 80], atol=1e-6)


def test_detects_the_face_and_nothing_in_a_blank_frame(registry: ModelRegistry) -> None:
    short = FaceDetector(registry.session("face_detect_short"))
    full = FaceDetector(registry.session("face_detect_full"))
    frame = place(astronaut())
    for det in (short, full):
        faces = det.detect(frame)
        assert len(faces) == 1
        x0, y0, x1, y1 = faces[0].box
        # The astronaut's face is around x 240-340, y 50-160 on the 640x480 canvas.
        assert 220 < (x0 + x1) / 2 < 330 and 60 < (y0 + y1) / 2 < 160
        assert faces[0].keypoints[0][0] < faces[0].keypoints[1][0]  # right eye on image left
    assert short.detect(np.full((480, 640, 3), 128, np.uint8)) == []


def test_two_people_are_counted(registry: ModelRegistry) -> None:
    face = astronaut()[20:240, 160:420]
    frame = np.full((480, 640, 3), 96, np.uint8)
    frame[100:320, 20:280] = face
    frame[120:340, 360:620] = face
    dets = FaceDetector(registry.session("face_detect_short")).detect(frame)
    assert len(dets) == 2


def test_mesh_iris_and_hands_on_a_face(registry: ModelRegistry) -> None:
    frame = place(astronaut())
    det = FaceDetector(registry.session("face_detect_short")).detect(frame)[0]
    mesh = FaceMesh(registry.session("face_mesh")).run(frame, roi_from_detection(det))
    assert mesh.points.shape == (468, 3) and mesh.presence > 0.9
    iris = EyeLandmarks(registry.session("iris")).run(mesh)
    # Each iris centre lies between its eye's corners, below the upper lid and above the
    # lower one; the refined contour stays within a few pixels of the mesh's eye points.
    for c, contour, (a, b, up, down), subset in (
        (iris.right_iris[0], iris.right_contour, (33, 133, 159, 145), RIGHT_EYE_SUBSET),
        (iris.left_iris[0], iris.left_contour, (362, 263, 386, 374), LEFT_EYE_SUBSET),
    ):
        lo, hi = sorted((mesh.points[a, 0], mesh.points[b, 0]))
        assert lo < c[0] < hi
        assert mesh.points[up, 1] < c[1] < mesh.points[down, 1]
        shift = np.hypot(*(contour[:16, :2] - mesh.points[list(subset[:16]), :2]).T)
        assert shift.max() < 0.25 * (hi - lo), shift.max()
    # The right and left results are not the same eye.
    assert iris.right_iris[0][0] < iris.left_iris[0][0]
    hands = HandLandmarks(registry.session("hand_landmark_lite"))
    assert all(hands.run(frame, r).presence < 0.5 for r in hand_rois(det.box, frame.shape))
    # A blank crop has no face in it.
    blank = np.full((480, 640, 3), 128, np.uint8)
    assert (
        FaceMesh(registry.session("face_mesh")).run(blank, roi_from_detection(det)).presence < 0.5
    )


@pytest.mark.parametrize("yaw", [-20, 20])
def test_a_20_degree_head_turn_reads_as_20_in_yaw(
    registry: ModelRegistry, face_model, yaw: int
) -> None:  # type: ignore[no-untyped-def]
    def still_clip(image: np.ndarray) -> tuple[float, float]:
        """Median yaw and gaze-at-camera over a 5-frame still clip (detection, then the
        mesh tracks itself, as on video)."""
        fa = FaceAnalyzer(registry)
        obs = [fa.analyse(image, i / 30, i) for i in range(5)]
        assert all(o.yaw is not None and o.gaze_at_camera is not None for o in obs)
        return (
            float(np.median([o.yaw for o in obs])),
            float(np.median([o.gaze_at_camera for o in obs])),
        )

    frontal_yaw, frontal_gaze = still_clip(place(face_model.render(0)))
    turned_yaw, turned_gaze = still_clip(place(face_model.render(yaw)))
    assert abs(frontal_yaw) < 5
    assert abs(turned_yaw - yaw) <= 5, turned_yaw
    # Looking at the lens with the head frontal; a turned head with the eyes fixed in it
    # (the render paints the eyes on the face) looks away.
    assert frontal_gaze > 0.8 and turned_gaze < 0.3, (frontal_gaze, turned_gaze)


def test_a_20_degree_roll_reads_as_20_in_roll(registry: ModelRegistry) -> None:
    img = astronaut()
    fa = FaceAnalyzer(registry)
    base = fa.analyse(place(img), 0.0).roll
    rolled = FaceAnalyzer(registry).analyse(place(rotate(img, 20, (290, 100))), 0.0).roll
    assert base is not None and rolled is not None
    assert abs((rolled - base) - 20) <= 3
    assert abs(head_pose(np.zeros((468, 3))).yaw) < 1e-6  # degenerate mesh does not crash


def test_tracking_skips_detection_between_detections(registry: ModelRegistry) -> None:
    fa = FaceAnalyzer(registry)
    frame = place(astronaut())
    obs = [fa.analyse(frame, t / 15, t) for t in range(30)]
    detected = [o.detected for o in obs]
    assert detected[0] and sum(detected) <= 3  # once per second at 15 fps over 2 s
    assert all(o.face_present for o in obs)
    assert all("detect" not in o.stage_ms for o in obs if not o.detected)


def test_iris_can_run_at_a_lower_rate_than_the_mesh(registry: ModelRegistry) -> None:
    from app.pipeline.face import FaceConfig

    fa = FaceAnalyzer(registry, FaceConfig(iris_interval_s=0.1))
    frame = place(astronaut())
    obs = [fa.analyse(frame, i / 30, i) for i in range(12)]  # 0.4 s at 30 fps
    iris_runs = sum("iris" in o.stage_ms for o in obs)
    assert 3 <= iris_runs <= 5
    assert all(o.gaze_at_camera is not None and o.gaze_at_camera > 0.5 for o in obs)


def test_hand_near_face_runner_follows_the_face_box(registry: ModelRegistry) -> None:
    from app.pipeline.face import HandNearFace

    hands = HandNearFace(registry)
    frame = place(astronaut())
    assert hands.analyse(frame) is None  # no face seen yet
    hands.on_face(FaceAnalyzer(registry).analyse(frame, 0.0))
    assert hands.analyse(frame) is False
