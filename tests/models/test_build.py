"""`models build` reproduces the converted models from the packages that ship them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.models.build import build_models, probe_input
from app.models.manifest import load_manifest, model_cache_dir
from app.models.session import OnnxSession


@pytest.mark.parametrize("tool", ["tflite_reference", "mediapipe_reference"])
def test_probe_input_matches_the_reference_tool(tool: str) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        tool, Path(__file__).resolve().parents[2] / "tools" / f"{tool}.py"
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
        ids=["face_detect_short", "face_mesh", "iris", "silero_vad"],
        cache=model_cache_dir() / "build-cache",
        out_dir=tmp_path,
    )
    by_id = {r.id: r for r in results}
    assert by_id["face_detect_short"].ok, by_id["face_detect_short"].detail
    assert "matches the original" in by_id["face_detect_short"].detail
    assert by_id["silero_vad"].ok and "sha256 matches" in by_id["silero_vad"].detail
    # The attention face mesh is cut into its trunk and eye heads, their PRelus are
    # rewritten, and the chain (trunk, NumPy crops, heads) is checked against MediaPipe's own
    # runtime; the cut is deterministic, so the files are the committed ones byte for byte.
    import onnx

    for mid, name in (
        ("face_mesh", "face_landmark_attention.onnx"),
        ("iris", "face_landmark_attention_eyes.onnx"),
    ):
        assert by_id[mid].ok, by_id[mid].detail
        assert "the chain matches the original" in by_id[mid].detail
        assert "byte-identical to the committed file" in by_id[mid].detail
        built = onnx.load(str(tmp_path / name))
        ops = {n.op_type for n in built.graph.node}
        assert "PRelu" not in ops and "BatchNormalization" in ops
    # The rebuilt detector behaves like the committed one on a real input.
    x = probe_input((1, 128, 128, 3), -1, 1).transpose(0, 3, 1, 2).copy()
    a = OnnxSession(tmp_path / "face_detection_short_range.onnx").run({"input": x})
    b = OnnxSession(m.base_dir / "face_detection_short_range.onnx").run({"input": x})
    assert np.allclose(a[1], b[1], atol=1e-4)


def test_session_is_capped_and_on_cpu() -> None:
    m = load_manifest()
    s = OnnxSession(m.base_dir / "face_landmark_attention.onnx")
    assert s._session.get_providers() == ["CPUExecutionProvider"]
    opts = s._session.get_session_options()
    assert opts.intra_op_num_threads == 1 and opts.inter_op_num_threads == 1
    assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert s.calls == 0  # warmup is not counted
    s.run({"input_1": np.zeros((1, 3, 192, 192), np.float32)})
    assert s.calls == 1 and s.mean_ms() > 0


@pytest.mark.slow
def test_whisper_is_joined_then_saved_with_int8_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.models.ct2quant import read_model
    from app.models.registry import ModelRegistry

    m = load_manifest()
    wheels = model_cache_dir() / "build-cache"  # the user cache's wheels: no new download
    monkeypatch.setenv("ROUNDTWO_MODEL_CACHE", str(tmp_path / "cache"))
    (result,) = build_models(m, ids=["whisper_base"], cache=wheels)
    assert result.ok, result.detail
    assert "int8 weights (145 -> 74 MB" in result.detail
    st = ModelRegistry(m).status("whisper_base")
    assert st.available and st.path is not None, st.reason
    name, _, variables, aliases = read_model(st.path / "model.bin")
    assert name == "WhisperSpec"
    # Every linear/conv/embedding weight is int8 with its per-row scale; the tied output
    # projection stays an alias of the embeddings.
    scaled = [k for k in variables if k.endswith("weight_scale")]
    assert len(scaled) == 69
    for k in scaled:
        w = variables[k.removesuffix("_scale")]
        assert w.dtype == np.int8 and variables[k].shape == (w.shape[0],)
    assert ("decoder/projection/weight", "decoder/embeddings/weight") in aliases
    assert not list((st.path).glob("*.requantized")) and not list(st.path.glob("*.partial"))


def test_a_model_file_that_is_not_ctranslate2_is_refused_clearly(tmp_path: Path) -> None:
    import struct

    from app.models.ct2quant import Ct2FormatError, read_model

    old = tmp_path / "old.bin"
    old.write_bytes(struct.pack("I", 3) + b"\0" * 16)
    with pytest.raises(Ct2FormatError, match="format 3; only 6"):
        read_model(old)
    cut = tmp_path / "cut.bin"
    name = b"WhisperSpec"
    head = struct.pack("I", 6) + struct.pack("H", len(name) + 1) + name + b"\0"
    var = b"w"
    body = struct.pack("II", 1, 1) + struct.pack("H", 2) + var + b"\0"
    body += struct.pack("B", 1) + struct.pack("I", 4) + struct.pack("B", 0)  # float32 [4]
    body += struct.pack("I", 16) + b"\0" * 8  # 16 bytes announced, 8 there
    cut.write_bytes(head + body)
    with pytest.raises(Ct2FormatError, match=r"cut\.bin.*wrong size"):
        read_model(cut)
