"""Routes of hub privacy (#11): deletion requests and reports, the organisation's compliance
profile. Thin: parse, check the policy table, call `server.privacy`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.sync import protocol as p
from server import privacy
from server.api.deps import HubDep, PrincipalDep, require
from server.api.routes import ERRORS
from server.policy import Action, Scope, scope_of

router = APIRouter(prefix=p.API_PREFIX, responses=ERRORS)


@router.post("/privacy/deletions", response_model=p.DeletionOut, status_code=201, tags=["privacy"])
async def request_deletion(
    hub: HubDep,
    who: PrincipalDep,
    body: p.DeletionRequest,
    org_unit_id: Annotated[
        uuid.UUID | None,
        Query(description="where a candidate the hub never saw gets its tombstone"),
    ] = None,
) -> p.DeletionOut:
    require(who, Action.ERASE_CANDIDATE, org_unit_id)
    return await hub.run(lambda s: privacy.request_deletion(s, who, body, org_unit_id))


@router.get("/privacy/deletions", response_model=list[p.DeletionOut], tags=["privacy"])
async def list_deletions(
    hub: HubDep,
    who: PrincipalDep,
    org_unit_id: uuid.UUID | None = None,
    candidate_id: uuid.UUID | None = None,
) -> list[p.DeletionOut]:
    unit = org_unit_id or (
        None if scope_of(who.role, Action.READ_DELETIONS) is Scope.ORG else who.org_unit_id
    )
    require(who, Action.READ_DELETIONS, unit)
    return await hub.run(lambda s: privacy.list_deletions(s, who, unit, candidate_id))


@router.post("/privacy/acks", response_model=p.ErasureAckResult, tags=["privacy"])
async def erasure_acks(hub: HubDep, who: PrincipalDep, body: p.ErasureAcks) -> p.ErasureAckResult:
    """A laptop confirms the erasures it did after pulling tombstones."""
    require(who, Action.SYNC)
    return await hub.run(lambda s: privacy.record_acks(s, who, body))


@router.get("/compliance/profile", response_model=p.OrgComplianceOut, tags=["privacy"])
async def org_profile(hub: HubDep, who: PrincipalDep) -> p.OrgComplianceOut:
    require(who, Action.SYNC)
    return await hub.run(lambda s: privacy.org_profile(s, who.org_id))


@router.put("/admin/compliance-profile", response_model=p.OrgComplianceOut, tags=["privacy"])
async def set_org_profile(
    hub: HubDep, who: PrincipalDep, body: p.ComplianceProfileSet
) -> p.OrgComplianceOut:
    require(who, Action.SET_COMPLIANCE)

    def run(s: Any) -> p.OrgComplianceOut:
        return privacy.set_org_profile(s, who, body)

    return await hub.run(run)
