"""The hub's routes. Thin: parse, check the policy table, call a repository function."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from app.sync import protocol as p
from server import audit, exchange, identity, legacy_import, media, records
from server.api.deps import HubDep, PrincipalDep, ProtocolDep, require
from server.errors import HubError, invalid
from server.policy import Action, Scope, scope_of
from server.tables import utcnow

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": p.ErrorResponse} for code in (400, 401, 403, 404, 409, 422, 426)
}

router = APIRouter(prefix=p.API_PREFIX, responses=ERRORS)

# Uploads whose body is the file itself (media chunks, exchange and legacy files).
_BINARY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}

SHA256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the file")]


@router.get("/health", response_model=p.Health, tags=["meta"])
async def health() -> p.Health:
    return p.Health(protocol_versions=list(p.SUPPORTED_VERSIONS), server_time=utcnow())


# --- auth --------------------------------------------------------------------------------------


@router.post("/auth/login", response_model=p.TokenPair, tags=["auth"])
async def login(hub: HubDep, body: p.LoginRequest) -> p.TokenPair:
    try:
        return await hub.run(lambda s: identity.login(s, hub.settings, body.email, body.password))
    except HubError:  # audited in its own transaction: the failed one rolled back
        await hub.run(lambda s: audit.login_failed(s, body.email, "api"))
        raise


@router.post("/auth/refresh", response_model=p.TokenPair, tags=["auth"])
async def refresh(hub: HubDep, body: p.RefreshRequest) -> p.TokenPair:
    return await hub.run(lambda s: identity.refresh(s, hub.settings, body.refresh_token))


@router.post("/devices/enrol", response_model=p.EnrolResponse, tags=["auth"])
async def enrol(hub: HubDep, body: p.EnrolRequest) -> p.EnrolResponse:
    return await hub.run(lambda s: identity.enrol(s, hub.settings, body))


# --- sync --------------------------------------------------------------------------------------


@router.post("/sync/push", response_model=p.PushResponse, tags=["sync"])
async def push(
    hub: HubDep, who: PrincipalDep, _v: ProtocolDep, body: p.PushRequest
) -> p.PushResponse:
    require(who, Action.SYNC)
    return await hub.run(lambda s: records.push(s, who, body.ops))


@router.get("/sync/pull", response_model=p.PullResponse, tags=["sync"])
async def pull(
    hub: HubDep,
    who: PrincipalDep,
    _v: ProtocolDep,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=p.MAX_PULL_LIMIT)] = 500,
) -> p.PullResponse:
    require(who, Action.SYNC)
    return await hub.run(lambda s: records.pull(s, who, since, limit))


@router.post("/sync/sanity", response_model=p.SanityResponse, tags=["sync"])
async def sanity(
    hub: HubDep, who: PrincipalDep, _v: ProtocolDep, body: p.SanityRequest
) -> p.SanityResponse:
    require(who, Action.SYNC)
    return await hub.run(lambda s: records.sanity(s, who, body))


# --- media -------------------------------------------------------------------------------------


@router.get("/media/{sha256}", response_model=p.MediaStatus, tags=["media"])
async def media_status(hub: HubDep, who: PrincipalDep, sha256: SHA256) -> p.MediaStatus:
    require(who, Action.MEDIA)
    return await hub.run(lambda s: media.status(s, who, sha256))


@router.put(
    "/media/{sha256}",
    response_model=p.MediaStatus,
    tags=["media"],
    openapi_extra=_BINARY_BODY,
)
async def media_chunk(
    request: Request,
    hub: HubDep,
    who: PrincipalDep,
    sha256: SHA256,
    offset: Annotated[int, Query(ge=0, le=media.MAX_MEDIA_BYTES)],
    total: Annotated[int, Query(ge=1, le=media.MAX_MEDIA_BYTES)],
) -> p.MediaStatus:
    require(who, Action.MEDIA)
    data = await request.body()
    if len(data) > 8 * p.MEDIA_CHUNK_BYTES:
        raise invalid(f"A chunk may be at most {8 * p.MEDIA_CHUNK_BYTES} bytes.")
    media_dir = hub.settings.media_dir()
    status, error = await hub.run(
        lambda s: media.put_chunk(s, who, media_dir, sha256, offset, total, data)
    )
    if error is not None:
        raise invalid(error)
    return status


# --- administration ----------------------------------------------------------------------------


@router.get("/admin/org-units", response_model=list[p.OrgUnitOut], tags=["admin"])
async def list_org_units(hub: HubDep, who: PrincipalDep) -> list[p.OrgUnitOut]:
    require(who, Action.READ_ORG_UNITS)
    units = await hub.run(lambda s: identity.list_org_units(s, who.org_id))
    if scope_of(who.role, Action.READ_ORG_UNITS) is not Scope.ORG:
        units = [u for u in units if u.id == who.org_unit_id]
    return [p.OrgUnitOut(id=u.id, name=u.name) for u in units]


@router.post("/admin/org-units", response_model=p.OrgUnitOut, status_code=201, tags=["admin"])
async def create_org_unit(hub: HubDep, who: PrincipalDep, body: p.OrgUnitCreate) -> p.OrgUnitOut:
    require(who, Action.MANAGE_ORG_UNITS)
    u = await hub.run(lambda s: identity.create_org_unit(s, who.org_id, body.name))
    return p.OrgUnitOut(id=u.id, name=u.name)


@router.get("/admin/users", response_model=list[p.UserOut], tags=["admin"])
async def list_users(
    hub: HubDep, who: PrincipalDep, org_unit_id: uuid.UUID | None = None
) -> list[p.UserOut]:
    unit = org_unit_id or who.org_unit_id
    require(who, Action.READ_USERS, unit)

    def run(s: Any) -> list[p.UserOut]:
        identity.org_unit_in_org(s, who.org_id, unit)
        return [identity.user_out(u) for u in identity.list_users(s, who.org_id, unit)]

    return await hub.run(run)


@router.post("/admin/users", response_model=p.UserOut, status_code=201, tags=["admin"])
async def create_user(hub: HubDep, who: PrincipalDep, body: p.UserCreate) -> p.UserOut:
    require(who, Action.MANAGE_USERS, body.org_unit_id)

    def run(s: Any) -> p.UserOut:
        user = identity.create_user(s, who.org_id, body)
        audit.record(s, who, audit.AuditAction.USER_CREATE, "user", user.id, {"role": user.role})
        return identity.user_out(user)

    return await hub.run(run)


@router.post(
    "/admin/enrolment-codes", response_model=p.EnrolmentCodeOut, status_code=201, tags=["admin"]
)
async def issue_enrolment_code(
    hub: HubDep, who: PrincipalDep, body: p.EnrolmentCodeRequest
) -> p.EnrolmentCodeOut:
    require(who, Action.ISSUE_ENROLMENT)

    def run(s: Any) -> p.EnrolmentCodeOut:
        user = identity.user_in_org(s, who.org_id, body.user_id)
        require(who, Action.ISSUE_ENROLMENT, user.org_unit_id)
        audit.record(s, who, audit.AuditAction.ENROLMENT_CODE_ISSUE, "user", user.id)
        return identity.issue_enrolment_code(s, who, user, body.valid_hours)

    return await hub.run(run)


@router.get("/admin/devices", response_model=list[p.DeviceOut], tags=["admin"])
async def list_devices(
    hub: HubDep, who: PrincipalDep, org_unit_id: uuid.UUID | None = None
) -> list[p.DeviceOut]:
    unit = org_unit_id or who.org_unit_id
    require(who, Action.MANAGE_DEVICES, unit)
    return await hub.run(lambda s: identity.list_devices(s, who.org_id, unit))


@router.post("/admin/devices/{device_id}/revoke", response_model=p.DeviceOut, tags=["admin"])
async def revoke_device(hub: HubDep, who: PrincipalDep, device_id: uuid.UUID) -> p.DeviceOut:
    require(who, Action.MANAGE_DEVICES)

    def run(s: Any) -> p.DeviceOut:
        device, owner = identity.device_with_owner(s, who.org_id, device_id)
        require(who, Action.MANAGE_DEVICES, owner.org_unit_id)
        identity.revoke_device(s, device)
        audit.record(
            s, who, audit.AuditAction.DEVICE_REVOKE, "device", device.id, {"user": owner.id}
        )
        return p.DeviceOut(id=device.id, user_id=device.user_id, name=device.name, revoked=True)

    return await hub.run(run)


@router.post("/admin/assignments", response_model=p.AssignmentOut, status_code=201, tags=["admin"])
async def create_assignment(
    hub: HubDep, who: PrincipalDep, body: p.AssignmentCreate
) -> p.AssignmentOut:
    require(who, Action.ASSIGN)

    def run(s: Any) -> p.AssignmentOut:
        user = identity.user_in_org(s, who.org_id, body.user_id)
        require(who, Action.ASSIGN, user.org_unit_id)
        a = identity.create_assignment(s, user, body)
        records.restamp_assigned(s, a.candidate_id, a.job_id, a.session_id)
        audit.record(
            s, who, audit.AuditAction.ASSIGNMENT_CREATE, "assignment", a.id, body.model_dump()
        )
        return p.AssignmentOut(
            id=a.id,
            user_id=a.user_id,
            candidate_id=a.candidate_id,
            job_id=a.job_id,
            session_id=a.session_id,
        )

    return await hub.run(run)


# --- exchange with an HRIS ---------------------------------------------------------------------


@router.post(
    "/migrate/candidates",
    tags=["exchange"],
    openapi_extra=_BINARY_BODY,
)
async def import_legacy_candidates(
    request: Request,
    hub: HubDep,
    who: PrincipalDep,
    filename: Annotated[str, Query(min_length=1, max_length=200)],
    org_unit_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A legacy candidates file (.xlsx/.xls/.csv/.tsv/.json, header anywhere, Chinese or
    English headers): cleaned and de-duplicated as `roundtwo import` does on a laptop, against
    the candidates the hub holds. Answers with the import report."""
    unit = org_unit_id or who.org_unit_id
    require(who, Action.IMPORT, unit)
    data = await request.body()
    legacy_import.check_upload(filename, len(data))

    def load(s: Any) -> legacy_import.Stored:
        identity.org_unit_in_org(s, who.org_id, unit)
        return legacy_import.load_stored(s, who)

    stored = await hub.run(load)
    # Cleaning and matching need no database: off the database threads, in a thread of its
    # own that ends with the request (the loop's default executor would keep its threads).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-import") as pool:
        planned = await asyncio.get_running_loop().run_in_executor(
            pool, legacy_import.plan_file, filename, data, stored
        )

    def run(s: Any) -> dict[str, Any]:
        result = legacy_import.write_plan(s, who, unit, planned, stored)
        c = result["counts"]
        audit.record(
            s,
            who,
            audit.AuditAction.IMPORT,
            "org_unit",
            unit,
            {
                "dataset": "legacy-candidates",
                "file_sha256": result["sha256"],
                "read": c.get("read", 0),
                "rejected": c.get("rejected", 0),
                **result["hub"],
            },
        )
        return result

    return await hub.run(run)


