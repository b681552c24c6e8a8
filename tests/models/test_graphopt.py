"""The PRelu rewrite gives the same numbers as the graph it replaces, and the committed face
mesh and iris files are the rewritten graphs of the converted originals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from app.models import graphopt
from app.models.build import _compare, _compare_chain
from app.models.manifest import load_manifest


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    s = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return np.asarray(s.run(None, {"x": x})[0])


def _conv_prelu(slope: np.ndarray) -> onnx.ModelProto:
    rng = np.random.default_rng(3)
    c = 8
    w = rng.normal(size=(c, 3, 3, 3)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["h"], pads=[1, 1, 1, 1]),
        helper.make_node("PRelu", ["h", "slope"], ["p"]),
        helper.make_node("Conv", ["p", "w2"], ["y"], group=c, kernel_shape=[1, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "t",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, 16, 16])],
        [
            numpy_helper.from_array(w, "w"),
            numpy_helper.from_array(slope.astype(np.float32), "slope"),
            numpy_helper.from_array(np.full((c, 1, 1, 1), 2.0, np.float32), "w2"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])


@pytest.mark.parametrize("shape", [(1, 8, 1, 1), (8, 1, 1)])
def test_prelu_rewrite_keeps_the_numbers(shape: tuple[int, ...]) -> None:
    # Slopes below 0, between 0 and 1, exactly 0 and 1, and above 1 (the face mesh has all).
    slope = np.array([-1.1, -0.2, 0.0, 0.25, 0.5, 1.0, 1.3, 0.01]).reshape(shape)
    model = _conv_prelu(slope)
    x = np.random.default_rng(0).normal(size=(1, 3, 16, 16)).astype(np.float32)
    before = _run(model, x)
    assert graphopt.prelu_as_relu_bn(model) == 1
    onnx.checker.check_model(model)
    ops = [n.op_type for n in model.graph.node]
    assert "PRelu" not in ops and ops.count("BatchNormalization") == 2
    assert "slope" not in {i.name for i in model.graph.initializer}  # no unused initializer
    after = _run(model, x)
    assert (before < 0).any() and (before > 0).any()
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)


def test_a_slope_that_is_not_per_channel_is_left_alone() -> None:
    # A 1-D slope broadcasts along the width, not the channels: not a per-channel PRelu.
    model = _conv_prelu(np.linspace(-1, 1, 16))
    x = np.random.default_rng(1).normal(size=(1, 3, 16, 16)).astype(np.float32)
    before = _run(model, x)
    assert graphopt.prelu_as_relu_bn(model) == 0
    assert [n.op_type for n in model.graph.node].count("PRelu") == 1
    np.testing.assert_array_equal(_run(model, x), before)


def _widening_block(pads: list[int], value: float = 0.0) -> onnx.ModelProto:
    """A residual block that widens 16 -> 32 channels: conv(x) + Pad(x, channels)."""
    rng = np.random.default_rng(5)
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["h"], kernel_shape=[1, 1]),
        helper.make_node("Pad", ["x", "pads", "value"], ["skip"], mode="constant"),
        helper.make_node("Add", ["h", "skip"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "t",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32, 8, 8])],
        [
            numpy_helper.from_array(rng.normal(size=(32, 16, 1, 1)).astype(np.float32), "w"),
            numpy_helper.from_array(np.array(pads, np.int64), "pads"),
            numpy_helper.from_array(np.array(value, np.float32), "value"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])


def test_channel_padding_becomes_an_identity_conv() -> None:
    model = _widening_block([0, 0, 0, 0, 0, 16, 0, 0])
    x = np.random.default_rng(2).normal(size=(1, 16, 8, 8)).astype(np.float32)
    before = _run(model, x)
    assert graphopt.channel_pad_as_conv(model) == 1
    onnx.checker.check_model(model)
    assert [n.op_type for n in model.graph.node] == ["Conv", "Conv", "Add"]
    np.testing.assert_allclose(_run(model, x), before, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("pads", "value"),
    [
        ([0, 0, 0, 0, 0, 16, 0, 0], 1.0),  # not zeros
        ([0, 8, 0, 0, 0, 8, 0, 0], 0.0),  # channels added in front too
        ([0, 0, 1, 0, 0, 16, 1, 0], 0.0),  # spatial padding as well
    ],
)
def test_other_pads_are_left_alone(pads: list[int], value: float) -> None:
    model = _widening_block(pads, value)
    assert graphopt.channel_pad_as_conv(model) == 0
    assert "Pad" in [n.op_type for n in model.graph.node]


def test_unknown_rewrite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.onnx"
    onnx.save(_conv_prelu(np.ones((1, 8, 1, 1))), str(path))
    with pytest.raises(ValueError, match="unknown graph rewrite"):
        graphopt.apply(path, ["fold-everything"])


def test_committed_mesh_and_iris_are_rewritten_and_match_the_originals() -> None:
    m = load_manifest()
    for spec in m.models:
        if "prelu-as-relu-bn" not in (spec.origin.get("rewrite") or []):
            continue
        model = onnx.load(str(m.base_dir / spec.source_path))
        assert not [n for n in model.graph.node if n.op_type in ("PRelu", "Pad")], spec.id
        # Against the original's outputs (onnx_models/reference): for the attention mesh,
        # the whole chain against MediaPipe's own runtime.
        path, reference = m.base_dir / spec.source_path, m.base_dir / spec.origin["reference"]
        if spec.origin.get("check") == "attention-chain":
            detail = _compare_chain(spec, m, path, m.base_dir / "no-such-dir", reference)
        else:
            detail = _compare(spec, path, reference)
        assert "matches the original" in detail
    rewritten = {s.id for s in m.models if s.origin.get("rewrite")}
    assert rewritten == {"face_mesh", "iris"}
