"""Head pose, gaze-at-camera and a smile measure from face-mesh + iris geometry (no model)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.models.vision import IrisResult, refine_eyes

# Face-mesh indices (MediaPipe topology).
EYE_OUTER_R, EYE_INNER_R, EYE_INNER_L, EYE_OUTER_L = 33, 133, 362, 263
LID_UP_R, LID_DOWN_R, LID_UP_L, LID_DOWN_L = 159, 145, 386, 374
FOREHEAD, CHIN = 10, 152
CHEEK_R, CHEEK_L = 234, 454
MOUTH_R, MOUTH_L, LIP_UP, LIP_DOWN = 61, 291, 13, 14


# The mesh's relative depth comes out at about 2/3 of the x scale on turned faces: without this
# factor a 20 degree turn reads as 13 degrees. Calibrated on rendered head turns of 10-30
# degrees (tools/synth_media.py); a labelled real-face head-pose set would be a better check.
MESH_DEPTH_SCALE = 1.5
# The forehead-chin line of an upright face seen at eye level leans back by about this much
# in the mesh's frame (the hairline point sits behind the chin); measured on a frontal portrait.
PITCH_NEUTRAL_DEG = -14.0


@dataclass(frozen=True)
class HeadPose:
    """Degrees. yaw > 0: face turned toward the image right; pitch > 0: looking up;
    roll > 0: head tilted clockwise in the image."""

    yaw: float
    pitch: float
    roll: float


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else v


def head_pose(mesh: np.ndarray) -> HeadPose:
    """Orientation of the face frame spanned by the eye line and the forehead-chin line.

    The mesh z is relative depth on the same scale as x, so the 3D axes give yaw and pitch
    directly; roll is the image angle of the eye line."""
    p = mesh.astype(np.float64).copy()
    p[:, 2] *= MESH_DEPTH_SCALE
    # Average two horizontal spans (eyes and cheeks) for a steadier x axis.
    x_axis = _unit(_unit(p[EYE_OUTER_L] - p[EYE_OUTER_R]) + _unit(p[CHEEK_L] - p[CHEEK_R]))
    y_axis = p[CHIN] - p[FOREHEAD]
    y_axis = _unit(y_axis - np.dot(y_axis, x_axis) * x_axis)
    roll = math.degrees(math.atan2(x_axis[1], x_axis[0]))
    yaw = math.degrees(math.atan2(x_axis[2], math.hypot(x_axis[0], x_axis[1])))
    pitch = (
        math.degrees(math.atan2(-y_axis[2], math.hypot(y_axis[0], y_axis[1]))) - PITCH_NEUTRAL_DEG
    )
    return HeadPose(yaw, pitch, roll)


@dataclass(frozen=True)
class Gaze:
    """Eye-in-head offsets in [-1, 1] (0 = iris centred), the combined gaze direction in
    degrees, and `at_camera` in [0, 1]."""

    eye_x: float
    eye_y: float
    yaw: float
    pitch: float
    at_camera: float


# Eye-in-head rotation for an iris at the corner of the eye (about +-35 degrees for adults).
_EYE_RANGE_DEG = 35.0
_AT_CAMERA_SIGMA_DEG = 10.0


def _eye_offsets(
    iris: np.ndarray, mesh: np.ndarray, outer: int, inner: int, up: int, down: int, roll: float
) -> tuple[float, float]:
    c, s = math.cos(-roll), math.sin(-roll)

    def rot(v: np.ndarray) -> tuple[float, float]:
        return (v[0] * c - v[1] * s, v[0] * s + v[1] * c)

    a, b = mesh[outer, :2], mesh[inner, :2]
    centre = (a + b) / 2
    half_w = max(float(np.hypot(*(b - a))) / 2, 1e-6)
    ix, iy = rot(iris[0, :2] - centre)
    _, up_y = rot(mesh[up, :2] - centre)
    _, down_y = rot(mesh[down, :2] - centre)
    mid_y = (up_y + down_y) / 2
    half_h = max(abs(down_y - up_y) / 2, half_w * 0.25)
    # x in the image direction (outer->inner flips between eyes, so use image x)
    sign = 1.0 if b[0] >= a[0] else -1.0
    return sign * ix / half_w * (1 if outer == EYE_OUTER_R else -1), (iy - mid_y) / half_h


def gaze(mesh: np.ndarray, iris: IrisResult, pose: HeadPose) -> Gaze:
    """Gaze from the irises placed in their eyes. The corners and lids are the eye contours
    from the same eye heads (`refine_eyes`): the coarser mesh's own lid points sit ~1.5 px off
    at interview distance, 0.3 of the eye's half-height, which read as looking down."""
    mesh = refine_eyes(mesh, iris)
    roll = math.radians(pose.roll)
    rx, ry = _eye_offsets(
        iris.right_iris, mesh, EYE_OUTER_R, EYE_INNER_R, LID_UP_R, LID_DOWN_R, roll
    )
    lx, ly = _eye_offsets(
        iris.left_iris, mesh, EYE_OUTER_L, EYE_INNER_L, LID_UP_L, LID_DOWN_L, roll
    )
    ex = float(np.clip((rx - lx) / 2, -1, 1))  # both in image-x direction after sign fix
    ey = float(np.clip((ry + ly) / 2, -1, 1))
    return gaze_from_eyes(ex, ey, pose)


def gaze_from_eyes(ex: float, ey: float, pose: HeadPose) -> Gaze:
    """Combine eye-in-head offsets (possibly from an earlier frame) with the current pose."""
    g_yaw = pose.yaw + ex * _EYE_RANGE_DEG
    g_pitch = pose.pitch - ey * _EYE_RANGE_DEG * 0.6
    d2 = g_yaw**2 + g_pitch**2
    at_camera = math.exp(-d2 / (2 * _AT_CAMERA_SIGMA_DEG**2))
    return Gaze(ex, ey, g_yaw, g_pitch, at_camera)


@dataclass(frozen=True)
class Smile:
    """mouth width / inter-ocular distance, corner lift (fraction of mouth width, > 0 =
    corners above the lip centre) and a 0..1 score combining both."""

    width_ratio: float
    corner_lift: float
    score: float


def smile(mesh: np.ndarray, pose: HeadPose) -> Smile:
    p = mesh[:, :2].astype(np.float64)
    roll = math.radians(pose.roll)
    c, s = math.cos(-roll), math.sin(-roll)
    eye_dist = max(float(np.hypot(*(p[EYE_OUTER_L] - p[EYE_OUTER_R]))), 1e-6)
    width = float(np.hypot(*(p[MOUTH_L] - p[MOUTH_R])))
    centre = (p[LIP_UP] + p[LIP_DOWN]) / 2

    def y_of(v: np.ndarray) -> float:
        return float(v[0] * s + v[1] * c)

    corners_y = (y_of(p[MOUTH_R] - centre) + y_of(p[MOUTH_L] - centre)) / 2
    lift = -corners_y / max(width, 1e-6)
    ratio = width / eye_dist
    # Neutral mouths sit near ratio 0.55-0.6 and lift ~0; broad smiles reach ~0.75 and 0.1.
    score = float(np.clip((ratio - 0.58) / 0.17 * 0.6 + lift / 0.1 * 0.4, 0.0, 1.0))
    return Smile(ratio, lift, score)
