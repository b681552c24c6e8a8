"""Reference outputs of MediaPipe's attention face mesh, computed by MediaPipe's own runtime.

`face_landmark_with_attention.tflite` has MediaPipe's custom TFLite ops, which a plain TFLite
interpreter cannot run, so the reference comes from a MediaPipe calculator graph: the probe
image (8-bit, as MediaPipe takes images) -> ImageToTensorCalculator (192x192, range [0, 1];
the image is already 192x192, so the tensor is the image / 255) -> InferenceCalculator
(XNNPACK, as MediaPipe's CPU graphs) with MediaPipe's custom-op resolver -> each output
tensor as floats. Run once, in a separate venv
(mediapipe pins numpy<2):

    python3 -m venv /tmp/mp-venv && /tmp/mp-venv/bin/pip install mediapipe==0.10.21 'numpy<2'
    /tmp/mp-venv/bin/python tools/mediapipe_reference.py --out onnx_models/reference

The probe image is app/models/build.py's `probe_input` (same formula as
tools/tflite_reference.py), times 255 and rounded; the build divides it by 255 again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

# The same probe image as tools/tflite_reference.py (one copy; the build has its own, which a
# test holds equal to both tools').
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tflite_reference import probe_input

MEMBER = "modules/face_landmark/face_landmark_with_attention.tflite"
OUTPUTS = [
    "output_mesh_identity",
    "output_lips",
    "output_left_eye",
    "output_right_eye",
    "output_left_iris",
    "output_right_iris",
    "conv_faceflag",
]


def graph_config(model: Path) -> str:
    n = len(OUTPUTS)
    ranges = "\n".join(f"ranges: {{ begin: {i} end: {i + 1} }}" for i in range(n))
    split_out = "\n".join(f'output_stream: "t{i}"' for i in range(n))
    to_floats = "\n".join(
        f'node {{ calculator: "TensorsToFloatsCalculator" input_stream: "TENSORS:t{i}" '
        f'output_stream: "FLOATS:f{i}" }}\noutput_stream: "f{i}"'
        for i in range(n)
    )
    return f"""
input_stream: "image"
node {{
  calculator: "ImageToTensorCalculator"
  input_stream: "IMAGE:image"
  output_stream: "TENSORS:input_tensors"
  options: {{ [mediapipe.ImageToTensorCalculatorOptions.ext] {{
    output_tensor_width: 192 output_tensor_height: 192
    output_tensor_float_range {{ min: 0.0 max: 1.0 }} }} }}
}}
node {{
  calculator: "TfLiteCustomOpResolverCalculator"
  output_side_packet: "OP_RESOLVER:op_resolver"
}}
node {{
  calculator: "InferenceCalculator"
  input_side_packet: "OP_RESOLVER:op_resolver"
  input_stream: "TENSORS:input_tensors"
  output_stream: "TENSORS:output_tensors"
  options: {{ [mediapipe.InferenceCalculatorOptions.ext] {{
    model_path: "{model}" delegate {{ xnnpack {{}} }} }} }}
}}
node {{
  calculator: "SplitTensorVectorCalculator"
  input_stream: "output_tensors"
  {split_out}
  options: {{ [mediapipe.SplitVectorCalculatorOptions.ext] {{ {ranges} }} }}
}}
{to_floats}
"""


def main() -> int:
    import mediapipe as mp
    from mediapipe.python import packet_creator, packet_getter

    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    model = Path(mp.__file__).parent / MEMBER
    image = np.round(probe_input((1, 192, 192, 3), 0.0, 1.0)[0] * 255).astype(np.uint8)
    outs: dict[str, np.ndarray] = {}
    graph = mp.CalculatorGraph(graph_config=graph_config(model))
    for i, name in enumerate(OUTPUTS):
        graph.observe_output_stream(
            f"f{i}",
            lambda _s, packet, name=name: outs.__setitem__(
                name, np.asarray(packet_getter.get_float_list(packet), np.float32)
            ),
        )
    graph.start_run()
    frame = packet_creator.create_image_frame(image_format=mp.ImageFormat.SRGB, data=image)
    graph.add_packet_to_input_stream("image", frame.at(0))
    graph.close()
    a.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(a.out / "face_mesh_attention.npz", **outs)
    sys.stderr.write(f"face_mesh_attention: {sorted(outs)} (mediapipe {mp.__version__})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
