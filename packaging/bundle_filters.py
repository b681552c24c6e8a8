"""What build.spec leaves out of the bundle: unused Qt modules, plugins, translations, extras."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# app/ui imports QtCore, QtGui and QtWidgets; a test fails if the app starts importing a
# module listed here. Everything else in PySide6-Essentials/Addons is excluded so no hook
# drags it (or its plugins) in.
UNUSED_QT_MODULES = [
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DExtras",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DRender",
    "PySide6.QtAxContainer",
    "PySide6.QtBluetooth",
    "PySide6.QtCharts",
    "PySide6.QtConcurrent",
    "PySide6.QtDataVisualization",
    "PySide6.QtDBus",
    "PySide6.QtDesigner",
    "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets",
    "PySide6.QtHelp",
    "PySide6.QtHttpServer",
    "PySide6.QtLocation",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtNetwork",
    "PySide6.QtNetworkAuth",
    "PySide6.QtNfc",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPositioning",
    "PySide6.QtPrintSupport",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtSensors",
    "PySide6.QtSerialBus",
    "PySide6.QtSerialPort",
    "PySide6.QtSpatialAudio",
    "PySide6.QtSql",
    "PySide6.QtStateMachine",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtTest",
    "PySide6.QtTextToSpeech",
    "PySide6.QtUiTools",
    "PySide6.QtWebChannel",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets",
    "PySide6.QtWebView",
    "PySide6.QtXml",
    "PySide6.QtCanvasPainter",
]

# Qt plugins the app needs, per folder: a pattern of the plugin file names kept. Folders not
# listed are dropped (generic input, sql drivers, tls, position, ...). Platform plugins:
# xcb/wayland (Linux desktops), offscreen/minimal (headless, self-test), cocoa, windows.
QT_PLUGINS_KEPT = {
    "platforms": re.compile(
        r"^(lib)?q(xcb|wayland(-[\w-]+)?|offscreen|minimal|cocoa|windows)\.(so|dylib|dll)$"
    ),
    "platformthemes": re.compile(r"xdgdesktopportal", re.I),  # not gtk3: it drags in GTK
    "platforminputcontexts": re.compile(r"(compose|ibus)", re.I),  # not the virtual keyboard
    "imageformats": re.compile(r"^(lib)?q(ico|jpeg|icns)\.(so|dylib|dll)$"),
    "xcbglintegrations": re.compile(r"."),
    "wayland-decoration-client": re.compile(r"."),
    "wayland-graphics-integration-client": re.compile(r"."),
    "wayland-shell-integration": re.compile(r"."),
    "styles": re.compile(r"."),
}
# Qt's own translations: only the languages the app offers (English needs none).
QT_TRANSLATIONS_KEPT = re.compile(r"qtbase_zh_CN\.qm$")
# Data files of jieba that RoundTwo never loads: the Paddle LAC model (enable_paddle), the
# keyword-extraction IDF table (jieba.analyse) and the part-of-speech tables (jieba.posseg).
JIEBA_UNUSED = re.compile(r"^jieba[/\\](lac_small|analyse|posseg)[/\\]")

# matplotlib data the report charts never use (they draw with a CJK font and DejaVu Sans,
# write PNGs with the Agg backend, and use no mathtext): the other bundled fonts (STIX,
# Computer Modern, DejaVu Serif/Mono, PostScript metrics), sample data and toolbar images.
# LastResortHE stays: matplotlib opens it as the fallback of every font list.
MPL_UNUSED = re.compile(
    r"^matplotlib[/\\]mpl-data[/\\]("
    r"fonts[/\\](afm|pdfcorefonts)[/\\]"
    r"|fonts[/\\]ttf[/\\](?!(DejaVuSans(-Bold|-Oblique|-BoldOblique)?|LastResortHE-Regular)"
    r"\.ttf$)"
    r"|sample_data[/\\]|images[/\\])"
)

_QT_ROOT = re.compile(r"^PySide6[/\\](?:Qt[/\\])?(plugins|translations)[/\\](.+)$")


def dropped(dest: str) -> bool:
    """True if the bundle path `dest` is not needed at run time."""
    if JIEBA_UNUSED.match(dest) and not dest.endswith((".py", ".pyc")):
        return True
    if MPL_UNUSED.match(dest):
        return True
    m = _QT_ROOT.match(dest)
    if m:
        kind, rest = m.groups()
        if kind == "translations":
            return not QT_TRANSLATIONS_KEPT.search(rest)
        parts = re.split(r"[/\\]", rest)
        pattern = QT_PLUGINS_KEPT.get(parts[0])
        return pattern is None or not pattern.search(parts[-1])
    return False


def keep(toc: Iterable[tuple[str, str, str]]) -> list[Any]:
    """A TOC (dest, source, typecode) without the entries `dropped` names."""
    return [entry for entry in toc if not dropped(entry[0])]


# Libraries that may be pruned when nothing in the bundle links to them any more: system
# libraries PyInstaller copied as dependencies (of plugins dropped above, e.g. GTK for the
# gtk3 theme) and Qt libraries only a dropped plugin needed (QtPdf, QtVirtualKeyboard, ...).
# Qt's FFmpeg stubs are dlopen()ed, never linked: they are not candidates.
_SYSTEM_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/")
_QT_LIB = re.compile(r"^libQt6(?!FFmpegStub)\w+\.so(\.\d+)*$")
# Loaded with dlopen()/ctypes, so no DT_NEEDED entry points at them.
ALWAYS_KEPT = re.compile(r"^(libportaudio\.so|libpython3)")


def _needed(path: str) -> list[str]:
    import subprocess

    proc = subprocess.run(
        ["objdump", "-p", path], capture_output=True, text=True, check=False, timeout=60
    )
    return [
        line.split()[1]
        for line in proc.stdout.splitlines()
        if line.strip().startswith("NEEDED") and len(line.split()) > 1
    ]


def prune_unlinked(
    binaries: list[Any], aliases: dict[str, str] | None = None, wheel_libs: Iterable[str] = ()
) -> tuple[list[Any], list[str]]:
    """Linux: drop candidate libraries that no kept binary links to (transitively).

    `aliases`: a needed library name -> the name of the file that stands in for it (see
    `share_ffmpeg`). `wheel_libs`: folders of vendored wheel libraries (`opencv_python_headless
    .libs`) whose files are candidates too.

    Returns (kept TOC, names of the dropped files)."""
    from pathlib import PurePath

    aliases = aliases or {}
    wheel_dirs = set(wheel_libs)

    def name(entry: Any) -> str:
        return PurePath(entry[0]).name

    def candidate(entry: Any) -> bool:
        n = name(entry)
        if ALWAYS_KEPT.match(n):
            return False
        if PurePath(entry[0]).parent.name in wheel_dirs:
            return True
        src = str(Path(entry[1]).resolve())
        return src.startswith(_SYSTEM_DIRS) or bool(_QT_LIB.match(n))

    by_name: dict[str, list[Any]] = {}
    for e in binaries:
        by_name.setdefault(name(e), []).append(e)
    reached: set[int] = set()
    todo = [e for e in binaries if not candidate(e)]
    for e in todo:
        reached.add(id(e))
    while todo:
        e = todo.pop()
        for lib in _needed(e[1]):
            for dep in by_name.get(aliases.get(lib, lib), []):
                if id(dep) not in reached:
                    reached.add(id(dep))
                    todo.append(dep)
    kept = [e for e in binaries if id(e) in reached]
    gone = sorted(name(e) for e in binaries if id(e) not in reached)
    return kept, gone


# FFmpeg's libraries as auditwheel names them: lib<name>-<hash>.so.<major>.<minor>.<micro>.
_FFMPEG_LIB = re.compile(
    r"^lib(avcodec|avformat|avutil|avdevice|avfilter|swscale|swresample)-[0-9a-f]{8}"
    r"\.so\.(\d+\.\d+\.\d+)$"
)


def _in_folder(
    binaries: Iterable[Any], folder: str, pattern: re.Pattern[str]
) -> Iterator[tuple[Any, re.Match[str]]]:
    """(entry, match) for the TOC entries in bundle folder `folder` whose file name matches."""
    from pathlib import PurePath

    for entry in binaries:
        path = PurePath(entry[0])
        m = pattern.match(path.name)
        if m and path.parent.name == folder:
            yield entry, m


def share_ffmpeg(
    binaries: list[Any], owner: str = "opencv_python_headless.libs", provider: str = "av.libs"
) -> tuple[list[Any], list[tuple[str, str, str]], dict[str, str]]:
    """One FFmpeg for OpenCV and PyAV: each wheel vendors its own copy (~40 MB with the
    codec libraries), and when both copies are the same release (every library version in
    the file names equal, e.g. libavcodec 62.28.102) the bundle keeps PyAV's and makes
    OpenCV's names symbolic links to it. The loader then maps one copy for both.

    Returns (TOC without `owner`'s copies, SYMLINK entries, {OpenCV's name: PyAV's name})."""
    provided = {(m[1], m[2]): m[0] for _, m in _in_folder(binaries, provider, _FFMPEG_LIB)}
    mine = {
        m[0]: (e, provided.get((m[1], m[2]))) for e, m in _in_folder(binaries, owner, _FFMPEG_LIB)
    }
    # All or nothing: half of one FFmpeg release beside half of another is not a build.
    if not mine or any(theirs is None for _, theirs in mine.values()):
        return binaries, [], {}
    links = [(entry[0], f"../{provider}/{theirs}", "SYMLINK") for entry, theirs in mine.values()]
    gone = {id(entry) for entry, _ in mine.values()}
    kept = [e for e in binaries if id(e) not in gone]
    return kept, links, {n: str(theirs) for n, (_, theirs) in mine.items()}


BLAS_SHIM_SOURCE = Path(__file__).resolve().parent / "blas_shim" / "opencv_blas_shim.c"


def _dynamic_symbols(path: str, which: str) -> set[str]:
    """`nm -D` names (without version) of `path`: which = "--defined-only"/"--undefined-only"."""
    import subprocess

    proc = subprocess.run(
        ["nm", "-D", which, path], capture_output=True, text=True, check=False, timeout=60
    )
    return {line.split()[-1].split("@")[0] for line in proc.stdout.splitlines() if line.strip()}


def share_openblas(
    binaries: list[Any],
    workdir: Path,
    owner: str = "opencv_python_headless.libs",
    provider: str = "numpy.libs",
    extension: str = "cv2/cv2.abi3.so",
) -> tuple[list[Any], str]:
    """One OpenBLAS for OpenCV and NumPy: OpenCV's wheel vendors a 38 MB OpenBLAS (plus
    gfortran) for 4 gemm and 15 LAPACK routines. In its place the bundle gets a small
    library of the same name (packaging/blas_shim, compiled here) that forwards those calls
    to NumPy's OpenBLAS, widening 32-bit integers to its 64-bit ones.

    Done only when every BLAS/LAPACK symbol OpenCV imports is one the shim defines and a C
    compiler builds it; otherwise the TOC is returned as it was. Returns (TOC, what happened)."""
    import shutil
    import subprocess
    from pathlib import PurePath

    def find(folder: str, pattern: str) -> Any:
        return next((e for e, _ in _in_folder(binaries, folder, re.compile(pattern))), None)

    theirs = find(owner, r"^libopenblas.*\.so")
    ours = find(provider, r"^libscipy_openblas64_.*\.so$")
    ext = next((e for e in binaries if PurePath(e[0]).as_posix() == extension), None)
    if theirs is None or ours is None or ext is None:
        return binaries, "kept OpenCV's OpenBLAS: no separate OpenBLAS in OpenCV's or NumPy's wheel"
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return binaries, "kept OpenCV's OpenBLAS: no C compiler to build the shim"
    name = PurePath(theirs[0]).name
    workdir.mkdir(parents=True, exist_ok=True)
    shim = workdir / name
    cmd = [
        cc, "-O2", "-fPIC", "-shared", "-o", str(shim), f"-Wl,-soname,{name}",
        str(BLAS_SHIM_SOURCE), ours[1], f"-Wl,-rpath,$ORIGIN/../{provider}", "-Wl,--no-undefined",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if proc.returncode != 0:
        return binaries, f"kept OpenCV's OpenBLAS: the shim did not build ({proc.stderr[-300:]})"
    wanted = _dynamic_symbols(ext[1], "--undefined-only") & _dynamic_symbols(
        theirs[1], "--defined-only"
    )
    missing = wanted - _dynamic_symbols(str(shim), "--defined-only")
    if not wanted or missing:
        return binaries, f"kept OpenCV's OpenBLAS: the shim lacks {' '.join(sorted(missing))}"
    kept = [(e[0], str(shim), e[2]) if e is theirs else e for e in binaries]
    return kept, f"OpenCV's {name} is a shim to {PurePath(ours[0]).name} ({len(wanted)} symbols)"


def _load_segments_aligned(path: Path) -> bool:
    """True if every PT_LOAD segment of an ELF64 file has p_offset = p_vaddr (mod page).

    `strip` can break that on libraries patchelf rewrote (auditwheel), and the loader then
    refuses them ("ELF load command address/offset not page-aligned")."""
    import struct

    with path.open("rb") as fh:
        head = fh.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # ELF64 only (all x86_64/aarch64 builds)
            return False
        endian = "<" if head[5] == 1 else ">"
        phoff, phentsize, phnum = (
            struct.unpack_from(endian + "Q", head, 32)[0],
            struct.unpack_from(endian + "H", head, 54)[0],
            struct.unpack_from(endian + "H", head, 56)[0],
        )
        fh.seek(phoff)
        table = fh.read(phentsize * phnum)
    for i in range(phnum):
        p_type, _flags, p_offset, p_vaddr = struct.unpack_from(
            endian + "IIQQ", table, i * phentsize
        )
        p_align = struct.unpack_from(endian + "Q", table, i * phentsize + 48)[0]
        if p_type == 1 and p_align > 1 and (p_offset - p_vaddr) % max(p_align, 4096) != 0:
            return False
    return True


def strip_safely(root: Path) -> tuple[int, list[str]]:
    """Linux: `strip --strip-unneeded` every ELF file under `root` whose result still loads.

    PyInstaller's own strip=True breaks patchelf-rewritten wheel libraries (numpy's OpenBLAS),
    so each file is stripped to a copy, checked (load segments page-aligned), and only then
    replaces the original. Returns (bytes saved, files left as they were)."""
    import shutil
    import subprocess

    saved = 0
    kept: list[str] = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        tmp = path.with_name(path.name + ".stripped")
        proc = subprocess.run(
            ["strip", "--strip-unneeded", "-o", str(tmp), str(path)],
            capture_output=True,
            check=False,
            timeout=300,
        )
        before = path.stat().st_size
        if proc.returncode != 0 or not tmp.is_file() or not _load_segments_aligned(tmp):
            tmp.unlink(missing_ok=True)
            kept.append(str(path.relative_to(root)))
            continue
        after = tmp.stat().st_size
        if after >= before:
            tmp.unlink()
            continue
        shutil.copymode(path, tmp)
        tmp.replace(path)
        saved += before - after
    return saved, kept
