"""Writes THIRD_PARTY_LICENSES from what a PyInstaller Analysis put into the bundle.

build.spec calls `write_inventory(analysis, path)` after the Analysis step, so the inventory
lists exactly the Python distributions, native libraries and models the bundle carries:
each distribution (found through its RECORD file) with version, licence and licence texts,
the FFmpeg libraries inside PyAV (and what x264/x265 being GPL means), Qt (LGPLv3), the
system libraries copied from the build machine, and every model's licence from the manifest.
The output is deterministic (sorted, no dates): a diff shows a real change of contents.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import json
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice|copyright)([-_.].*)?$", re.IGNORECASE)
TEXT_SUFFIXES = {"", ".txt", ".md", ".rst", ".lesser", ".gpl", ".lgpl", ".bsd", ".mit", ".apache"}
MAX_TEXT = 200_000  # a licence file larger than this is referenced, not copied

# The shared libraries PyAV's wheel bundles with FFmpeg, and their licences (upstream
# projects). A library found in the bundle but missing here is listed as "check by hand",
# and tests/packaging fails so that this table is updated.
FFMPEG_LIBS: dict[str, str] = {
    "libavcodec": "LGPL-3.0-or-later (FFmpeg built with --enable-version3, without --enable-gpl)",
    "libavdevice": "LGPL-3.0-or-later (FFmpeg)",
    "libavfilter": "LGPL-3.0-or-later (FFmpeg)",
    "libavformat": "LGPL-3.0-or-later (FFmpeg)",
    "libavutil": "LGPL-3.0-or-later (FFmpeg)",
    "libswresample": "LGPL-3.0-or-later (FFmpeg)",
    "libswscale": "LGPL-3.0-or-later (FFmpeg)",
    "libx264": "GPL-2.0-or-later (x264, H.264 encoder)",
    "libx265": "GPL-2.0-or-later (x265, H.265 encoder)",
    "libSvtAv1Enc": "BSD-3-Clause-Clear + AOMedia Patent License 1.0 (SVT-AV1 encoder)",
    "libdav1d": "BSD-2-Clause (dav1d AV1 decoder)",
    "libvpx": "BSD-3-Clause (libvpx VP8/VP9)",
    "libopus": "BSD-3-Clause (Opus)",
    "libmp3lame": "LGPL-2.0-or-later (LAME MP3 encoder)",
    "libopencore-amrnb": "Apache-2.0 (opencore-amr)",
    "libopencore-amrwb": "Apache-2.0 (opencore-amr)",
    "libwebp": "BSD-3-Clause (libwebp)",
    "libwebpmux": "BSD-3-Clause (libwebp)",
    "libsharpyuv": "BSD-3-Clause (libwebp)",
    "libgnutls": "LGPL-2.1-or-later (GnuTLS)",
    "libnettle": "LGPL-3.0-or-later OR GPL-2.0-or-later (Nettle)",
    "libhogweed": "LGPL-3.0-or-later OR GPL-2.0-or-later (Nettle)",
    "libgmp": "LGPL-3.0-or-later OR GPL-2.0-or-later (GMP)",
    "libunistring": "LGPL-3.0-or-later OR GPL-2.0-or-later (libunistring)",
    "libvpl": "MIT (Intel oneVPL dispatcher)",
    "libasound": "LGPL-2.1-or-later (ALSA library)",
    "libdrm": "MIT (libdrm)",
    "libxcb": "X11/MIT (libxcb)",
    "libxcb-shape": "X11/MIT (libxcb)",
    "libxcb-shm": "X11/MIT (libxcb)",
    "libxcb-xfixes": "X11/MIT (libxcb)",
    "libXau": "X11/MIT (libXau)",
}
GPL_FFMPEG_LIBS = ("libx264", "libx265")

QT_SECTION = """\
Qt 6 (via PySide6-Essentials {version}) -- LGPL-3.0-only
  The bundle contains the Qt libraries (libQt6Core/Gui/Widgets/DBus/XcbQpa/..., their
  platform, image-format and theme plugins, and qtbase_zh_CN.qm) and the PySide6/shiboken6
  bindings, all used under the GNU Lesser General Public License v3 (the Qt Company also
  offers GPL-2.0/GPL-3.0 and commercial terms). RoundTwo links Qt dynamically: the libraries
  are separate files in the bundle's _internal/ folder (PySide6/Qt/lib on Linux,
  PySide6/ on Windows, Frameworks/ on macOS), so a user can replace them with a modified
  build of the same Qt version (relinking), as LGPL-3.0 section 4 requires. Qt's source is
  at https://download.qt.io/official_releases/qt/ ; the LGPL-3.0 text is at
  https://www.gnu.org/licenses/lgpl-3.0.txt and the GPL-3.0 text it builds on at
  https://www.gnu.org/licenses/gpl-3.0.txt . PySide6 itself is LGPL-3.0-only OR
  GPL-2.0-only OR GPL-3.0-only (the same LGPL option is used).
