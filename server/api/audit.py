"""Routes of the hub audit log (#11): the organisation's log (paged, filtered), its verifier and
its export. Admins only (`read_audit`). Thin: parse, check the policy table, call `server.audit`.
Laptop audit logs: every laptop pushes its own log at sync (`POST /sync/audit`, any device);
admins see them per device (`/audit/devices`) and export them (`/audit/export?scope=devices`)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.sync import protocol as p
from server import audit, device_audit
from server.api.deps import HubDep, PrincipalDep, ProtocolDep, require
from server.api.routes import ERRORS
from server.policy import Action

router = APIRouter(prefix=p.API_PREFIX, responses=ERRORS, tags=["audit"])

ActionQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z0-9_.\-]{1,48}$",
        description="only this action (e.g. login; laptop logs: e.g. delete-candidate)",
    ),
]
ActorQuery = Annotated[uuid.UUID | None, Query(description="only what this user did")]
SinceQuery = Annotated[dt.datetime | None, Query(description="from this time (UTC if no zone)")]
UntilQuery = Annotated[dt.datetime | None, Query(description="before this time (UTC if no zone)")]

MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


# Laptop audit logs (#11): the sync side is open to every enrolled device (`sync`).
@router.post("/sync/audit", response_model=p.AuditPushResult, tags=["sync"])
async def push_audit(
    hub: HubDep, who: PrincipalDep, _v: ProtocolDep, body: p.AuditPush
) -> p.AuditPushResult:
    """A page of the calling laptop's audit log, oldest first: stored whole or refused whole
    (422 naming the device and seq whose hash or link does not hold, or the first missing seq;
    409 when a row the hub holds differs). Answers the highest seq held without a gap."""
    require(who, Action.SYNC)
    return await hub.run(lambda s: device_audit.receive(s, who, body.rows))


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
    scope: Annotated[
        str,
        Query(
            pattern="^(hub|devices)$",
            description="hub: the hub's own log; devices: the logs the laptops pushed "
            "(by device, then seq; actor_id = the device's user)",
        ),
    ] = "hub",
    device_id: Annotated[
        uuid.UUID | None, Query(description="scope=devices: only this device's log")
    ] = None,
) -> Response:
    """The (filtered) log, oldest first, with each row's prev_hash and hash. One chain per
    file: the hub's own log (default), or the laptops' logs (`scope=devices`)."""
    require(who, Action.READ_AUDIT)
    f = audit.Filters(action, actor_id, since, until)

    def run(s: Any) -> bytes:
        if scope == "devices":
            data, n = device_audit.export(s, who.org_id, f, format, device_id)
        else:
            data, n = audit.export(s, who.org_id, f, format)
        detail: dict[str, Any] = {"format": format, "rows": n}
        if scope != "hub":
            detail["scope"] = scope
        audit.record(s, who, audit.AuditAction.AUDIT_EXPORT, detail=detail)
        return data

    name = "audit" if scope == "hub" else "device-audit"
    return Response(
        content=await hub.run(run),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )


@router.get("/audit/devices", response_model=list[device_audit.DeviceAuditSummary])
async def audit_devices(hub: HubDep, who: PrincipalDep) -> list[device_audit.DeviceAuditSummary]:
    """Every laptop of the organisation that sent its audit log: rows, last seq, when the hub
    last received some, and whether the stored chain verifies (`broken` names the seqs)."""
    require(who, Action.READ_AUDIT)
    return await hub.run(lambda s: device_audit.devices(s, who.org_id))
