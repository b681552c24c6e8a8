"""Routes of hub automation: HR publishes interviewers' slots, reads a candidate's
notifications log; plus the candidate's self-scheduling pages (server/web/scheduling.py)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import col, select

from app.sync import protocol as p
from server import identity
from server.api.deps import HubDep, PrincipalDep, require
from server.errors import invalid
from server.policy import Action, Scope, scope_of
from server.tables import Notification, Slot
from server.web.scheduling import router as pages

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class SlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interviewer_id: uuid.UUID
    job_id: uuid.UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64)
    location: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _sane(self) -> SlotIn:
        for t in (self.starts_at, self.ends_at):
            if not EARLIEST <= t <= LATEST:
                raise ValueError("times must lie between 2000 and 2100")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.ends_at - self.starts_at > dt.timedelta(hours=12):
            raise ValueError("a slot may last at most 12 hours")
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone '{self.timezone}'") from exc
        return self


class SlotBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slots: list[SlotIn] = Field(default_factory=list, max_length=500)


class SlotOut(BaseModel):
    id: uuid.UUID
    interviewer_id: uuid.UUID
    job_id: uuid.UUID
    starts_at: dt.datetime
    ends_at: dt.datetime
    timezone: str
    location: str


class NotificationOut(BaseModel):
    id: uuid.UUID
    candidate_id: uuid.UUID | None
    kind: str
    recipient: str
    subject: str
    message_id: str
    result: str
    detail: str
    created_at: dt.datetime


router = APIRouter()
api = APIRouter(prefix=f"{p.API_PREFIX}/automation", tags=["automation"])


@api.post("/slots", response_model=list[SlotOut], status_code=201)
async def create_slots(
    hub: HubDep, who: PrincipalDep, body: SlotBatch | None = None
) -> list[SlotOut]:
    """Publish interviewers' available times for a job; candidates pick from them."""
    require(who, Action.SCHEDULE)
    wanted = body.slots if body is not None else []

    def run(s: Any) -> list[SlotOut]:
        out = []
        for x in wanted:
            user = identity.user_in_org(s, who.org_id, x.interviewer_id)
            require(who, Action.SCHEDULE, user.org_unit_id)
            if not user.active:
                raise invalid(f"The interviewer {user.email} is not active.")
            slot = Slot(
                org_id=who.org_id,
                job_ref=x.job_id,
                interviewer_id=user.id,
                starts_at=x.starts_at,
                ends_at=x.ends_at,
                timezone=x.timezone,
                location=x.location,
            )
            s.add(slot)
            out.append(
                SlotOut(
                    id=slot.id,
                    interviewer_id=user.id,
                    job_id=x.job_id,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    timezone=slot.timezone,
                    location=slot.location,
                )
            )
        return out

    return await hub.run(run)


@api.get("/notifications", response_model=list[NotificationOut])
async def notifications(
    hub: HubDep,
    who: PrincipalDep,
    candidate_id: uuid.UUID | None = None,
    org_unit_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[NotificationOut]:
    """The notifications log: what was sent to whom, when, and what the SMTP server said."""
    unit = org_unit_id or (
        None if scope_of(who.role, Action.READ_NOTIFICATIONS) is Scope.ORG else who.org_unit_id
    )
    require(who, Action.READ_NOTIFICATIONS, unit)

    def run(s: Any) -> list[NotificationOut]:
        if unit is not None:
            identity.org_unit_in_org(s, who.org_id, unit)
        q = select(Notification).where(Notification.org_id == who.org_id)
        if unit is not None:
            q = q.where(Notification.org_unit_id == unit)
        if candidate_id is not None:
            q = q.where(Notification.candidate_ref == candidate_id)
        rows = s.exec(q.order_by(col(Notification.created_at)).limit(limit)).all()
        return [
            NotificationOut(
                id=n.id,
                candidate_id=n.candidate_ref,
                kind=n.kind,
                recipient=n.recipient,
                subject=n.subject,
                message_id=n.message_id,
                result=n.result,
                detail=n.detail,
                created_at=n.created_at,
            )
            for n in rows
        ]

    return await hub.run(run)


router.include_router(api)
router.include_router(pages)