"""


# What the metadata does not say but a reader of the inventory needs to know.
LICENCE_NOTES = {
    "pyinstaller": "GPL-2.0-or-later WITH the PyInstaller bootloader exception: only its "
    "bootloader and runtime modules are in the bundle, and the exception lets them be "
    "distributed with a program under any licence",
}


@dataclass
class Dist:
    name: str
    version: str
    licence: str
    files: list[str] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (relative path, text)


def _licence_of(dist: md.Distribution) -> str:
    meta = dist.metadata
    expr = (meta.get("License-Expression") or "").strip()
    if expr:
        return expr
    classifiers = [
        c.split("::")[-1].strip()
        for c in (meta.get_all("Classifier") or [])
        if c.startswith("License ::") and c.count("::") >= 2
    ]
    raw = (meta.get("License") or "").strip()
    if raw and len(raw) <= 120 and "\n" not in raw:
        return raw
    if classifiers:
        return "; ".join(sorted(set(classifiers)))
    if raw:
        return raw.splitlines()[0][:120] + " (see the licence text)"
    return "UNKNOWN (no licence metadata)"


def _file_owners() -> dict[str, md.Distribution]:
    """Absolute file path -> the installed distribution whose RECORD lists it."""
    owners: dict[str, md.Distribution] = {}
    for dist in md.distributions():
        for f in dist.files or []:
            try:
                owners[str(Path(str(dist.locate_file(f))).resolve())] = dist
            except OSError:
                continue
    return owners


def _licence_texts(dist: md.Distribution) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for f in sorted(dist.files or [], key=str):
        name = Path(str(f)).name
        suffix = Path(name).suffix.lower()
        if not LICENCE_FILE.match(name) or (suffix not in TEXT_SUFFIXES and not name.isupper()):
            continue
        path = Path(str(dist.locate_file(f)))
        if not path.is_file():
            continue
        if path.stat().st_size > MAX_TEXT:
            out.append((str(f), f"(licence file of {path.stat().st_size} bytes; see {f})"))
            continue
        out.append((str(f), path.read_text(encoding="utf-8", errors="replace").strip()))
    return out


def _toc_sources(analysis: Any) -> list[tuple[str, str]]:
    """(bundle destination, source path) of every module, binary and data file."""
    entries: list[tuple[str, str]] = []
    for toc in (analysis.pure, analysis.binaries, analysis.datas):
        for entry in toc:
            dest, src = entry[0], entry[1]
            if src and entry[2] != "SYMLINK":  # links: `shared_lines`
                entries.append((str(dest), str(src)))
    return entries


def shared_lines(binaries: Iterable[tuple[str, str, str]]) -> list[str]:
    """Lines for the libraries one wheel's name points at another wheel's copy (OpenCV's
    FFmpeg -> PyAV's) and for RoundTwo's own OpenBLAS shim (bundle_filters)."""
    lines = []
    for dest, src, kind in binaries:
        name = Path(dest).name
        if kind == "SYMLINK" and "/" in src and Path(dest).parent.name != Path(src).parent.name:
            lines.append(f"  {name:<40} a link to {Path(src).parent.name}/{Path(src).name}")
        elif kind != "SYMLINK" and Path(src).parent.name == "blas_shim":
            lines.append(
                f"  {name:<40} RoundTwo's shim (packaging/blas_shim, Apache-2.0) forwarding to"
                " NumPy's OpenBLAS (numpy.libs, BSD-3-Clause)"
            )
    return sorted(lines)  # the TOC's order varies between builds


def collect(entries: Iterable[tuple[str, str]]) -> tuple[dict[str, Dist], list[str], list[str]]:
    """Group bundle entries by owning distribution; return (dists, ffmpeg libs, other libs)."""
    owners = _file_owners()
    dists: dict[str, Dist] = {}
    ffmpeg: set[str] = set()
    other_libs: set[str] = set()
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    for dest, src in entries:
        path = Path(src).resolve()
        dist = owners.get(str(path))
        if dist is not None:
            key = dist.metadata["Name"]
            if key not in dists:
                licence = LICENCE_NOTES.get(key.lower(), _licence_of(dist))
                dists[key] = Dist(key, dist.version, licence, [], _licence_texts(dist))
            dists[key].files.append(dest)
            in_av = path.parent.name == "av.libs" or path.parent.parts[-2:] == ("av", ".dylibs")
            if in_av:
                ffmpeg.add(path.name)
            continue
        if path.is_relative_to(stdlib) or path.is_relative_to(Path(sys.base_prefix).resolve()):
            continue  # Python itself: its own section
        if path.parent.name == "blas_shim":
            continue  # RoundTwo's own: `shared_lines`
        if re.search(r"\.(so(\.\d+)*|dylib|dll)$", path.name):
            other_libs.add(str(path))
    return dists, sorted(ffmpeg), sorted(other_libs)


def _stem(lib: str) -> str:
    # libx264-d6533a8d.so.165 -> libx264; libavcodec.62.dylib -> libavcodec
    name = re.sub(r"\.(so|dylib|dll).*$", "", lib)
    name = re.sub(r"-[0-9a-f]{8}$", "", name)
    return re.sub(r"[.-]\d+(\.\d+)*$", "", name)


def ffmpeg_section(libs: list[str], av_version: str) -> str:
    lines = [
        f"FFmpeg inside PyAV (av {av_version})",
        "  PyAV's wheel ships FFmpeg, its codec libraries and what they link to in av.libs/;",
        "  the bundle carries them unchanged. FFmpeg itself was configured with",
        "  --enable-version3 and without --enable-gpl, so libav* report 'LGPL version 3 or",
        "  later', but libavcodec is linked against libx264 and libx265, which are",
        "  GPL-2.0-or-later:",
    ]
    for lib in libs:
        licence = FFMPEG_LIBS.get(_stem(lib), "UNKNOWN: check by hand and add to FFMPEG_LIBS")
        lines.append(f"    {lib:<44} {licence}")
    present_gpl = [g for g in GPL_FFMPEG_LIBS if any(_stem(lib) == g for lib in libs)]
    if present_gpl:
        lines += [
            "",
            f"  How this bundle handles the GPL parts ({', '.join(present_gpl)}):",
            "  - RoundTwo records interviews as H.264 with libx264, so the GPL encoder is used,",
            "    not just present. Because libavcodec cannot be loaded without them, a bundle made",
            "    from the stock PyAV wheel is distributed with GPL-2.0-or-later obligations for",
            "    these libraries and the FFmpeg build linked to them: ship or offer (written",
            "    offer, 3 years) the complete corresponding source of FFmpeg "
            f"{'.'.join(str(x) for x in _ffmpeg_version())}, x264 and",
            "    x265 as built by PyAV (https://github.com/PyAV-Org/pyav-ffmpeg), keep these",
            "    libraries replaceable (they are separate files in _internal/av.libs/), and",
            "    include the GPL-2.0 text (https://www.gnu.org/licenses/old-licenses/gpl-2.0.txt)",
            "    and LGPL-3.0 text with the installer. RoundTwo's own code is Apache-2.0, which",
            "    the FSF considers compatible with GPL-3.0 (x264/x265 are 'or later').",
            "  - A distributor who cannot accept that must rebuild PyAV against an LGPL-only",
            "    FFmpeg without x264/x265 and switch the recorder to an LGPL/BSD encoder (for",
            "    example OpenH264 under Cisco's binary licence, or the platform encoder:",
            "    h264_videotoolbox on macOS, h264_mf on Windows). packaging/README.md describes",
            "    that build; this bundle is NOT such a build.",
            "  - Patent licences for H.264/H.265/AAC are not granted by any of these licences.",
        ]
    return "\n".join(lines) + "\n"


def _ffmpeg_version() -> tuple[int, ...]:
    try:
        import av

        return tuple(int(x) for x in re.findall(r"\d+", str(av.ffmpeg_version_info))[:3])
    except Exception:  # PyAV is optional for this script's tests
        return ()


def models_section(root: Path = ROOT) -> str:
    import yaml

    manifest = yaml.safe_load((root / "onnx_models/manifest.yaml").read_text(encoding="utf-8"))
    lines = ["On-device models (onnx_models/manifest.yaml; details in onnx_models/NOTICE-*.md)"]
    for m in manifest["models"]:
        origin = m.get("origin") or {}
        if "package" in origin:
            src = f"{origin['package']}=={origin.get('version', '?')}"
        else:
            src = " + ".join(f"{p['package']}=={p['version']}" for p in origin.get("parts", []))
        lines.append(f"  {m['id']:<20} {m['licence']:<30} from {src or 'user-supplied'}")
    scoring = json.loads((root / "onnx_models/scoring-manifest.json").read_text(encoding="utf-8"))
    for name, entry in sorted(scoring["models"].items()):
        lines.append(f"  scoring-{name:<12} {entry['licence']:<30} trained by the project")
    lines.append(
        "  faster_whisper/assets/silero_vad_v6.onnx is part of the faster-whisper package "
        "(MIT, listed below)."
    )
    return "\n".join(lines) + "\n"


def _system_package(path: str) -> str:
    """The Debian package owning a system library, with its version, when dpkg is there."""
    try:
        proc = subprocess.run(
            ["dpkg-query", "-S", path], capture_output=True, text=True, timeout=20, check=False
        )
        pkg = proc.stdout.split(":", 1)[0].strip()
        if not pkg:
            return ""
        ver = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", pkg],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout.strip()
        return f"{pkg} {ver} (/usr/share/doc/{pkg}/copyright)"
    except (OSError, subprocess.TimeoutExpired):
        return ""


def render(
    dists: dict[str, Dist],
    ffmpeg: list[str],
    other_libs: list[str],
    version: str,
    shared: list[str] | None = None,
) -> str:
    out = [
        "THIRD-PARTY SOFTWARE IN THE ROUNDTWO DESKTOP BUNDLE",
        "=" * 51,
        f"RoundTwo {version} is Apache-2.0 (see NOTICE). The one-folder bundle built by",
        "build.spec also contains the software listed here. This file is generated by",
        "packaging/licenses.py from the PyInstaller analysis of the bundle (make bundle);",
        "do not edit it by hand.",
        "",
        "1. Python distributions (name, version, licence)",
        "-" * 48,
    ]
    for d in sorted(dists.values(), key=lambda d: d.name.lower()):
        out.append(f"  {d.name:<32} {d.version:<14} {d.licence}")
    out += [
        "",
        f"  Python {sys.version.split()[0]} (interpreter and standard library): PSF-2.0",
        "",
        "2. Qt",
        "-" * 5,
        QT_SECTION.format(version=dists.get("PySide6_Essentials", Dist("", "?", "")).version),
        "3. " + ffmpeg_section(ffmpeg, dists.get("av", Dist("av", "?", "")).version),
    ]
    if shared:
        out += [
            "   Shared instead of shipped twice: OpenCV's wheel names that the bundle points at",
            "   another copy (packaging/README.md, 'Libraries shared'):",
            *shared,
            "",
        ]
    out += [
        "4. " + models_section(),
        "5. Native libraries copied from the build machine (not from a Python wheel)",
    ]
    for lib in other_libs:
        owner = _system_package(lib)
        out.append(f"  {Path(lib).name:<40} {owner or 'see the system package that owns it'}")
    if not other_libs:
        out.append("  (none)")
    out += [
        "  PortAudio is MIT-style (Debian libportaudio2); JACK's client library is LGPL-2.1+;",
        "  ALSA's library is LGPL-2.1+. They are loaded dynamically and can be replaced.",
        "",
        "6. Licence texts shipped by the Python distributions",
        "-" * 51,
    ]
    seen: dict[str, str] = {}
    for d in sorted(dists.values(), key=lambda d: d.name.lower()):
        out.append("")
        out.append(f"== {d.name} {d.version} ({d.licence}) ==")
        if not d.texts:
            out.append("  (the distribution ships no licence file; its metadata says the above)")
        for rel, text in d.texts:
            digest = hashlib.sha256(text.encode()).hexdigest()
            if digest in seen:
                out.append(f"--- {rel}: same text as {seen[digest]}")
                continue
            seen[digest] = rel
            out.append(f"--- {rel}")
            out.append(text)
    return "\n".join(line.rstrip() for line in "\n".join(out).splitlines()) + "\n"


def write_inventory(analysis: Any, out: Path) -> Path:
    """Write the inventory for a PyInstaller Analysis to `out` and return `out`."""
    from app import __version__

    dists, ffmpeg, other = collect(_toc_sources(analysis))
    dists.pop("roundtwo", None)  # the app itself: NOTICE
    shared = shared_lines(analysis.binaries)
    out.write_text(render(dists, ffmpeg, other, __version__, shared), encoding="utf-8")
    return out
