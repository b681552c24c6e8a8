"""Report charts drawn with matplotlib (Agg): radar and bar of levels against the bar."""

from __future__ import annotations

import io
import math
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from app.reports.dashboard import Dashboard
from app.reports.summary import InterviewSummary

_CJK_CANDIDATES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Heiti SC",
)


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """The first installed font that has Chinese glyphs, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_CANDIDATES:
        if name in installed:
            return name
    return None


def _figure(width: float, height: float) -> Figure:
    family = cjk_font_family()
    if family:
        # Chinese labels need a CJK font first; DejaVu keeps Latin text and symbols.
        matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
    return Figure(figsize=(width, height), dpi=110, layout="tight")


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def radar_png(summary: InterviewSummary, lang: str) -> bytes:
    """Interviewer level (filled) against the bar (dashed) per competency, 0..10."""
    names = [c.name_zh if lang.startswith("zh") else c.name_en for c in summary.lines]
    n = len(names)
    angles = [2 * math.pi * i / n for i in range(n)] + [0.0]
    levels = [c.interviewer_level or 0.0 for c in summary.lines]
    bars = [float(c.required_level) for c in summary.lines]
    fig = _figure(4.2, 4.2)
    ax = fig.add_subplot(projection="polar")
    ax.set_ylim(0, 10)
    ax.set_yticks([2, 5, 8, 10])
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels(names, fontsize=8)
    ax.plot(
        angles,
        bars + bars[:1],
        linestyle="--",
        color="#c0392b",
        linewidth=1.2,
        label="要求" if lang.startswith("zh") else "Bar",
    )
    ax.plot(angles, levels + levels[:1], color="#2166ac", linewidth=1.6)
    ax.fill(
        angles,
        levels + levels[:1],
        color="#2166ac",
        alpha=0.25,
        label="面试官" if lang.startswith("zh") else "Interviewers",
    )
    ax.legend(loc="upper left", bbox_to_anchor=(-0.25, 1.15), fontsize=8, frameon=False)
    return _png(fig)


def bars_png(summary: InterviewSummary, lang: str) -> bytes:
    """Horizontal bars: interviewer level, AI suggestion and the bar per competency."""
    zh = lang.startswith("zh")
    names = [c.name_zh if zh else c.name_en for c in summary.lines][::-1]
    levels = [c.interviewer_level or 0.0 for c in summary.lines][::-1]
    ai = [c.ai_level for c in summary.lines][::-1]
    req = [c.required_level for c in summary.lines][::-1]
    fig = _figure(5.2, 0.45 * len(names) + 1.0)
    ax = fig.add_subplot()
    ys = list(range(len(names)))
    colors = ["#2166ac" if lv >= r else "#d6604d" for lv, r in zip(levels, req, strict=True)]
    ax.barh(ys, levels, color=colors, height=0.55, label="面试官评分" if zh else "Interviewers")
    ax.scatter(req, ys, marker="|", s=300, color="black", label="要求" if zh else "Bar", zorder=3)
    ai_pts = [(a, y) for a, y in zip(ai, ys, strict=True) if a is not None]
    if ai_pts:
        ax.scatter(
            [a for a, _ in ai_pts],
            [y for _, y in ai_pts],
            marker="D",
            s=22,
            color="#f4a582",
            edgecolor="black",
            label="AI 建议" if zh else "AI",
            zorder=4,
        )
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlim(0, 10)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return _png(fig)


def distribution_png(dash: Dashboard, lang: str) -> bytes:
    """Levels per competency across candidates (dots + mean), with each bar marked."""
    zh = lang.startswith("zh")
    names = [(n_zh if zh else n_en) for _, n_zh, n_en, _ in dash.competencies]
    fig = _figure(5.6, 0.42 * len(names) + 1.2)
    ax = fig.add_subplot()
    for y, (key, _zh, _en, req) in enumerate(dash.competencies):
        vals = dash.distribution.get(key, [])
        ax.scatter(vals, [y] * len(vals), s=18, alpha=0.6, color="#2166ac")
        if vals:
            ax.scatter(
                [sum(vals) / len(vals)],
                [y],
                marker="D",
                s=36,
                color="#f4a582",
                edgecolor="black",
                zorder=3,
            )
        ax.scatter([req], [y], marker="|", s=300, color="black", zorder=4)
    ax.set_yticks(list(range(len(names))))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 10)
    ax.set_xlabel("等级（◆均值，|要求）" if zh else "level (◆ mean, | bar)", fontsize=8)
    return _png(fig)


FUNNEL_LABELS = {
    "applied": ("投递", "Applied"),
    "round1_passed": ("一面通过", "Passed round 1"),
    "round2_scheduled": ("二面已安排", "Round 2 scheduled"),
    "round2_completed": ("二面已完成", "Round 2 done"),
    "meets_threshold": ("达到匹配门槛", "Meets match threshold"),
}


def funnel_png(dash: Dashboard, lang: str) -> bytes:
    zh = lang.startswith("zh")
    labels = [FUNNEL_LABELS[s][0 if zh else 1] for s, _ in dash.funnel]
    counts = [n for _, n in dash.funnel]
    fig = _figure(4.2, 2.6)
    ax = fig.add_subplot()
    ax.barh(range(len(counts)), counts, color="#4393c3")
    for i, n in enumerate(counts):
        ax.text(n, i, f" {n}", va="center", fontsize=8)
    ax.set_yticks(list(range(len(labels))))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*counts, 1]) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)
