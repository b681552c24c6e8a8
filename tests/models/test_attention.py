"""MediaPipe's crop ops re-implemented in NumPy (app/models/attention.py) and the TFLite cut."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from app.models import attention
from app.models.attention import CropSpec, bilinear_crop, crop_matrix, transform_points


def _loop_bilinear(features: np.ndarray, m: np.ndarray, size: int) -> np.ndarray:
    """The C++ kernel's loops, written out (slow, obvious)."""
    ch, h, w = features.shape
    out = np.zeros((ch, size, size), np.float32)
    tx = m[0].astype(np.float64).copy()
    ty = m[1].astype(np.float64).copy()
    tx[3] += tx[0] * 0.5 + tx[1] * 0.5 - 0.5
    ty[3] += ty[0] * 0.5 + ty[1] * 0.5 - 0.5
    for oy in range(size):
        for ox in range(size):
            x = tx[0] * ox + tx[1] * oy + tx[3]
            y = ty[0] * ox + ty[1] * oy + ty[3]
            if x < 0 or x > w - 1 or y < 0 or y > h - 1:
                continue
            x0, y0 = math.floor(x), math.floor(y)

            def val(yy: int, xx: int) -> np.ndarray:
                if yy < 0 or xx < 0 or yy >= h or xx >= w:
                    return np.zeros(ch)
                return features[:, yy, xx]

            fx, fy = x - x0, y - y0
            upper = (1 - fx) * val(y0, x0) + fx * val(y0, x0 + 1)
            lower = (1 - fx) * val(y0 + 1, x0) + fx * val(y0 + 1, x0 + 1)
            out[:, oy, ox] = fy * lower + (1 - fy) * upper
    return out


def test_bilinear_crop_matches_the_kernel_loops_inside_and_outside_the_map() -> None:
    rng = np.random.default_rng(4)
    feats = rng.normal(size=(5, 12, 12)).astype(np.float32)
    for angle, scale, shift in ((0.0, 0.5, 2.0), (0.4, 0.9, -3.0), (-1.2, 1.3, 6.0)):
        c, s = math.cos(angle), math.sin(angle)
        m = np.eye(4, dtype=np.float32)
        m[0, :2] = (c * scale, -s * scale)
        m[1, :2] = (s * scale, c * scale)
        m[0, 3], m[1, 3] = shift, shift + 1
        got = bilinear_crop(feats, m, 8)
        np.testing.assert_allclose(got, _loop_bilinear(feats, m, 8), atol=1e-5)
    # A crop placed entirely off the map is zeros.
    far = np.eye(4, dtype=np.float32)
    far[0, 3] = 100.0
    assert not bilinear_crop(feats, far, 8).any()


def test_an_identity_crop_reads_the_map_itself() -> None:
    feats = np.arange(2 * 16 * 16, dtype=np.float32).reshape(2, 16, 16)
    assert np.array_equal(bilinear_crop(feats, np.eye(4, dtype=np.float32), 16), feats)


def test_crop_matrix_is_aligned_with_the_eye_line_and_covers_the_subset() -> None:
    pts = np.zeros((468, 3), np.float32)
    angle = math.radians(25)
    c, s = math.cos(angle), math.sin(angle)
    subset = (1, 2, 3, 4)
    # A 8 x 4 box around (20, 30), turned by 25 degrees; the eye line is its long side.
    corners = [(-4, -2), (4, -2), (4, 2), (-4, 2)]
    for i, (u, v) in zip(subset, corners, strict=True):
        pts[i, :2] = (20 + u * c - v * s, 30 + u * s + v * c)
    pts[10, :2], pts[11, :2] = pts[1, :2], pts[2, :2]
    m = crop_matrix(pts, CropSpec(10, 11, subset, scale=1.5, size=16))
    # The crop's centre cell maps to the box centre; its axes follow the eye line; its side
    # is 1.5 x the box (8 * 1.5 = 12 cells across 16 crop cells).
    centre = m[:2, :2] @ np.array([8.0, 8.0]) + m[:2, 3]
    np.testing.assert_allclose(centre, (20, 30), atol=1e-4)
    assert math.isclose(math.atan2(m[1, 0], m[0, 0]), angle, abs_tol=1e-5)
    assert math.isclose(math.hypot(m[0, 0], m[1, 0]) * 16, 12.0, rel_tol=1e-5)
    assert math.isclose(math.hypot(m[0, 1], m[1, 1]) * 16, 6.0, rel_tol=1e-5)


