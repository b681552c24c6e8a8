"""The HR web dashboard: jobs of the caller's org unit (admin: any unit), per job the level
distribution per competency, candidates ranked by job match %, the funnel by round and
time-to-schedule, with CSV/Excel export; and the training view per department."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from openpyxl import Workbook

from app.core.cells import safe_cell
from server import audit
from server.api.deps import HubDep
from server.errors import not_found
from server.policy import Action, Scope, scope_of
from server.web import dashboard_data as data
from server.web import training_data
from server.web.auth import Caller, guard, wants_html
from server.web.auth import router as auth_router
from server.web.pages import lang_of, render

pages = APIRouter(prefix="/web", tags=["web"])

UnitQuery = Annotated[
    uuid.UUID | None, Query(description="org unit to show (admin: any; others: their own)")
]

FUNNEL_LABELS: dict[str, tuple[str, str]] = {
    "round1": ("一面结果", "Round-1 results"),
    "round1_passed": ("一面通过", "Round-1 passed"),
    "invited": ("已邀请", "Invited"),
    "scheduled": ("已预约", "Scheduled"),
    "interviewed": ("已面试", "Interviewed"),
    "rated": ("已评分", "Rated"),
    "passed": ("达到门槛", "Passed"),
}


def _job_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _not_found(request: Request, caller: Caller, what: str) -> Response:
    if caller.via_cookie or wants_html(request):
        return render(
            request, "dashboard/message.html", status=404, kind="not_found", caller=caller
        )
    raise not_found(what)


async def _units(hub: HubDep, caller: Caller) -> list[tuple[uuid.UUID, str]]:
    units = await hub.run(lambda s: data.units_of(s, caller.who))
    return [(u.id, u.name) for u in units]


def _effective_unit(caller: Caller, unit: uuid.UUID | None) -> uuid.UUID | None:
    """Admins see the whole org unless they pick a unit; everybody else sees their own."""
    if scope_of(caller.who.role, Action.VIEW_DASHBOARD) is Scope.ORG:
        return unit
    return caller.who.org_unit_id


@pages.get("/dashboard", summary="The dashboard's list of jobs (HTML)")
async def jobs_page(request: Request, hub: HubDep, org_unit_id: UnitQuery = None) -> Response:
    caller = await guard(request, hub, Action.VIEW_DASHBOARD, org_unit_id)
    if not isinstance(caller, Caller):
        return caller
    unit = _effective_unit(caller, org_unit_id)
    rows = await hub.run(lambda s: data.job_list(s, caller.who, unit))
    return render(
        request,
        "dashboard/jobs.html",
        caller=caller,
        rows=rows,
        units=await _units(hub, caller),
        unit=unit,
        page="jobs",
    )


@pages.get("/dashboard/jobs/{job_id}", summary="One job's dashboard (HTML)")
async def job_page(
    request: Request, hub: HubDep, job_id: str, org_unit_id: UnitQuery = None
) -> Response:
    caller = await guard(request, hub, Action.VIEW_DASHBOARD, org_unit_id)
    if not isinstance(caller, Caller):
        return caller
    jid = _job_id(job_id)
    unit = _effective_unit(caller, org_unit_id)
    dash = (
        None
        if jid is None
        else await hub.run(lambda s: data.job_dashboard(s, caller.who, unit, jid))
    )
    if dash is None:
        return _not_found(request, caller, f"Job {job_id}")
    await hub.run(lambda s: audit.record(s, caller.who, audit.AuditAction.VIEW_REPORT, "job", jid))
    return render(
        request,
        "dashboard/job.html",
        caller=caller,
        dash=dash,
        unit=unit,
        units=await _units(hub, caller),
        funnel_labels=FUNNEL_LABELS,
        page="job",
    )


def ranking_rows(dash: data.JobDashboard, lang: str) -> tuple[list[str], list[list[object]]]:
    zh = lang == "zh"
    comps = [d.competency for d in dash.distribution]
    header = [
        "排名" if zh else "rank",
        "候选人" if zh else "candidate",
        "匹配度%" if zh else "match_percent",
        "达到门槛" if zh else "meets_threshold",
        *[(c.name_zh if zh else c.name_en) for c in comps],
        "未达标项" if zh else "below_bar",
    ]
    rows: list[list[object]] = []
    for i, r in enumerate(dash.ranking, 1):
        rows.append(
            [
                i,
                r.name,
                r.match,
                r.meets_threshold,
                *[r.levels.get(c.key) for c in comps],
                ";".join(r.below_bar),
            ]
        )
    return header, [[safe_cell(v) for v in row] for row in rows]


def distribution_rows(dash: data.JobDashboard) -> tuple[list[str], list[list[object]]]:
    header = ["competency", "required_level", "n", "mean", "min", "max", "below_bar", "ai_mean"]
    header += [f"level_{i}" for i in range(11)]
    rows: list[list[object]] = []
    for d in dash.distribution:
        rows.append(
            [
                d.competency.key,
                d.competency.required_level,
                len(d.levels),
                d.mean,
                min(d.levels) if d.levels else None,
                max(d.levels) if d.levels else None,
                d.below,
                d.ai_mean,
                *d.histogram(),
            ]
        )
    return header, [[safe_cell(v) for v in row] for row in rows]


def to_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([["" if v is None else v for v in row] for row in rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel reads Chinese right


def to_xlsx(dash: data.JobDashboard, lang: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "ranking"
    header, rows = ranking_rows(dash, lang)
    ws.append(header)
    for row in rows:
        ws.append(row)
    dist = wb.create_sheet("distribution")
    dheader, drows = distribution_rows(dash)
    dist.append(dheader)
    for row in drows:
        dist.append(row)
    fun = wb.create_sheet("funnel")
    fun.append(["stage", "count"])
    for stage, n in dash.funnel:
        fun.append([stage, n])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pages.get("/dashboard/jobs/{job_id}/export", summary="Ranking or distribution as CSV / .xlsx")
async def export(
    request: Request,
    hub: HubDep,
    job_id: str,
    org_unit_id: UnitQuery = None,
    format: Literal["csv", "xlsx"] = "csv",
    table: Literal["ranking", "distribution"] = "ranking",
    lang: Literal["zh", "en"] | None = None,
) -> Response:
    caller = await guard(request, hub, Action.VIEW_DASHBOARD, org_unit_id)
    if not isinstance(caller, Caller):
        return caller
    jid = _job_id(job_id)
    unit = _effective_unit(caller, org_unit_id)
    dash = (
        None
        if jid is None
        else await hub.run(lambda s: data.job_dashboard(s, caller.who, unit, jid))
    )
    if dash is None:
        return _not_found(request, caller, f"Job {job_id}")
    language = lang or lang_of(request)
    name = f"{dash.job.slug}-{table}"
    if format == "xlsx":
        body = to_xlsx(dash, language)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name += ".xlsx"
    else:
        header, rows = (
            ranking_rows(dash, language) if table == "ranking" else distribution_rows(dash)
        )
        body = to_csv(header, rows)
        media = "text/csv; charset=utf-8"
        name += ".csv"
    detail = {"format": format, "table": table, "candidates": len(dash.ranking), "unit": unit}
    await hub.run(
        lambda s: audit.record(
            s, caller.who, audit.AuditAction.DASHBOARD_EXPORT, "job", jid, detail
        )
    )
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@pages.get("/dashboard/training", summary="Training per department: gaps and courses (HTML)")
async def training_page(request: Request, hub: HubDep, org_unit_id: UnitQuery = None) -> Response:
    caller = await guard(request, hub, Action.VIEW_DASHBOARD, org_unit_id)
    if not isinstance(caller, Caller):
        return caller
    unit = _effective_unit(caller, org_unit_id)
    view = await hub.run(lambda s: training_data.department_view(s, caller.who, unit))
    return render(
        request,
        "dashboard/training.html",
        caller=caller,
        view=view,
        unit=unit,
        units=await _units(hub, caller),
        page="training",
    )


# The hub includes this one router: log-in/out pages and the dashboard pages.
router = APIRouter()
router.include_router(auth_router)
router.include_router(pages)
