"""MediaPipe's attention face mesh as two ONNX graphs with MediaPipe's crop ops in NumPy.

`face_landmark_with_attention.tflite` (MediaPipe 0.10.21, what its FaceMesh runs with
`refine_landmarks=True`) predicts the 468-point mesh and, from the same pass, the 71-point
eye contours and the 5 iris points of each eye: small heads read crops of the trunk's 48x48
feature map placed by the predicted mesh. That replaces two runs of the separate iris model
per frame. The model is converted as a trunk graph (image -> mesh, face flag, feature map)
and an eyes graph (two crops -> contours and irises) by app/models/tflite_cut.py; the three
MediaPipe ops between them are re-implemented here after their published C++ kernels
(mediapipe/util/tflite/operations, Apache-2.0): Landmarks2TransformMatrix (v2),
TransformTensorBilinear (v2) and TransformLandmarks (v2). The lips head is not converted
(RoundTwo reads the mouth from the mesh).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from app.models.session import OnnxSession

# The op options stored in the .tflite file (left/right rotation landmarks and the subset
# whose rotated bounding box, times 1.5, is the 16x16 crop), for the subject's two eyes. The
# model's "left eye" is the one on the image left: the subject's right eye (mesh 33 -> 133).
# The 71 eye-contour points the heads predict are the refined positions of these 71 mesh
# points, in this order (MediaPipe's landmark refinement puts them there).
LEFT_EYE_SUBSET = (
    263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255,
    339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449,
    450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295,
    372, 340, 346, 347, 348, 349, 350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417,
)  # fmt: skip
RIGHT_EYE_SUBSET = (
    33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110,
    24, 23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232,
    233, 244, 113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118,
    119, 120, 121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
)  # fmt: skip


@dataclass(frozen=True)
class CropSpec:
    left_idx: int
    right_idx: int
    subset: tuple[int, ...]
    scale: float = 1.5
    size: int = 16


# Tensor names in the .tflite file: the crop each eyes-graph input stands for; the subject's
# right eye first. Eyes-graph outputs, in order: (right contour, right iris, left contour,
# left iris) of the subject.
RIGHT_EYE_CROP = "transform_tensor_bilinear_v2_1"
LEFT_EYE_CROP = "transform_tensor_bilinear_v2_2"
CROPS = {
    RIGHT_EYE_CROP: CropSpec(33, 133, RIGHT_EYE_SUBSET),
    LEFT_EYE_CROP: CropSpec(362, 263, LEFT_EYE_SUBSET),
}
# Mesh coordinates (192x192 input pixels) -> feature map cells (48x48).
MESH_TO_FEATURES = 0.25
# multiply_by_constant_{3,5}: the crop matrix, scaled back to input pixels for the landmarks.
MATRIX_TO_INPUT = np.array(
    [[1, 1, 4, 4], [1, 1, 4, 4], [0.25, 0.25, 1, 1], [0.25, 0.25, 1, 1]], np.float32
)


def crop_matrix(landmarks: np.ndarray, spec: CropSpec) -> np.ndarray:
    """Landmarks2TransformMatrix v2: the 4x4 matrix taking crop cells (x, y, 0, 1) to
    feature-map cells, for a crop aligned with the left->right landmark line around the
    subset's bounding box (times `scale`). `landmarks`: (468, 3) in feature-map cells."""
    lx, ly = landmarks[spec.left_idx, :2]
    rx, ry = landmarks[spec.right_idx, :2]
    rot = 0.0 - math.atan2(float(ry - ly), float(rx - lx))
    c, s = math.cos(rot), math.sin(rot)
    pts = landmarks[list(spec.subset), :2].astype(np.float64)
    rx_ = pts[:, 0] * c - pts[:, 1] * s
    ry_ = pts[:, 0] * s + pts[:, 1] * c
    w, h = rx_.max() - rx_.min(), ry_.max() - ry_.min()
    mx, my = (rx_.max() + rx_.min()) / 2, (ry_.max() + ry_.min()) / 2
    # Back to unrotated coordinates: the crop centre.
    cx, cy = mx * c + my * s, -mx * s + my * c
    sx, sy = spec.scale * w / spec.size, spec.scale * h / spec.size
    # t = shift(cx, cy) * rotate(-rot) * scale(sx, sy) * shift(-size/2, -size/2)
    cr, sr = math.cos(-rot), math.sin(-rot)
    half = spec.size / 2
    m = np.eye(4)
    m[0, :2] = (cr * sx, -sr * sy)
    m[1, :2] = (sr * sx, cr * sy)
    m[0, 3] = cx - half * (cr * sx - sr * sy)
    m[1, 3] = cy - half * (sr * sx + cr * sy)
    return m.astype(np.float32)


