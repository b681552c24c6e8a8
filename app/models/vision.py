"""Vision runners: face detection (SSD anchors + NMS), face mesh, eyes/iris and hand landmarks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from app.models import attention
from app.models.session import OnnxSession

# MediaPipe's SSD anchor layouts (face_detection_{short,full}_range_common.pbtxt): layers that
# share a stride are merged, each contributing two anchors per cell (the full-range model
# has one layer and one anchor per cell).
_ANCHOR_LAYOUT = {
    128: ((8, 2), (16, 6)),
    192: ((4, 1),),
}


def ssd_anchors(input_size: int) -> np.ndarray:
    """Anchor centres (N, 2) in [0, 1] for the face detector with this input size."""
    centres: list[tuple[float, float]] = []
    for stride, per_cell in _ANCHOR_LAYOUT[input_size]:
        cells = math.ceil(input_size / stride)
        for y in range(cells):
            for x in range(cells):
                centres.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell)
    return np.asarray(centres, dtype=np.float32)


@dataclass(frozen=True)
class FaceDetection:
    """A face in image pixels: box (x0, y0, x1, y1), score, 6 keypoints (eyes, nose, mouth,
    ears; the subject's right eye first)."""

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray  # (6, 2) float32, pixels

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class Roi:
    """A rotated square region of an image: centre, side (pixels) and angle (radians)."""

    cx: float
    cy: float
    size: float
    angle: float = 0.0

    def crop_to_image(self, out: int) -> np.ndarray:
        """2x3 affine mapping crop pixel (u, v) to image pixel (x, y)."""
        a = self.size / out
        c, s = math.cos(self.angle), math.sin(self.angle)
        half = self.size / 2
        tx = self.cx - (c * half - s * half)
        ty = self.cy - (s * half + c * half)
        return np.array([[a * c, -a * s, tx], [a * s, a * c, ty]], dtype=np.float64)


def crop(image: np.ndarray, roi: Roi, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Rotated square crop resized to out x out; returns the crop and its crop->image affine."""
    m = roi.crop_to_image(out)
    patch = cv2.warpAffine(
        image,
        m,
        (out, out),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
    )
    return patch, m


def to_image(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Map (N, 2 or 3) crop points to image pixels; z is scaled like x."""
    out = points.astype(np.float64).copy()
    xy = points[:, :2].astype(np.float64)
    out[:, :2] = xy @ m[:, :2].T + m[:, 2]
    if points.shape[1] > 2:
        out[:, 2] = points[:, 2] * math.hypot(m[0, 0], m[1, 0])
    return out


def _nchw(patch: np.ndarray, lo: float, hi: float) -> np.ndarray:
    x = patch.astype(np.float32) * ((hi - lo) / 255.0) + lo
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -80.0, 80.0))), dtype=np.float32)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x0 = np.maximum(a[0], b[:, 0])
    y0 = np.maximum(a[1], b[:, 1])
    x1 = np.minimum(a[2], b[:, 2])
    y1 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return np.asarray(inter / np.maximum(area_a + area_b - inter, 1e-9))


def weighted_nms(
    boxes: np.ndarray, scores: np.ndarray, points: np.ndarray, iou_threshold: float
) -> list[tuple[np.ndarray, float, np.ndarray]]:
    """MediaPipe-style weighted NMS: overlapping boxes are averaged by score, not dropped."""
    order = np.argsort(-scores)
    boxes, scores, points = boxes[order], scores[order], points[order]
    alive = np.ones(len(scores), dtype=bool)
    out: list[tuple[np.ndarray, float, np.ndarray]] = []
    for i in range(len(scores)):
        if not alive[i]:
            continue
        overlap = _iou(boxes[i], boxes) > iou_threshold
        group = overlap & alive
        w = scores[group][:, None]
        box = (boxes[group] * w).sum(0) / w.sum()
        pts = (points[group] * w[:, :, None]).sum(0) / w.sum()
        out.append((box, float(scores[i]), pts))
        alive &= ~group
    return out


