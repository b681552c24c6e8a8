"""PyInstaller hook: ONNX Runtime's native libraries, without its training/quantization tools."""

from __future__ import annotations

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs("onnxruntime")
# The app only creates CPU inference sessions; these subpackages pull in onnx, sympy, torch.
excludedimports = [
    "onnxruntime.quantization",
    "onnxruntime.tools",
    "onnxruntime.transformers",
    "onnxruntime.training",
    "onnx",
    "sympy",
    "torch",
]
