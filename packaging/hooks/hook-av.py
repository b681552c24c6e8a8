"""PyInstaller hook: PyAV's Cython submodules and its bundled FFmpeg libraries (av.libs)."""

from __future__ import annotations

from pathlib import Path

from PyInstaller.compat import is_win
from PyInstaller.utils.hooks import collect_submodules, get_package_paths

# The Cython extension modules import each other from C, invisible to the module graph.
hiddenimports = ["fractions", "dataclasses", "uuid", *collect_submodules("av")]
datas: list[tuple[str, str]] = []
if is_win:
    # Windows wheels keep the FFmpeg DLLs in av.libs and add that folder at import time;
    # keep the layout (collecting them as binaries would put a second copy at the top).
    base, _ = get_package_paths("av")
    lib_dir = Path(base) / "av.libs"
    if lib_dir.is_dir():
        datas = [(str(f), "av.libs") for f in sorted(lib_dir.iterdir())]
# On Linux and macOS the FFmpeg libraries (av.libs / av/.dylibs) are found by binary analysis.