class FaceDetector:
    """BlazeFace short- or full-range: letterbox -> run -> anchor decode -> weighted NMS."""

    def __init__(
        self, session: OnnxSession, *, min_score: float = 0.5, iou_threshold: float = 0.3
    ) -> None:
        self.session = session
        self.size = int(session.input_shapes[0][2])
        self.anchors = ssd_anchors(self.size)
        self.min_score = min_score
        self.iou_threshold = iou_threshold

    def detect(self, rgb: np.ndarray) -> list[FaceDetection]:
        h, w = rgb.shape[:2]
        scale = self.size / max(h, w)
        nw, nh = round(w * scale), round(h * scale)
        px, py = (self.size - nw) // 2, (self.size - nh) // 2
        canvas = np.zeros((self.size, self.size, 3), dtype=np.uint8)
        canvas[py : py + nh, px : px + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
        raw_boxes, raw_scores = self.session.run(
            {self.session.input_names[0]: _nchw(canvas, -1, 1)}
        )
        return self.decode(raw_boxes[0], raw_scores[0, :, 0], scale, px, py)

    def decode(
        self, raw: np.ndarray, raw_scores: np.ndarray, scale: float, px: int, py: int
    ) -> list[FaceDetection]:
        scores = _sigmoid(raw_scores)
        keep = scores >= self.min_score
        if not keep.any():
            return []
        raw, scores, anchors = raw[keep], scores[keep], self.anchors[keep]
        s = float(self.size)
        cx = raw[:, 0] / s + anchors[:, 0]
        cy = raw[:, 1] / s + anchors[:, 1]
        bw, bh = raw[:, 2] / s, raw[:, 3] / s
        boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
        kp = raw[:, 4:16].reshape(-1, 6, 2) / s + anchors[:, None, :]
        dets = []
        for box, score, pts in weighted_nms(boxes, scores, kp, self.iou_threshold):
            # letterbox [0,1] -> image pixels
            bx = (box * s - np.array([px, py, px, py])) / scale
            kpx = (pts * s - np.array([px, py])) / scale
            dets.append(
                FaceDetection(
                    box=(float(bx[0]), float(bx[1]), float(bx[2]), float(bx[3])),
                    score=score,
                    keypoints=kpx.astype(np.float32),
                )
            )
        return dets


def roi_from_detection(det: FaceDetection, scale: float = 1.5) -> Roi:
    """MediaPipe's detection -> face-landmark ROI: square, 1.5x, rotated by the eye line."""
    right_eye, left_eye = det.keypoints[0], det.keypoints[1]
    angle = math.atan2(float(left_eye[1] - right_eye[1]), float(left_eye[0] - right_eye[0]))
    cx, cy = det.centre
    return Roi(cx, cy, max(det.width, det.height) * scale, angle)


def roi_from_mesh(points: np.ndarray, scale: float = 1.5) -> Roi:
    """Tracking ROI for the next frame from this frame's mesh (eye corners 33 -> 263)."""
    a, b = points[33, :2], points[263, :2]
    angle = math.atan2(float(b[1] - a[1]), float(b[0] - a[0]))
    # Bounding box in the face's own (de-rotated) frame, as MediaPipe does.
    c, s = math.cos(-angle), math.sin(-angle)
    xy = points[:, :2]
    centre = xy.mean(0)
    rel = xy - centre
    rx = rel[:, 0] * c - rel[:, 1] * s
    ry = rel[:, 0] * s + rel[:, 1] * c
    mx, my = (rx.max() + rx.min()) / 2, (ry.max() + ry.min()) / 2
    # box centre back to image coordinates
    ci, si = math.cos(angle), math.sin(angle)
    bx = centre[0] + mx * ci - my * si
    by = centre[1] + mx * si + my * ci
    size = max(rx.max() - rx.min(), ry.max() - ry.min()) * scale
    return Roi(float(bx), float(by), float(size), angle)


@dataclass(frozen=True)
class FaceMeshResult:
    points: np.ndarray  # (468, 3) image pixels; z relative, scaled like x
    presence: float
    # The attention mesh's own outputs, for the eye heads: the mesh in model-input pixels,
    # the trunk's (C, 48, 48) feature map and the crop -> image affine. None for a plain mesh.
    input_points: np.ndarray | None = None
    features: np.ndarray | None = None
    crop: np.ndarray | None = None


class FaceMesh:
    """MediaPipe's face mesh: the attention model's trunk (mesh, face flag, feature map for
    the eye heads), or a plain mesh model (mesh and face flag only)."""

    def __init__(self, session: OnnxSession) -> None:
        self.session = session
        self.size = int(session.input_shapes[0][2])

    def run(self, rgb: np.ndarray, roi: Roi) -> FaceMeshResult:
        patch, m = crop(rgb, roi, self.size)
        outs = self.session.run({self.session.input_names[0]: _nchw(patch, 0, 1)})
        raw = outs[0].reshape(-1, 3)
        features = outs[2][0] if len(outs) > 2 and outs[2].ndim == 4 else None
        return FaceMeshResult(
            to_image(raw, m), float(_sigmoid(outs[1].reshape(-1))[0]), raw, features, m
        )


@dataclass(frozen=True)
class IrisResult:
    """Per eye: iris centre + 4 rim points (5, 3) and the eye contour (71, 3), image pixels.
    z (scaled like x) is the mesh's: each contour point takes the z of the mesh point it
    refines, the iris the mean of the contour's."""

    right_iris: np.ndarray
    left_iris: np.ndarray
    right_contour: np.ndarray
    left_contour: np.ndarray


_RIGHT_SUBSET = np.array(attention.RIGHT_EYE_SUBSET)
_LEFT_SUBSET = np.array(attention.LEFT_EYE_SUBSET)


def _eye_to_image(
    eye: tuple[np.ndarray, np.ndarray], subset: np.ndarray, mesh_input: np.ndarray, m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(contour, iris) of one eye from input to image pixels, with z: each contour point the
    z of the mesh point it refines, the iris the mean of those."""
    contour, iris = eye
    z = mesh_input[subset, 2]
    z = np.concatenate([z, np.full(len(iris), z.mean())])
    pts = to_image(np.column_stack([np.concatenate([contour, iris]), z]), m)
    return pts[: len(contour)], pts[len(contour) :]


class EyeLandmarks:
    """The attention face mesh's eye heads: from crops of the trunk's feature map around each
    eye (placed by the mesh, see app/models/attention.py) to the 71-point eye contour and the
    5 iris points, in the same pass's coordinates. Needs a FaceMeshResult with features."""

    def __init__(self, session: OnnxSession) -> None:
        self.session = session

    def run(self, mesh: FaceMeshResult) -> IrisResult:
        if mesh.features is None or mesh.input_points is None or mesh.crop is None:
            raise ValueError("the eye heads need the attention face mesh's feature map")
        right, left = attention.eye_points(self.session, mesh.input_points, mesh.features)
        rc, ri = _eye_to_image(right, _RIGHT_SUBSET, mesh.input_points, mesh.crop)
        lc, li = _eye_to_image(left, _LEFT_SUBSET, mesh.input_points, mesh.crop)
        return IrisResult(ri, li, rc, lc)


def refine_eyes(points: np.ndarray, eyes: IrisResult) -> np.ndarray:
    """MediaPipe's landmark refinement for the eyes: the (468, 3) mesh with the 71 points
    around each eye replaced by that eye's contour from the eye heads, which sees the eye at
    4x the mesh's resolution (the iris and the lids then come from the same pass)."""
    out = points.copy()
    out[_RIGHT_SUBSET] = eyes.right_contour
    out[_LEFT_SUBSET] = eyes.left_contour
    return out


@dataclass(frozen=True)
class HandResult:
    presence: float
    points: np.ndarray  # (21, 3) image pixels


class HandLandmarks:
    def __init__(self, session: OnnxSession) -> None:
        self.session = session
        self.size = int(session.input_shapes[0][2])

    def run(self, rgb: np.ndarray, roi: Roi) -> HandResult:
        patch, m = crop(rgb, roi, self.size)
        outs = self.session.run({self.session.input_names[0]: _nchw(patch, 0, 1)})
        # Outputs: screen landmarks (63), presence (already a probability), handedness, world.
        pts = outs[0].reshape(-1, 3)
        return HandResult(float(outs[1].reshape(-1)[0]), to_image(pts, m))


def hand_rois(
    face_box: tuple[float, float, float, float], image_shape: tuple[int, ...]
) -> list[Roi]:
    """Squares beside and below the face where a hand touching the face would be."""
    x0, y0, x1, y1 = face_box
    w, h = x1 - x0, y1 - y0
    side = 1.3 * max(w, h)
    cy = (y0 + y1) / 2 + 0.2 * h
    rois = [
        Roi(x0 - 0.35 * side, cy, side),
        Roi(x1 + 0.35 * side, cy, side),
        Roi((x0 + x1) / 2, y1 + 0.3 * side, side),
    ]
    ih, iw = image_shape[:2]
    return [r for r in rois if -r.size / 2 < r.cx < iw + r.size / 2 and r.cy - r.size / 2 < ih]
