"""Routes of adverse-impact reporting (#11): the HR/admin demographics import and the LL144-style
report (JSON or CSV). Thin: parse, check the policy table, call `server.impact`."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from app.sync import protocol as p
from server import audit, identity, impact
from server.api.deps import HubDep, PrincipalDep, require
from server.api.routes import ERRORS
from server.errors import invalid
from server.policy import Action, Scope, scope_of

router = APIRouter(prefix=p.API_PREFIX, responses=ERRORS)

Format = Annotated[str, Query(pattern="^(csv|json)$")]


@router.post(
    "/impact/demographics",
    tags=["impact"],
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def import_demographics(
    request: Request,
    hub: HubDep,
    who: PrincipalDep,
    format: Format = "csv",
    org_unit_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Self-reported sex and race/ethnicity per candidate (columns candidate_id, sex,
    race_ethnicity; empty = not reported, "declined" allowed). Stored apart from everything
    scorers see; an empty file imports nothing."""
    unit = org_unit_id or who.org_unit_id
    require(who, Action.MANAGE_DEMOGRAPHICS, unit)
    data = await request.body()
    if len(data) > impact.MAX_IMPORT_BYTES:
        raise invalid("A demographics file may be at most 16 MiB.")

    def run(s: Any) -> dict[str, Any]:
        identity.org_unit_in_org(s, who.org_id, unit)
        out = impact.import_demographics(s, who, format, data, unit)
        audit.record(s, who, audit.AuditAction.DEMOGRAPHICS_IMPORT, "org_unit", unit, out)
        return out

    return await hub.run(run)


@router.get(
    "/impact/report",
    tags=["impact"],
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def impact_report(
    hub: HubDep,
    who: PrincipalDep,
    org_unit_id: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
    score: Annotated[str, Query(pattern="^(ai|ratings|round1)$")] = "ai",
    selected: Annotated[
        str, Query(max_length=500, description="comma-separated statuses that count as selected")
    ] = ",".join(impact.DEFAULT_SELECTED),
    min_group: Annotated[int, Query(ge=1, le=100_000)] = 30,
    min_share: Annotated[float, Query(ge=0.0, le=0.5)] = 0.02,
    format: Format = "json",
) -> Response:
    unit = org_unit_id or (
        None if scope_of(who.role, Action.VIEW_IMPACT) is Scope.ORG else who.org_unit_id
    )
    require(who, Action.VIEW_IMPACT, unit)

    def run(s: Any) -> dict[str, Any]:
        if unit is not None:
            identity.org_unit_in_org(s, who.org_id, unit)
        return impact.build_report(
            s,
            who,
            unit,
            job_id=job_id,
            score_source=score,
            selected_statuses=selected.split(","),
            min_n=min_group,
            min_share=min_share,
        )

    report = await hub.run(run)
    view = audit.AuditAction.IMPACT_EXPORT if format == "csv" else audit.AuditAction.VIEW_IMPACT
    detail = {"unit": unit, "job": job_id, "score": score, "format": format}
    await hub.run(lambda s: audit.record(s, who, view, "org_unit", unit, detail))
    if format == "csv":
        return Response(
            content=impact.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="adverse-impact.csv"'},
        )
    return Response(
        content=json.dumps(report, ensure_ascii=False, indent=1),
        media_type="application/json",
    )