def bilinear_crop(features: np.ndarray, matrix: np.ndarray, size: int = 16) -> np.ndarray:
    """TransformTensorBilinear v2: sample `features` (C, H, W) at the crop cells' centres
    mapped by `matrix`; cells that map outside the map are 0, and so are neighbours past
    its edge. Returns (C, size, size)."""
    ch, h, w = features.shape
    tx = matrix[0].astype(np.float64)
    ty = matrix[1].astype(np.float64)
    # Align-corners correction of the kernel: sample at cell centres.
    tx3 = tx[3] + tx[0] * 0.5 + tx[1] * 0.5 - 0.5
    ty3 = ty[3] + ty[0] * 0.5 + ty[1] * 0.5 - 0.5
    oy, ox = np.divmod(np.arange(size * size, dtype=np.float64), size)
    x = (tx[0] * ox + tx[1] * oy + tx3).astype(np.float32)
    y = (ty[0] * ox + ty[1] * oy + ty3).astype(np.float32)
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    x0 = np.floor(x)
    y0 = np.floor(y)
    fx = x - x0
    fy = y - y0
    xi = x0.astype(np.int64)
    yi = y0.astype(np.int64)
    # The four neighbours of every sample as one gather: (4, size*size) indices and weights,
    # weight 0 (and a harmless index) where the neighbour is off the map or the sample is.
    nx = np.stack([xi, xi + 1, xi, xi + 1])
    ny = np.stack([yi, yi, yi + 1, yi + 1])
    wgt = np.stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
    ok = inside & (nx >= 0) & (ny >= 0) & (nx < w) & (ny < h)
    idx = np.where(ok, ny * w + nx, 0)
    wgt = np.where(ok, wgt, 0.0).astype(np.float32)
    flat = features.reshape(ch, h * w)
    out: np.ndarray = (flat[:, idx] * wgt).sum(axis=1)
    return out.astype(np.float32, copy=False).reshape(ch, size, size)


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """TransformLandmarks v2 (2-D): (n, 2) eye-head points to input pixels, through the first
    two rows of the crop matrix scaled back to input pixels."""
    a = (matrix.astype(np.float64) * MATRIX_TO_INPUT)[:2][:, [0, 1, 3]]
    out: np.ndarray = points.astype(np.float64) @ a[:, :2].T + a[:, 2]
    return out.astype(np.float32)


def eye_crops(
    mesh_input: np.ndarray, features: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each eyes-graph input: (crop (1, C, 16, 16), crop matrix). `mesh_input`: the
    trunk's (468, 3) mesh in input pixels; `features`: its (C, 48, 48) feature map."""
    cells = mesh_input * MESH_TO_FEATURES
    out = {}
    for name, spec in CROPS.items():
        m = crop_matrix(cells, spec)
        out[name] = (bilinear_crop(features, m, spec.size)[None], m)
    return out


def eye_points(
    eyes: OnnxSession, mesh_input: np.ndarray, features: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The eye heads on one trunk pass: ((contour (71, 2), iris (5, 2)) of the subject's right
    eye, then of the left), in input pixels. `mesh_input` and `features` as for eye_crops."""
    crops = eye_crops(mesh_input, features)
    r_eye, r_iris, l_eye, l_iris = eyes.run({k: v[0] for k, v in crops.items()})
    mr, ml = crops[RIGHT_EYE_CROP][1], crops[LEFT_EYE_CROP][1]
    return (
        (transform_points(r_eye.reshape(-1, 2), mr), transform_points(r_iris.reshape(-1, 2), mr)),
        (transform_points(l_eye.reshape(-1, 2), ml), transform_points(l_iris.reshape(-1, 2), ml)),
    )


def run_chain(trunk: OnnxSession, eyes: OnnxSession, image01: np.ndarray) -> dict[str, np.ndarray]:
    """The whole attention model on one (1, 3, 192, 192) input in [0, 1], as the original's
    outputs it reproduces, by name and flattened (the model's "left" is the subject's right
    eye; the lips are not converted)."""
    mesh, flag, features = trunk.run({trunk.input_names[0]: image01})
    (r_eye, r_iris), (l_eye, l_iris) = eye_points(eyes, mesh.reshape(-1, 3), features[0])
    return {
        "output_mesh_identity": mesh.ravel(),
        "conv_faceflag": flag.ravel(),
        "output_left_eye": r_eye.ravel(),
        "output_left_iris": r_iris.ravel(),
        "output_right_eye": l_eye.ravel(),
        "output_right_iris": l_iris.ravel(),
    }
