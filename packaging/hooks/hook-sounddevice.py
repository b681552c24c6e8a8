"""PyInstaller hook: bundle the PortAudio library sounddevice loads (system copy on Linux)."""

from __future__ import annotations

import ctypes.util
import pathlib
import sys

from PyInstaller.utils.hooks import get_module_file_attribute, logger

binaries: list[tuple[str, str]] = []
datas: list[tuple[str, str]] = []

_module_dir = pathlib.Path(get_module_file_attribute("sounddevice")).parent
_wheel_dir = _module_dir / "_sounddevice_data" / "portaudio-binaries"

if _wheel_dir.is_dir():
    # Windows and macOS wheels carry PortAudio in _sounddevice_data; keep its layout, because
    # sounddevice builds that path itself when find_library() finds nothing.
    for lib in _wheel_dir.glob("libportaudio*.*"):
        binaries.append((str(lib), "_sounddevice_data/portaudio-binaries"))
    hiddenimports = ["_sounddevice_data"]
else:
    # Linux: the wheel has no PortAudio; copy the system one (Debian: libportaudio2) next to the
    # other libraries. The runtime hook pyi_rth_roundtwo.py makes find_library() return it.
    name = ctypes.util.find_library("portaudio")
    found = None
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
        if name and (pathlib.Path(d) / name).is_file():
            found = pathlib.Path(d) / name
            break
    if found is None:
        logger.error("PortAudio (libportaudio.so.2) not found: install libportaudio2 to build")
        if sys.platform.startswith("linux"):
            raise SystemExit("roundtwo hook-sounddevice: libportaudio2 is not installed")
    else:
        binaries.append((str(found), "."))