def test_transform_points_maps_crop_points_back_to_input_pixels() -> None:
    m = np.eye(4, dtype=np.float32)
    m[0, 3], m[1, 3] = 10.0, 20.0  # crop origin at feature cell (10, 20)
    out = transform_points(np.array([[0.0, 0.0], [4.0, 8.0]], np.float32), m)
    # Translation is in feature cells (x 4 to input pixels); the points keep their scale.
    np.testing.assert_allclose(out, [[40.0, 80.0], [44.0, 88.0]])


def test_the_cut_refuses_unknown_tensors_and_ops(tmp_path: Path) -> None:
    pytest.importorskip("tflite")
    from app.models.build import _member, _wheel
    from app.models.manifest import load_manifest, model_cache_dir
    from app.models.tflite_cut import cut

    spec = load_manifest().get("face_mesh")
    cache = model_cache_dir() / "build-cache"
    wheel = _wheel(spec.origin["package"], spec.origin["version"], cache, lambda _m: None)
    src = _member(wheel, spec.origin["member"], tmp_path / "m.tflite")
    with pytest.raises(ValueError, match="no tensor named 'nope'"):
        cut(src, ["input_1"], ["nope"])
    # Across MediaPipe's custom ops: the converter names an op it cannot do.
    with pytest.raises(ValueError, match=r"TFLite op [A-Za-z0-9_]+ is not supported"):
        cut(src, ["input_1"], ["conv_left_iris"])
    model = cut(src, list(attention.CROPS), ["conv_left_iris"])
    assert [i.name for i in model.graph.input] == list(attention.CROPS)


def test_eye_landmarks_equal_the_chain_mapped_to_the_image() -> None:
    """The runner's one-affine mapping equals TransformLandmarks then the crop -> image map."""
    from app.models.registry import ModelRegistry
    from app.models.vision import EyeLandmarks, FaceDetector, FaceMesh, roi_from_detection, to_image
    from tools.synth_media import astronaut, place

    reg = ModelRegistry()
    frame = place(astronaut())
    det = FaceDetector(reg.session("face_detect_short")).detect(frame)[0]
    mesh_runner = FaceMesh(reg.session("face_mesh"))
    mesh = mesh_runner.run(frame, roi_from_detection(det))
    assert mesh.features is not None and mesh.crop is not None
    got = EyeLandmarks(reg.session("iris")).run(mesh)
    from app.models.vision import _nchw, crop

    patch, _ = crop(frame, roi_from_detection(det), 192)
    chain = attention.run_chain(reg.session("face_mesh"), reg.session("iris"), _nchw(patch, 0, 1))
    pairs = (
        ("output_left_iris", got.right_iris),  # the model's "left" is the subject's right
        ("output_left_eye", got.right_contour),
        ("output_right_iris", got.left_iris),
        ("output_right_eye", got.left_contour),
    )
    for name, ours in pairs:
        want = to_image(chain[name].reshape(-1, 2), mesh.crop)
        np.testing.assert_allclose(ours[:, :2], want, atol=1e-3)
    # z: each contour point has the z of the mesh point it refines (image scale).
    np.testing.assert_allclose(
        got.right_contour[:, 2], mesh.points[list(attention.RIGHT_EYE_SUBSET), 2], atol=1e-4
    )
