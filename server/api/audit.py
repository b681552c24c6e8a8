"""Routes of the hub audit log (#11): the organisation's log (paged, filtered), its verifier and
its export. Admins only (`read_audit`). Thin: parse, check the policy table, call `server.audit`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.sync import protocol as p
from server import audit
from server.api.deps import HubDep, PrincipalDep, require
from server.api.routes import ERRORS
from server.policy import Action

router = APIRouter(prefix=p.API_PREFIX, responses=ERRORS, tags=["audit"])

ActionQuery = Annotated[
    str | None, Query(pattern="^[a-z_]{1,48}$", description="only this action (e.g. login)")
]
ActorQuery = Annotated[uuid.UUID | None, Query(description="only what this user did")]
SinceQuery = Annotated[dt.datetime | None, Query(description="from this time (UTC if no zone)")]
UntilQuery = Annotated[dt.datetime | None, Query(description="before this time (UTC if no zone)")]

MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get("/audit", response_model=audit.AuditPage)
async def audit_log(
    hub: HubDep,
    who: PrincipalDep,
    action: ActionQuery = None,
    actor_id: ActorQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    cursor: Annotated[
        int | None, Query(ge=0, le=2**62, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    order: Annotated[str, Query(pattern="^(newest|oldest)$")] = "newest",
) -> audit.AuditPage:
    """The caller's organisation's audit log, one page at a time."""
    require(who, Action.READ_AUDIT)
    f = audit.Filters(action, actor_id, since, until)
    return await hub.run(
        lambda s: audit.page(s, who.org_id, f, cursor, limit, newest_first=order == "newest")
    )


@router.get("/audit/verify", response_model=audit.Verification)
async def audit_verify(hub: HubDep, who: PrincipalDep) -> audit.Verification:
    """Recompute the organisation's hash chain; `broken` names every seq that does not hold."""
    require(who, Action.READ_AUDIT)
    return await hub.run(lambda s: audit.verify(s, who.org_id))


@router.get(
    "/audit/export",
    response_class=Response,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
async def audit_export(
    hub: HubDep,
    who: PrincipalDep,
    format: Annotated[str, Query(pattern="^(jsonl|csv)$")] = "jsonl",
    action: ActionQuery = None,
    actor_id: ActorQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> Response:
    """The (filtered) log, oldest first, with each row's prev_hash and hash."""
    require(who, Action.READ_AUDIT)
    f = audit.Filters(action, actor_id, since, until)

    def run(s: Any) -> bytes:
        data, n = audit.export(s, who.org_id, f, format)
        audit.record(s, who, audit.AuditAction.AUDIT_EXPORT, detail={"format": format, "rows": n})
        return data

    return Response(
        content=await hub.run(run),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="audit.{format}"'},
    )
