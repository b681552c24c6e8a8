"""PyInstaller hook: CTranslate2's native library (and its OpenMP runtime), no model converters."""

from __future__ import annotations

from PyInstaller.utils.hooks import collect_dynamic_libs, collect_submodules

# ctranslate2.libs/ (Linux) or the DLLs beside the package (Windows) hold libctranslate2 and
# libgomp/libiomp; binary dependency analysis finds them from _ext, this makes it explicit.
binaries = collect_dynamic_libs("ctranslate2")
hiddenimports = [
    m for m in collect_submodules("ctranslate2") if not m.startswith("ctranslate2.converters")
]
# Converters import transformers/torch/tensorflow lazily; models are converted before shipping.
excludedimports = ["ctranslate2.converters", "transformers", "torch", "tensorflow"]
