"""`models build` reproduces the converted models from the packages that ship them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.models.build import build_models, probe_input
from app.models.manifest import load_manifest, model_cache_dir
from app.models.session import OnnxSession


def test_probe_input_matches_the_reference_tool() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "tflite_reference", Path(__file__).resolve().parents[2] / "tools" / "tflite_reference.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    a = probe_input((1, 8, 8, 3), -1, 1)
    assert np.array_equal(a, mod.probe_input((1, 8, 8, 3), -1, 1))
    assert a.min() >= -1 and a.max() <= 1 and a.std() > 0.1


@pytest.mark.slow
def test_build_converts_and_checks_against_the_original(tmp_path: Path) -> None:
    m = load_manifest()
    # Wheels are cached in the user cache so repeated runs do not download again.
    results = build_models(
        m,
        ids=["face_detect_short", "face_mesh", "silero_vad"],
        cache=model_cache_dir() / "build-cache",
        out_dir=tmp_path,
    )
    by_id = {r.id: r for r in results}
    assert by_id["face_detect_short"].ok, by_id["face_detect_short"].detail
    assert "matches the original" in by_id["face_detect_short"].detail
    assert by_id["silero_vad"].ok and "sha256 matches" in by_id["silero_vad"].detail
    # The face mesh is converted, then its PRelus are rewritten, then checked.
    assert by_id["face_mesh"].ok, by_id["face_mesh"].detail
    import onnx

    built = onnx.load(str(tmp_path / "face_landmark.onnx"))
    ops = {n.op_type for n in built.graph.node}
    assert "PRelu" not in ops and "BatchNormalization" in ops
    # The rebuilt detector behaves like the committed one on a real input.
    x = probe_input((1, 128, 128, 3), -1, 1).transpose(0, 3, 1, 2).copy()
    a = OnnxSession(tmp_path / "face_detection_short_range.onnx").run({"input": x})
    b = OnnxSession(m.base_dir / "face_detection_short_range.onnx").run({"input": x})
    assert np.allclose(a[1], b[1], atol=1e-4)


def test_session_is_capped_and_on_cpu() -> None:
    m = load_manifest()
    s = OnnxSession(m.base_dir / "face_landmark.onnx")
    assert s._session.get_providers() == ["CPUExecutionProvider"]
    opts = s._session.get_session_options()
    assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
    assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert s.calls == 0  # warmup is not counted
    s.run({"input_1": np.zeros((1, 3, 192, 192), np.float32)})
    assert s.calls == 1 and s.mean_ms() > 0
