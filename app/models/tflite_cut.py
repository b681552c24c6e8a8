"""A small TFLite -> ONNX converter that cuts a model between named tensors.

MediaPipe's attention face mesh (`face_landmark_with_attention.tflite`) is one network with
MediaPipe's own TFLite ops in the middle (Landmarks2TransformMatrix, TransformTensorBilinear,
TransformLandmarks): the trunk predicts the 468-point mesh and a feature map, the custom ops
crop the feature map around the eyes (and lips) from the predicted mesh, and small heads
predict the eye contours and irises from the crops. tflite2onnx cannot convert the custom ops,
so this converter takes the plain part between given input and output tensors (a trunk graph,
a heads graph) and RoundTwo does the crop between them in NumPy (app/models/attention.py).

Only the ops those graphs use are supported (CONV_2D, DEPTHWISE_CONV_2D, PRELU, ADD,
MAX_POOL_2D, channel PAD, DEQUANTIZE of float16 constants, RESHAPE to a flat vector); anything
else is refused by name. Activations are NCHW in the ONNX graph (the TFLite file is NHWC).
Build-time only: needs the `tflite` flatbuffer package and `onnx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_ACTIVATIONS = {0: None, 1: "Relu"}
_SUPPORTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "PRELU", "ADD", "MAX_POOL_2D", "PAD", "RESHAPE"}


@dataclass
class _Op:
    kind: str
    inputs: list[int]
    outputs: list[int]
    options: Any


class TfliteModel:
    """The tensors, buffers and operators of a single-subgraph .tflite file."""

    def __init__(self, path: Path) -> None:
        import tflite

        self._tfl = tflite
        self.buf = path.read_bytes()
        self.model = tflite.Model.GetRootAsModel(self.buf, 0)
        if self.model.SubgraphsLength() != 1:
            raise ValueError(f"{path.name} has {self.model.SubgraphsLength()} subgraphs, not 1")
        self.graph = self.model.Subgraphs(0)
        names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
        self.ops: list[_Op] = []
        for i in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(i)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            kind = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "?")
            if kind == "CUSTOM":
                kind = code.CustomCode().decode()
            ins = [int(j) for j in op.InputsAsNumpy() if j >= 0]
            outs = [int(j) for j in op.OutputsAsNumpy()]
            self.ops.append(_Op(kind, ins, outs, op.BuiltinOptions()))
        self.index = {self.name(i): i for i in range(self.graph.TensorsLength())}
        self.producer = {o: op for op in self.ops for o in op.outputs}

    def name(self, t: int) -> str:
        return str(self.graph.Tensors(t).Name().decode())

    def shape(self, t: int) -> tuple[int, ...]:
        tensor = self.graph.Tensors(t)
        return tuple(int(d) for d in tensor.ShapeAsNumpy()) if tensor.ShapeLength() else ()

    def constant(self, t: int) -> np.ndarray | None:
        """The value of a constant tensor (float16 constants behind a DEQUANTIZE as float32)."""
        op = self.producer.get(t)
        if op is not None:
            if op.kind == "DEQUANTIZE":
                value = self.constant(op.inputs[0])
                return None if value is None else value.astype(np.float32)
            return None
        tensor = self.graph.Tensors(t)
        data = self.model.Buffers(tensor.Buffer()).DataAsNumpy()
        if isinstance(data, int):  # an empty buffer: not a constant
            return None
        dtypes = {0: np.float32, 1: np.float16, 2: np.int32, 4: np.int64}
        if tensor.Type() not in dtypes:
            raise ValueError(f"tensor {self.name(t)} has unsupported type {tensor.Type()}")
        return np.frombuffer(data.tobytes(), dtypes[tensor.Type()]).reshape(self.shape(t))

    def options(self, op: _Op, cls_name: str) -> Any:
        opts = getattr(self._tfl, cls_name)()
        opts.Init(op.options.Bytes, op.options.Pos)
        return opts


def _pads(o: Any, input_shape: tuple[int, ...], kh: int, kw: int) -> list[int]:
    """ONNX pads [top, left, bottom, right] for TFLite padding `o.Padding()` of an NHWC input:
    SAME pads so the output is ceil(size / stride), the extra pixel at the end; VALID none."""
    if o.Padding() != 0:  # VALID
        return [0, 0, 0, 0]
    _, h, w, _ = input_shape
    pads: list[int] = []
    for size, kernel, stride in ((h, kh, o.StrideH()), (w, kw, o.StrideW())):
        out = -(-size // stride)
        pads.append(max((out - 1) * stride + kernel - size, 0))
    (th, tw) = pads
    return [th // 2, tw // 2, th - th // 2, tw - tw // 2]


def cut(path: Path, inputs: list[str], outputs: list[str], *, opset: int = 13) -> Any:
    """The ONNX model computing `outputs` from `inputs` (tensor names in the .tflite file).
    4-D tensors become NCHW; a RESHAPE to a vector stays a vector."""
    from onnx import TensorProto, helper, numpy_helper

    tfl = TfliteModel(path)
    missing = [n for n in inputs + outputs if n not in tfl.index]
    if missing:
        raise ValueError(f"{path.name} has no tensor named {missing[0]!r}")
    stop = {tfl.index[n] for n in inputs}
    # The operators needed for the outputs, walking back to the inputs (graph order kept).
    needed: set[int] = set()
    todo = [tfl.index[n] for n in outputs]
    seen: set[int] = set()
    while todo:
        t = todo.pop()
        if t in seen or t in stop:
            continue
        seen.add(t)
        op = tfl.producer.get(t)
        if op is None:
            if tfl.constant(t) is None:
                raise ValueError(f"tensor {tfl.name(t)!r} is neither computed nor an input")
            continue
        if op.kind == "DEQUANTIZE":
            continue  # folded into the constant
        needed.add(id(op))
        todo.extend(op.inputs)
    for op in tfl.ops:
        if id(op) in needed and op.kind not in _SUPPORTED:
            y = tfl.name(op.outputs[0])
            raise ValueError(f"{y}: TFLite op {op.kind} is not supported by this converter")
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(t: int, value: np.ndarray | None = None) -> str:
        name = tfl.name(t)
        v = tfl.constant(t) if value is None else value
        assert v is not None
        inits.append(numpy_helper.from_array(np.ascontiguousarray(v), name))
        return name

    def act(out: str, fused: int) -> None:
        kind = _ACTIVATIONS.get(fused, "?")
        if kind == "?":
            raise ValueError(f"{out}: fused activation {fused} is not supported")
        if kind:
            nodes[-1].output[0] = f"{out}__pre_act"
            nodes.append(helper.make_node(kind, [f"{out}__pre_act"], [out], name=f"{out}__act"))

    for op in tfl.ops:
        if id(op) not in needed:
            continue
        x = tfl.name(op.inputs[0])
        y = tfl.name(op.outputs[0])
        if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            depthwise = op.kind == "DEPTHWISE_CONV_2D"
            o = tfl.options(op, "DepthwiseConv2DOptions" if depthwise else "Conv2DOptions")
            if o.DilationHFactor() != 1 or o.DilationWFactor() != 1:
                raise ValueError(f"{y}: dilated convolutions are not supported")
            w = tfl.constant(op.inputs[1])
            if w is None:
                raise ValueError(f"{y}: the weights are not constant")
            c = tfl.shape(op.inputs[0])[3]
            if depthwise:
                if o.DepthMultiplier() != 1:
                    raise ValueError(f"{y}: depth multiplier {o.DepthMultiplier()}")
                weight = w.transpose(3, 0, 1, 2)  # [1,KH,KW,C] -> [C,1,KH,KW]
                group = c
            else:
                weight = w.transpose(0, 3, 1, 2)  # [O,KH,KW,I] -> [O,I,KH,KW]
                group = 1
            kh, kw = weight.shape[2:]
            ins = [x, const(op.inputs[1], weight)]
            if len(op.inputs) > 2:
                ins.append(const(op.inputs[2]))
            nodes.append(
                helper.make_node(
                    "Conv",
                    ins,
                    [y],
                    name=y,
                    group=group,
                    kernel_shape=[kh, kw],
                    strides=[o.StrideH(), o.StrideW()],
                    pads=_pads(o, tfl.shape(op.inputs[0]), kh, kw),
                )
            )
            act(y, o.FusedActivationFunction())
        elif op.kind == "PRELU":
            slope = tfl.constant(op.inputs[1])
            if slope is None:
                raise ValueError(f"{y}: the slope is not constant")
            nodes.append(
                helper.make_node(
                    "PRelu", [x, const(op.inputs[1], slope.reshape(-1, 1, 1))], [y], name=y
                )
            )
        elif op.kind == "ADD":
            o = tfl.options(op, "AddOptions")
            nodes.append(helper.make_node("Add", [x, tfl.name(op.inputs[1])], [y], name=y))
            act(y, o.FusedActivationFunction())
        elif op.kind == "MAX_POOL_2D":
            o = tfl.options(op, "Pool2DOptions")
            k = [o.FilterHeight(), o.FilterWidth()]
            nodes.append(
                helper.make_node(
                    "MaxPool",
                    [x],
                    [y],
                    name=y,
                    kernel_shape=k,
                    strides=[o.StrideH(), o.StrideW()],
                    pads=_pads(o, tfl.shape(op.inputs[0]), *k),
                )
            )
            act(y, o.FusedActivationFunction())
        elif op.kind == "PAD":
            pads = tfl.constant(op.inputs[1])
            if pads is None or pads.shape != (4, 2):
                raise ValueError(f"{y}: only constant 4-D paddings are supported")
            nhwc_to_nchw = [0, 3, 1, 2]
            before = [int(pads[a, 0]) for a in nhwc_to_nchw]
            after = [int(pads[a, 1]) for a in nhwc_to_nchw]
            name = f"{y}__pads"
            inits.append(numpy_helper.from_array(np.array(before + after, np.int64), name))
            nodes.append(helper.make_node("Pad", [x, name], [y], name=y))
        elif op.kind == "RESHAPE":
            shape = tfl.shape(op.outputs[0])
            src = tfl.shape(op.inputs[0])
            if len(src) != 4 or src[1:3] != (1, 1) or len(shape) != 2:
                raise ValueError(f"{y}: only reshapes of a 1x1 map to a vector are supported")
            nodes.append(helper.make_node("Flatten", [x], [y], name=y, axis=1))

    def value_info(name: str) -> Any:
        shape = list(tfl.shape(tfl.index[name]))
        if len(shape) == 4:
            shape = [shape[0], shape[3], shape[1], shape[2]]
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)

    graph = helper.make_graph(
        nodes, path.stem, [value_info(n) for n in inputs], [value_info(n) for n in outputs], inits
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="roundtwo"
    )
    model.ir_version = 8
    return model
