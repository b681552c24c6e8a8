"""Per-job dashboard: level distribution per competency, candidates ranked by match %,
the funnel by round; exported to CSV or Excel with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from app.core.cells import safe_cell  # shared with the hub's web dashboard
from app.core.errors import DataDirError, InvalidInputError
from app.reports.summary import build_summary
from app.storage import repo
from app.storage.tables import Application, InterviewSession


@dataclass(frozen=True)
class RankedCandidate:
    session_id: uuid.UUID
    candidate: str
    match: float | None
    meets_threshold: bool | None
    below_bar: list[str]
    levels: dict[str, float | None]


@dataclass
class Dashboard:
    job_slug: str
    title_zh: str
    title_en: str
    threshold: float
    competencies: list[tuple[str, str, str, int]]  # key, zh, en, required level
    distribution: dict[str, list[float]] = field(default_factory=dict)
    ranking: list[RankedCandidate] = field(default_factory=list)
    funnel: list[tuple[str, int]] = field(default_factory=list)


FUNNEL_STAGES = (
    "applied",
    "round1_passed",
    "round2_scheduled",
    "round2_completed",
    "meets_threshold",
)


def job_dashboard(session: Session, job_slug: str) -> Dashboard:
    job = repo.get_job(session, job_slug)
    comps = repo.competencies(session, job)
    dash = Dashboard(
        job.slug,
        job.title_zh,
        job.title_en,
        job.match_threshold,
        [(c.key, c.name_zh, c.name_en, c.required_level) for c in comps],
        {c.key: [] for c in comps},
    )
    interviews = session.exec(
        select(InterviewSession)
        .where(InterviewSession.job_id == job.id)
        .order_by(col(InterviewSession.scheduled_at))
    ).all()
    for iv in interviews:
        summary = build_summary(session, iv.id)
        levels = {c.key: c.interviewer_level for c in summary.lines}
        if all(v is None for v in levels.values()):
            continue
        for k, v in levels.items():
            if v is not None:
                dash.distribution[k].append(v)
        m = summary.match
        dash.ranking.append(
            RankedCandidate(
                iv.id,
                summary.candidate_name,
                m,
                None if m is None else m >= job.match_threshold,
                [c.key for c in summary.gaps],
                levels,
            )
        )
    dash.ranking.sort(key=lambda r: (r.match is None, -(r.match or 0.0), r.candidate))
    apps = session.exec(select(Application).where(Application.job_id == job.id)).all()
    app_ids = {a.id for a in apps}
    scheduled = [iv for iv in interviews if iv.application_id in app_ids or not app_ids]
    dash.funnel = [
        ("applied", len(apps)),
        ("round1_passed", sum(1 for a in apps if a.round1_passed)),
        ("round2_scheduled", len(scheduled)),
        ("round2_completed", sum(1 for iv in scheduled if iv.status == "completed")),
        ("meets_threshold", sum(1 for r in dash.ranking if r.meets_threshold)),
    ]
    return dash


def _rows(d: Dashboard, lang: str) -> tuple[list[str], list[list[object]]]:
    zh = lang == "zh"
    header = [
        "排名" if zh else "rank",
        "候选人" if zh else "candidate",
        "匹配度%" if zh else "match_percent",
        "达到门槛" if zh else "meets_threshold",
        *[(n_zh if zh else n_en) for _, n_zh, n_en, _ in d.competencies],
        "未达标项" if zh else "below_bar",
    ]
    rows: list[list[object]] = []
    for i, r in enumerate(d.ranking, 1):
        rows.append(
            [
                i,
                r.candidate,
                r.match,
                r.meets_threshold,
                *[r.levels.get(k) for k, *_ in d.competencies],
                ";".join(r.below_bar),
            ]
        )
    return header, [[safe_cell(v) for v in row] for row in rows]


def export(d: Dashboard, out: Path, lang: str = "en") -> Path:
    """CSV (the ranking) or .xlsx (ranking, distribution and funnel sheets)."""
    header, rows = _rows(d, lang)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            with out.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(rows)
        elif out.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "ranking"
            ws.append(header)
            for row in rows:
                ws.append(row)
            dist = wb.create_sheet("distribution")
            dist.append(["competency", "required_level", "n", "mean", "min", "max"])
            for key, _zh, _en, req in d.competencies:
                vals = d.distribution.get(key, [])
                dist.append(
                    [
                        key,
                        req,
                        len(vals),
                        round(sum(vals) / len(vals), 2) if vals else None,
                        min(vals) if vals else None,
                        max(vals) if vals else None,
                    ]
                )
            fun = wb.create_sheet("funnel")
            fun.append(["stage", "count"])
            for stage, n in d.funnel:
                fun.append([stage, n])
            wb.save(out)
        else:
            raise InvalidInputError(f"{out}: export as .csv or .xlsx.")
    except OSError as exc:
        raise DataDirError(f"Cannot write {out} ({exc.strerror}).") from exc
    return out
