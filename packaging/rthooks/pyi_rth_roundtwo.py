"""PyInstaller runtime hook: point RoundTwo and sounddevice at what the bundle carries."""

# Runs inside the frozen app before any application module is imported.
import ctypes.util
import os
import sys
from pathlib import Path

_root = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))

# The Whisper model is built at packaging time and shipped in the bundle. An explicit
# ROUNDTWO_MODEL_CACHE (a deployment with its own model cache) still wins.
_cache = _root / "model_cache"
if _cache.is_dir() and not os.environ.get("ROUNDTWO_MODEL_CACHE", "").strip():
    os.environ["ROUNDTWO_MODEL_CACHE"] = str(_cache)

# sounddevice asks ctypes.util.find_library("portaudio"), which on Linux consults ldconfig and
# would pick a system copy (or none). Answer with the PortAudio the bundle ships.
if sys.platform.startswith("linux"):
    _bundled_portaudio = str(_root / "libportaudio.so.2")
    if Path(_bundled_portaudio).is_file():
        _find_library = ctypes.util.find_library

        def _find_library_bundled(name: str) -> "str | None":
            if name == "portaudio":
                return _bundled_portaudio
            return _find_library(name)

        ctypes.util.find_library = _find_library_bundled
