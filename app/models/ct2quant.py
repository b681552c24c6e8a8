"""Re-save a CTranslate2 Whisper model with int8 weights (`roundtwo models build`).

The published Whisper base conversion stores float16 weights (145 MB) and RoundTwo runs it
with compute_type=int8, so CTranslate2 quantized every weight matrix at each load. Saving the
int8 weights instead halves the file in the model cache and in the desktop bundle (74 MB)
and the load time. The file is read here (CTranslate2's binary format, version 6) and put
back through CTranslate2's own model spec, so the quantization is the converter's own
(`ctranslate2-converter --quantization int8`): per-row scales, the same weights quantized,
the same aliases. Needs only `ctranslate2` and numpy.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np

BINARY_VERSION = 6
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


class Ct2FormatError(ValueError):
    """The file is not a CTranslate2 model this module can read."""


def read_model(path: Path) -> tuple[str, int, dict[str, np.ndarray], list[tuple[str, str]]]:
    """(spec name, spec revision, variables, aliases) of a CTranslate2 model.bin."""
    data = path.read_bytes()
    pos = 0

    def unpack(fmt: str) -> int:
        nonlocal pos
        try:
            (value,) = struct.unpack_from(fmt, data, pos)
        except struct.error as exc:
            raise Ct2FormatError(f"{path} ends early (at byte {pos}).") from exc
        pos += struct.calcsize(fmt)
        return int(value)

    def string() -> str:
        nonlocal pos
        n = unpack("H")
        text = data[pos : pos + n - 1].decode("utf-8")
        pos += n
        return text

    version = unpack("I")
    if version != BINARY_VERSION:
        raise Ct2FormatError(
            f"{path} is CTranslate2 binary format {version}; only {BINARY_VERSION} is read."
        )
    name = string()
    revision = unpack("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(unpack("I")):
        key = string()
        shape = tuple(unpack("I") for _ in range(unpack("B")))
        dtype_id = unpack("B")
        if dtype_id >= len(_DTYPES) or _DTYPES[dtype_id] == "bfloat16":
            raise Ct2FormatError(f"{path}: variable {key} has an unsupported type {dtype_id}.")
        dtype = np.dtype(_DTYPES[dtype_id])
        size = unpack("I")
        if size != dtype.itemsize * int(np.prod(shape, dtype=np.int64)) or pos + size > len(data):
            raise Ct2FormatError(f"{path}: variable {key} has a wrong size.")
        variables[key] = np.frombuffer(data, dtype, size // dtype.itemsize, pos).reshape(shape)
        pos += size
    aliases = [(string(), string()) for _ in range(unpack("I"))]
    if pos != len(data):
        raise Ct2FormatError(f"{path} has {len(data) - pos} bytes after the model.")
    return name, revision, variables, aliases


def _layers(variables: dict[str, np.ndarray], side: str) -> int:
    pattern = re.compile(rf"{side}/layer_(\d+)/")
    return len({m.group(1) for k in variables if (m := pattern.match(k))})


def quantize_whisper(src: Path, dest: Path, quantization: str = "int8") -> dict[str, Any]:
    """Write `src` (a CTranslate2 Whisper model.bin) to `dest` with `quantization` weights."""
    from ctranslate2.specs import model_spec, whisper_spec

    name, revision, variables, aliases = read_model(src)
    spec = whisper_spec.WhisperSpec(
        _layers(variables, "encoder"),
        int(variables["encoder/num_heads"]),
        _layers(variables, "decoder"),
        int(variables["decoder/num_heads"]),
    )
    if name != spec.name or revision != spec.revision:
        raise Ct2FormatError(
            f"{src} holds {name} revision {revision}; this CTranslate2 writes "
            f"{spec.name} revision {spec.revision}."
        )
    known: set[str] = set()
    model_spec.visit_spec(spec, lambda _s, key, _v: known.add(key))
    values = dict(variables)
    for alias, target in aliases:  # the spec finds the duplicates again and re-aliases them
        values[alias] = variables[target]
    unknown = sorted(set(values) - known)
    if unknown:
        raise Ct2FormatError(f"{src} has variables the Whisper spec does not: {unknown[:5]}.")
    for key, value in values.items():
        scope, attr = model_spec._parent_scope(key)
        setattr(model_spec.index_spec(spec, scope), attr, value[()] if value.ndim == 0 else value)
    # LayerSpec's check only: the vocabulary lives in its own files next to model.bin.
    model_spec.LayerSpec.validate(spec)
    spec.optimize(quantization)
    spec._serialize(str(dest))
    _, _, written, _ = read_model(dest)
    return {
        "variables": len(written),
        "quantized": sum(1 for k in written if k.endswith("_scale")),
        "bytes_before": src.stat().st_size,
        "bytes_after": dest.stat().st_size,
    }
