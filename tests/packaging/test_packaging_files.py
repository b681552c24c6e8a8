"""The packaging sources: spec helpers, licence inventory, icon, workflow, Makefile targets."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.conftest import REPO


def _load(name: str) -> ModuleType:
    # packaging/ is not a package (the name would shadow PyPI's `packaging`): load by path.
    spec = importlib.util.spec_from_file_location(f"rt_{name}", REPO / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


filters = _load("bundle_filters")
licenses = _load("licenses")


def _qt_modules_imported_by_the_app() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("PySide6."):
                    found.add(node.module)
                elif node.module == "PySide6":
                    found.update(f"PySide6.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("PySide6."))
    return found


def test_no_excluded_qt_module_is_imported_by_the_app() -> None:
    used = _qt_modules_imported_by_the_app()
    assert used, "the scan found no Qt imports at all"
    assert not used & set(filters.UNUSED_QT_MODULES)


@pytest.mark.parametrize(
    ("dest", "dropped"),
    [
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", False),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qt_zh_CN.qm", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", True),
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", True),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", False),
        ("resources/translations/roundtwo_zh_CN.qm", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", True),
        ("PySide6/plugins/platforms/qwindows.dll", False),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", False),
        ("jieba/lac_small/model_baseline/word_emb", True),
        ("jieba/analyse/idf.txt", True),
        ("jieba/dict.txt", False),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf", False),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf", False),
        ("matplotlib/mpl-data/fonts/ttf/LastResortHE-Regular.ttf", False),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSerif.ttf", True),
        ("matplotlib/mpl-data/fonts/ttf/STIXGeneral.ttf", True),
        ("matplotlib/mpl-data/fonts/ttf/DejaVuSansMono.ttf", True),
        ("matplotlib/mpl-data/fonts/afm/cmr10.afm", True),
        ("matplotlib/mpl-data/sample_data/goog.npz", True),
        ("matplotlib/mpl-data/images/home.png", True),
        ("matplotlib/mpl-data/matplotlibrc", False),
        ("matplotlib/mpl-data/stylelib/ggplot.mplstyle", False),
        ("jieba/finalseg/prob_emit.p", False),
    ],
)
def test_bundle_filter(dest: str, dropped: bool) -> None:
    assert filters.dropped(dest) is dropped


def test_every_ffmpeg_library_of_the_installed_pyav_has_a_known_licence() -> None:
    import av

    libs_dir = Path(av.__file__).resolve().parent.parent / "av.libs"
    libs = sorted(p.name for p in libs_dir.iterdir()) if libs_dir.is_dir() else []
    if not libs:
        pytest.skip("this PyAV wheel keeps no separate FFmpeg libraries (not Linux)")
    unknown = [lib for lib in libs if licenses._stem(lib) not in licenses.FFMPEG_LIBS]
    assert not unknown, f"add to FFMPEG_LIBS in packaging/licenses.py: {unknown}"
    text = licenses.ffmpeg_section(libs, av.__version__)
    assert "libx264" in text and "GPL-2.0-or-later" in text
    assert "How this bundle handles the GPL parts (libx264, libx265)" in text


def test_inventory_lists_distributions_of_the_files_it_is_given() -> None:
    import av
    import numpy

    entries = [
        ("numpy/__init__.py", numpy.__file__),
        ("av/__init__.py", av.__file__),
        ("x/not-owned.so", "/nonexistent/libmystery.so.1"),
    ]
    dists, _ffmpeg, other = licenses.collect(entries)
    assert set(dists) == {"numpy", "av"}
    assert dists["numpy"].licence.startswith("BSD-3-Clause")
    assert any(rel.endswith("LICENSE.txt") for rel, _ in dists["numpy"].texts)
    assert other == ["/nonexistent/libmystery.so.1"]
    text = licenses.render(dists, [], [], "9.9.9")
    assert "RoundTwo 9.9.9 is Apache-2.0" in text
    assert "== numpy " in text and "LGPL-3.0-only" in text  # the Qt section is always there


def test_committed_inventory_names_every_model_qt_and_x264() -> None:
    text = (REPO / "THIRD_PARTY_LICENSES").read_text(encoding="utf-8")
    manifest = yaml.safe_load((REPO / "onnx_models/manifest.yaml").read_text(encoding="utf-8"))
    for m in manifest["models"]:
        assert re.search(rf"^  {re.escape(m['id'])} +{re.escape(m['licence'])}", text, re.M), m[
            "id"
        ]
    assert "Qt 6 (via PySide6-Essentials" in text
    assert re.search(r"libx264-\S+ +GPL-2.0-or-later", text)
    for dist in ("onnxruntime", "ctranslate2", "PySide6_Essentials", "opencv-python-headless"):
        assert re.search(rf"^  {re.escape(dist)} ", text, re.M), dist
    assert "libportaudio.so.2" in text
    for dev in ("pytest", "mypy", "ruff", "schemathesis", "fastapi"):
        assert not re.search(rf"^  {dev} ", text, re.M | re.I), dev


def test_icons_are_valid_images_drawn_by_the_script(tmp_path: Path) -> None:
    from PIL import Image

    icon = _load("make_icon")
    written = icon.write(tmp_path)
    assert [p.name for p in written] == ["roundtwo.png", "roundtwo.ico", "roundtwo.icns"]
    for name in ("roundtwo.png", "roundtwo.ico", "roundtwo.icns"):
        committed = REPO / "packaging" / "icons" / name
        with Image.open(committed) as img:
            assert img.size[0] >= 256, name
    with Image.open(REPO / "packaging/icons/roundtwo.ico") as ico:
        assert (16, 16) in ico.info["sizes"] and (256, 256) in ico.info["sizes"]
    with Image.open(written[0]) as a, Image.open(REPO / "packaging/icons/roundtwo.png") as b:
        assert a.tobytes() == b.tobytes()


def test_workflow_builds_and_self_tests_on_three_platforms() -> None:
    wf = yaml.safe_load((REPO / ".github/workflows/bundle.yml").read_text(encoding="utf-8"))
    job = wf["jobs"]["bundle"]
    oses = job["strategy"]["matrix"]["os"]
    assert {o.split("-")[0] for o in oses} == {"ubuntu", "windows", "macos"}
    script = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert "pyinstaller" in script and "build.spec" in script
    assert "--self-test" in script


def test_spec_sets_macos_privacy_strings_and_excludes() -> None:
    spec = (REPO / "build.spec").read_text(encoding="utf-8")
    assert "NSCameraUsageDescription" in spec and "NSMicrophoneUsageDescription" in spec
    tree = ast.parse(spec)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert {"Analysis", "EXE", "COLLECT", "BUNDLE"} <= names
    assert "upx=False" in spec


def test_makefile_has_bundle_targets_and_ci_runs_them() -> None:
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^bundle:", make, re.M) and re.search(r"^bundle-test:", make, re.M)
    assert "make bundle-test" in (REPO / ".ci/run").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("strip") is None, reason="needs binutils' strip")
def test_strip_keeps_libraries_whose_stripped_copy_would_not_load(tmp_path: Path) -> None:
    import av
    import numpy

    site = Path(numpy.__file__).resolve().parents[1]
    openblas = next((site / "numpy.libs").glob("libscipy_openblas64_*"), None)
    if openblas is None:
        pytest.skip("this numpy wheel has no separate OpenBLAS")
    root = tmp_path / "bundle"
    root.mkdir()
    shutil.copy(openblas, root / openblas.name)  # patchelf-rewritten: strip breaks it
    cython = Path(av.__file__).resolve().parent / "error.abi3.so"  # has debug info
    shutil.copy(cython, root / "error.abi3.so")
    (root / "notes.txt").write_text("not an ELF file\n")
    before = {p.name: p.read_bytes() for p in root.iterdir()}

    saved, unstripped = filters.strip_safely(root)

    assert unstripped == [openblas.name]
    assert (root / openblas.name).read_bytes() == before[openblas.name]
    assert saved > 0 and (root / "error.abi3.so").stat().st_size < len(before["error.abi3.so"])
    assert filters._load_segments_aligned(root / "error.abi3.so")
    assert (root / "notes.txt").read_bytes() == before["notes.txt"]
    assert sorted(p.name for p in root.iterdir()) == sorted(before)  # no temp files left


def _wheel_toc(folder: str, names: list[str]) -> list[tuple[str, str, str]]:
    import cv2

    site = Path(cv2.__file__).resolve().parents[1]
    return [(f"{folder}/{n}", str(site / folder / n), "BINARY") for n in names]


def test_opencv_shares_pyavs_ffmpeg_only_when_every_version_matches() -> None:
    import cv2

    site = Path(cv2.__file__).resolve().parents[1]
    ocv = sorted(p.name for p in (site / "opencv_python_headless.libs").iterdir())
    pyav = sorted(p.name for p in (site / "av.libs").iterdir())
    toc = [
        *_wheel_toc("opencv_python_headless.libs", ocv),
        *_wheel_toc("av.libs", pyav),
        ("cv2/cv2.abi3.so", str(site / "cv2" / "cv2.abi3.so"), "EXTENSION"),
    ]
    kept, links, aliases = filters.share_ffmpeg(toc)
    ffmpeg = [n for n in ocv if re.match(r"lib(avcodec|avformat|avutil|swscale|swresample)-", n)]
    if not aliases:
        pytest.skip("the installed OpenCV and PyAV wheels carry different FFmpeg releases")
    assert sorted(aliases) == sorted(ffmpeg) and len(links) == len(ffmpeg)
    for dest, target, kind in links:
        assert kind == "SYMLINK" and dest.startswith("opencv_python_headless.libs/")
        # the link resolves, inside the bundle layout, to PyAV's library of the same version
        resolved = (site / Path(dest).parent / target).resolve()
        assert resolved.parent.name == "av.libs" and resolved.is_file()
        assert Path(dest).name.split(".so.")[1] == resolved.name.split(".so.")[1]
    # Every versioned FFmpeg symbol OpenCV needs is defined by PyAV's copy.
    import subprocess

    def symbols(path: Path, flag: str) -> set[str]:
        out = subprocess.run(["nm", "-D", flag, str(path)], capture_output=True, text=True)
        return {ln.split()[-1].replace("@@", "@") for ln in out.stdout.splitlines() if "@LIB" in ln}

    needed = {s for s in symbols(site / "cv2" / "cv2.abi3.so", "--undefined-only")}
    defined: set[str] = set()
    for name in aliases.values():
        defined |= symbols(site / "av.libs" / name, "--defined-only")
    ffmpeg_needed = {s for s in needed if re.search(r"@LIB(AV|SW)", s)}
    assert ffmpeg_needed and ffmpeg_needed <= defined, ffmpeg_needed - defined
    # OpenCV's own codec libraries (only its FFmpeg linked them) are pruned; its others stay.
    after, gone = filters.prune_unlinked(kept, aliases, wheel_libs=["opencv_python_headless.libs"])
    assert any(n.startswith("libdav1d-") for n in gone if n in ocv)
    assert not any(n.startswith(("libopenblas", "libpng16")) for n in gone)
    assert not set(gone) & set(pyav)
    assert len(after) == len(kept) - len(gone) and "cv2/cv2.abi3.so" in {e[0] for e in after}
    # A version mismatch keeps OpenCV's own copy, all of it.
    odd = [
        (d.replace(".so.62.", ".so.61."), s, k)
        if "libavcodec-" in d and "av.libs" in d
        else (d, s, k)
        for d, s, k in toc
    ]
    assert filters.share_ffmpeg(odd) == (odd, [], {})


def test_inventory_names_shared_libraries_and_the_shim(tmp_path: Path) -> None:
    toc = [
        ("opencv_python_headless.libs/libavcodec-57aca189.so.62.28.102",
         "../av.libs/libavcodec-5e6b81c2.so.62.28.102", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Core.so", "libQt6Core.so.6", "SYMLINK"),  # same folder: plain
        ("opencv_python_headless.libs/libopenblasp-r0-59ffcd50.3.15.so",
         str(tmp_path / "blas_shim" / "libopenblasp-r0-59ffcd50.3.15.so"), "BINARY"),
    ]  # fmt: skip
    lines = licenses.shared_lines(toc)
    assert len(lines) == 2
    assert (
        "libavcodec-57aca189.so.62.28.102" in lines[0] and "av.libs/libavcodec-5e6b81c2" in lines[0]
    )
    assert "RoundTwo's shim" in lines[1] and "BSD-3-Clause" in lines[1]
    # the shim is not a "system library" of section 5, and a link is not a file of its own
    dists, _ffmpeg, other = licenses.collect([(toc[2][0], toc[2][1])])
    assert other == [] and dists == {}
    text = licenses.render({}, [], [], "9.9.9", lines)
    assert "Shared instead of shipped twice" in text and text.index("3. ") < text.index(
        "Shared"
    ) < text.index("4. ")
