"""Compute reference outputs of the original TFLite models (run once, in a separate venv).

The converted ONNX models are checked against these outputs by `roundtwo models build`, so the
build itself needs no TFLite interpreter. Run with a venv that has `ai-edge-litert` and
`numpy<2` (it must not go into the project venv: it pins numpy 1.x):

    python3 -m venv /tmp/tflite-venv && /tmp/tflite-venv/bin/pip install ai-edge-litert 'numpy<2'
    /tmp/tflite-venv/bin/python tools/tflite_reference.py MODEL_ID=PATH.tflite ... --out DIR

The probe input is a deterministic pattern (no RNG, so any numpy version makes the same one);
app/models/build.py has the same formula (`probe_input`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def probe_input(shape_nhwc: tuple[int, ...], lo: float, hi: float) -> np.ndarray:
    n, h, w, c = shape_nhwc
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    v = 0.5 + 0.25 * np.sin(0.37 * x + 0.11 * ch) + 0.25 * np.cos(0.23 * y - 0.7 * ch)
    v = lo + (hi - lo) * v
    return np.broadcast_to(v, (n, h, w, c)).astype(np.float32)


def main() -> int:
    from ai_edge_litert.interpreter import Interpreter

    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="+", help="ID=PATH.tflite[:lo:hi]")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for spec in a.models:
        mid, rest = spec.split("=", 1)
        parts = rest.split(":")
        path, lo, hi = parts[0], float(parts[1]), float(parts[2])
        it = Interpreter(model_path=path, num_threads=1)
        it.allocate_tensors()
        inp = it.get_input_details()[0]
        x = probe_input(tuple(int(d) for d in inp["shape"]), lo, hi)
        it.set_tensor(inp["index"], x)
        it.invoke()
        outs = {
            d["name"]: it.get_tensor(d["index"]).astype(np.float32).ravel()
            for d in it.get_output_details()
        }
        np.savez_compressed(a.out / f"{mid}.npz", **outs)
        sys.stderr.write(f"{mid}: {sorted(outs)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
