"""Rendering for the dashboard's HTML pages: the Jinja2 environment (autoescaped), the zh/en
choice (?lang=, then a cookie, then Accept-Language) and small inline-SVG charts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGS = ("zh", "en")
LANG_COOKIE = "rt_lang"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def negotiate(accept_language: str) -> str | None:
    """The best of zh/en in an Accept-Language header, by q-value; None if neither."""
    best: tuple[float, int, str] | None = None
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and q > 0 and (best is None or (q, -i) > (best[0], best[1])):
            best = (q, -i, primary)
    return best[2] if best else None


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGS:
        return cookie
    return negotiate(request.headers.get("accept-language", "")) or "en"


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = str(ctx.pop("lang", None) or lang_of(request))

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    def other_lang_url() -> str:
        other = "en" if lang == "zh" else "zh"
        params = dict(request.query_params)
        params["lang"] = other
        query = "&".join(f"{k}={_q(v)}" for k, v in params.items())
        return f"{request.url.path}?{query}"

    html = _env.get_template(name).render(
        request=request, lang=lang, t=t, other_lang_url=other_lang_url, **ctx
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    # The pages show personal data: never cache them, never frame them.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# --- inline SVG ---------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def histogram_svg(
    bins: Sequence[int], required: int, ai_mean: float | None, label: str, bar_label: str
) -> Markup:
    """Counts per level 0..10 as bars; the job's bar as a dashed line; the AI mean as a dot."""
    w, h, left, bottom, top = 300, 130, 6, 22, 16
    n = len(bins)
    step = (w - left - 6) / n
    peak = max(max(bins), 1)
    parts = [
        f'<svg class="hist" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - 4}" y2="{h - bottom}" stroke="#999"/>',
    ]
    for i, count in enumerate(bins):
        x = left + i * step
        colour = "#c0392b" if i < required else "#2e86c1"
        if count:
            bh = (h - bottom - top) * count / peak
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{h - bottom - bh:.1f}" width="{step - 4:.1f}" '
                f'height="{bh:.1f}" fill="{colour}"><title>{i}: {count}</title></rect>'
            )
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{h - bottom - bh - 2:.1f}" font-size="12" '
                f'text-anchor="middle">{count}</text>'
            )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{h - 6}" font-size="12" text-anchor="middle" '
            f'fill="#555">{i}</text>'
        )
    bx = left + required * step
    parts.append(
        f'<line x1="{bx:.1f}" y1="{top - 4}" x2="{bx:.1f}" y2="{h - bottom}" stroke="#333" '
        f'stroke-dasharray="3,2"><title>{escape(bar_label)}</title></line>'
    )
    if ai_mean is not None:
        ax = left + (ai_mean + 0.5) * step
        parts.append(
            f'<circle cx="{ax:.1f}" cy="{h - bottom + 1}" r="4" fill="#f39c12" stroke="#fff">'
            f"<title>AI {_fmt(ai_mean)}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def funnel_svg(stages: Sequence[tuple[str, int | None]]) -> Markup:
    """Horizontal bars, one per stage, widths relative to the first known count."""
    known = [n for _, n in stages if n is not None]
    peak = max([*known, 1])
    row, w, label_w = 26, 380, 120
    h = row * len(stages) + 4
    parts = [
        f'<svg class="funnel" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (name, n) in enumerate(stages):
        y = 2 + i * row
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="13" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        if n is None:
            parts.append(f'<text x="{label_w}" y="{y + 16}" font-size="13" fill="#888">—</text>')
            continue
        bw = max(2.0, (w - label_w - 36) * n / peak)
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bw:.1f}" height="{row - 8}" '
            f'fill="#5dade2" rx="3"/>'
        )
        parts.append(f'<text x="{label_w + bw + 6:.1f}" y="{y + 16}" font-size="13">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_svg(value: float | None, bar: float, scale: float = 10.0) -> Markup:
    """A small level bar (0..scale) with the required level marked — used in tables."""
    w, h = 90, 12
    if value is None:
        return Markup("")
    vw = w * max(0.0, min(value, scale)) / scale
    bx = w * bar / scale
    colour = "#c0392b" if value < bar else "#27ae60"
    return Markup(
        f'<svg class="mini" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'xmlns="http://www.w3.org/2000/svg"><rect width="{w}" height="{h}" fill="#eee"/>'
        f'<rect width="{vw:.1f}" height="{h}" fill="{colour}"/>'
        f'<line x1="{bx:.1f}" y1="0" x2="{bx:.1f}" y2="{h}" stroke="#000"/></svg>'
    )


_env.globals.update(histogram_svg=histogram_svg, funnel_svg=funnel_svg, bar_svg=bar_svg, fmt=_fmt)
