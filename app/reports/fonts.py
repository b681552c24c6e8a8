"""Finds a TrueType font with Chinese glyphs at run time, for PDFs that embed it."""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import DependencyError

log = logging.getLogger(__name__)

# A sample of common characters: a font must have all of them to count as Chinese-capable.
PROBE = "二面培训计划胜任力沟通数据分析"
FONT_NAME = "RoundTwoCJK"
_KNOWN_FAMILIES = (
    "wenquanyi",
    "wqy",
    "noto sans sc",
    "noto sans cjk",
    "source han sans",
    "microsoft yahei",
    "simhei",
    "simsun",
    "pingfang",
    "heiti",
    "droid sans fallback",
    "arphic",
)


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int


def _fc_match() -> list[FontChoice]:
    exe = shutil.which("fc-match")
    if exe is None:
        return []
    try:
        proc = subprocess.run(
            [exe, "-s", "-f", "%{file}|%{index}|%{fontformat}\n", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    out: list[FontChoice] = []
    for line in proc.stdout.splitlines()[:40]:
        parts = line.split("|")
        if len(parts) == 3 and parts[2] == "TrueType":
            out.append(FontChoice(Path(parts[0]), int(parts[1] or 0)))
    return out


def _matplotlib() -> list[FontChoice]:
    from matplotlib import font_manager

    out: list[FontChoice] = []
    for entry in font_manager.fontManager.ttflist:
        name = entry.name.lower()
        if any(f in name for f in _KNOWN_FAMILIES) and entry.fname.lower().endswith(
            (".ttf", ".ttc")
        ):
            out.append(FontChoice(Path(entry.fname), 0))
    return out


def _usable(choice: FontChoice) -> bool:
    """Reportlab can embed it (TrueType outlines, not CFF) and it has the probe glyphs."""
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        font = TTFont("probe", str(choice.path), subfontIndex=choice.index)
    except (TTFError, OSError, KeyError, ValueError):
        return False
    cmap = font.face.charToGlyph
    return all(ord(ch) in cmap for ch in PROBE)


def find_cjk_font(explicit: Path | None = None) -> FontChoice:
    """The first usable Chinese TrueType font: `explicit`, then fontconfig, then matplotlib."""
    if explicit is not None:
        choice = FontChoice(explicit, 0)
        if not _usable(choice):
            raise DependencyError(
                f"The font {explicit} cannot be embedded or has no Chinese glyphs.",
                hint="Use a TrueType (.ttf/.ttc) font with Chinese, e.g. WenQuanYi Micro Hei.",
            )
        return choice
    seen: set[tuple[Path, int]] = set()
    for choice in [*_fc_match(), *_matplotlib()]:
        if (choice.path, choice.index) in seen:
            continue
        seen.add((choice.path, choice.index))
        if choice.path.exists() and _usable(choice):
            log.debug("CJK font for PDFs: %s#%d", choice.path, choice.index)
            return choice
    raise DependencyError(
        "No TrueType font with Chinese glyphs is installed, so the PDF cannot show Chinese.",
        hint="Install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei).",
    )


def register_cjk_font(explicit: Path | None = None) -> str:
    """Register the font with reportlab once; returns the name to use in styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames() and explicit is None:
        return FONT_NAME
    choice = find_cjk_font(explicit)
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(choice.path), subfontIndex=choice.index))
    return FONT_NAME