Dataset = Annotated[str, Path(pattern="^(jobs|candidates|round1|final)$")]
Format = Annotated[str, Query(pattern="^(csv|json|xlsx)$")]


@router.get(
    "/exchange/{dataset}",
    tags=["exchange"],
    response_class=Response,
    responses={200: {"content": {t: {} for t in exchange.MEDIA_TYPES.values()}}},
)
async def export_dataset(
    hub: HubDep,
    who: PrincipalDep,
    dataset: Dataset,
    format: Format = "json",
    org_unit_id: uuid.UUID | None = None,
) -> Response:
    unit = org_unit_id or (
        None if scope_of(who.role, Action.EXPORT) is Scope.ORG else who.org_unit_id
    )
    require(who, Action.EXPORT, unit)
    data = await hub.run(lambda s: exchange.export(s, who, dataset, format, unit))
    detail = {"dataset": dataset, "format": format, "bytes": len(data)}
    await hub.run(
        lambda s: audit.record(s, who, audit.AuditAction.EXPORT, "org_unit", unit, detail)
    )
    return Response(
        content=data,
        media_type=exchange.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{dataset}.{format}"'},
    )


@router.post(
    "/exchange/{dataset}",
    response_model=p.ImportResult,
    tags=["exchange"],
    openapi_extra=_BINARY_BODY,
)
async def import_dataset(
    request: Request,
    hub: HubDep,
    who: PrincipalDep,
    dataset: Dataset,
    format: Format = "json",
    org_unit_id: uuid.UUID | None = None,
) -> p.ImportResult:
    unit = org_unit_id or who.org_unit_id
    require(who, Action.IMPORT, unit)
    data = await request.body()
    if len(data) > 64 * 1024 * 1024:
        raise invalid("An import file may be at most 64 MiB.")

    def run(s: Any) -> p.ImportResult:
        identity.org_unit_in_org(s, who.org_id, unit)
        result = exchange.import_rows(s, who, dataset, format, data, unit)
        if result.errors:
            raise HubError(422, p.ErrorCode.INVALID, "; ".join(result.errors))
        counts = {"created": result.created, "updated": result.updated, "format": format}
        audit.record(
            s, who, audit.AuditAction.IMPORT, "org_unit", unit, {"dataset": dataset, **counts}
        )
        return result

    return await hub.run(run)
