"""Who may do what: ONE table of action x role -> scope. Routes ask `allowed()`; the
permission-matrix test is generated from `POLICY` and `ENDPOINTS`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.core.domain import Role


class Action(StrEnum):
    SYNC = "sync"
    MEDIA = "media"
    MANAGE_ORG_UNITS = "manage_org_units"
    READ_ORG_UNITS = "read_org_units"
    MANAGE_USERS = "manage_users"
    READ_USERS = "read_users"
    ISSUE_ENROLMENT = "issue_enrolment"
    MANAGE_DEVICES = "manage_devices"
    ASSIGN = "assign"
    EXPORT = "export"
    IMPORT = "import"
    SCHEDULE = "schedule"  # automation (#8): publish interviewers' slots
    READ_NOTIFICATIONS = "read_notifications"  # automation (#8): the notifications log
    ERASE_CANDIDATE = "erase_candidate"  # privacy (#11): deletion requests
    READ_DELETIONS = "read_deletions"
    SET_COMPLIANCE = "set_compliance"
    VIEW_DASHBOARD = "view_dashboard"  # the HR web dashboard (server/web/dashboard.py)
    # adverse impact (#11): demographic data is for HR/admin only, never for scorers
    MANAGE_DEMOGRAPHICS = "manage_demographics"
    VIEW_IMPACT = "view_impact"
    READ_AUDIT = "read_audit"  # hub audit log (#11): admins only


class Scope(StrEnum):
    ORG = "org"  # every org unit of the caller's organisation
    UNIT = "unit"  # the caller's own org unit
    ASSIGNED = "assigned"  # own unit, and only what the caller wrote or was assigned


A, H, M, INTERVIEWER = Role.ADMIN, Role.HR, Role.HIRING_MANAGER, Role.INTERVIEWER

POLICY: dict[Action, dict[Role, Scope]] = {
    Action.SYNC: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT, INTERVIEWER: Scope.ASSIGNED},
    Action.MEDIA: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT, INTERVIEWER: Scope.ASSIGNED},
    Action.MANAGE_ORG_UNITS: {A: Scope.ORG},
    Action.READ_ORG_UNITS: {A: Scope.ORG, H: Scope.ORG, M: Scope.UNIT},
    Action.MANAGE_USERS: {A: Scope.ORG, H: Scope.UNIT},
    Action.READ_USERS: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.ISSUE_ENROLMENT: {A: Scope.ORG, H: Scope.UNIT},
    Action.MANAGE_DEVICES: {A: Scope.ORG, H: Scope.UNIT},
    Action.ASSIGN: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.EXPORT: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.IMPORT: {A: Scope.ORG, H: Scope.UNIT},
    Action.SCHEDULE: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.READ_NOTIFICATIONS: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.ERASE_CANDIDATE: {A: Scope.ORG, H: Scope.UNIT},
    Action.READ_DELETIONS: {A: Scope.ORG, H: Scope.UNIT},
    Action.SET_COMPLIANCE: {A: Scope.ORG},
    Action.VIEW_DASHBOARD: {A: Scope.ORG, H: Scope.UNIT, M: Scope.UNIT},
    Action.MANAGE_DEMOGRAPHICS: {A: Scope.ORG, H: Scope.UNIT},
    Action.VIEW_IMPACT: {A: Scope.ORG, H: Scope.UNIT},
    Action.READ_AUDIT: {A: Scope.ORG},
}


def scope_of(role: Role, action: Action) -> Scope | None:
    return POLICY[action].get(role)


def allowed(role: Role, action: Action, caller_unit: uuid.UUID, target_unit: uuid.UUID) -> bool:
    """Whether `role` in `caller_unit` may do `action` on something in `target_unit` (both
    units already known to be in the caller's organisation)."""
    scope = scope_of(role, action)
    if scope is None:
        return False
    if scope is Scope.ORG:
        return True
    return caller_unit == target_unit


@dataclass(frozen=True)
class Endpoint:
    """One authorised route: its action, and whether it acts on a target org unit
    (named by the `org_unit_id` query parameter or the object it touches)."""

    method: str
    path: str
    action: Action
    targets_unit: bool


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/sync/push", Action.SYNC, False),
    Endpoint("GET", "/api/v1/sync/pull", Action.SYNC, False),
    Endpoint("POST", "/api/v1/sync/sanity", Action.SYNC, False),
    Endpoint("GET", "/api/v1/media/{sha256}", Action.MEDIA, False),
    Endpoint("PUT", "/api/v1/media/{sha256}", Action.MEDIA, False),
    Endpoint("GET", "/api/v1/admin/org-units", Action.READ_ORG_UNITS, False),
    Endpoint("POST", "/api/v1/admin/org-units", Action.MANAGE_ORG_UNITS, False),
    Endpoint("GET", "/api/v1/admin/users", Action.READ_USERS, True),
    Endpoint("POST", "/api/v1/admin/users", Action.MANAGE_USERS, True),
    Endpoint("POST", "/api/v1/admin/enrolment-codes", Action.ISSUE_ENROLMENT, True),
    Endpoint("GET", "/api/v1/admin/devices", Action.MANAGE_DEVICES, True),
    Endpoint("POST", "/api/v1/admin/devices/{device_id}/revoke", Action.MANAGE_DEVICES, True),
    Endpoint("POST", "/api/v1/admin/assignments", Action.ASSIGN, True),
    Endpoint("GET", "/api/v1/exchange/{dataset}", Action.EXPORT, True),
    Endpoint("POST", "/api/v1/exchange/{dataset}", Action.IMPORT, True),
    Endpoint("POST", "/api/v1/migrate/candidates", Action.IMPORT, True),
    # automation (#8): slots for self-scheduling, the notifications log
    Endpoint("POST", "/api/v1/automation/slots", Action.SCHEDULE, False),
    Endpoint("GET", "/api/v1/automation/notifications", Action.READ_NOTIFICATIONS, True),
    # privacy (#11): erasure on the hub, its reports, the organisation's compliance profile
    Endpoint("POST", "/api/v1/privacy/deletions", Action.ERASE_CANDIDATE, True),
    Endpoint("GET", "/api/v1/privacy/deletions", Action.READ_DELETIONS, True),
    Endpoint("POST", "/api/v1/privacy/acks", Action.SYNC, False),
    Endpoint("GET", "/api/v1/compliance/profile", Action.SYNC, False),
    Endpoint("PUT", "/api/v1/admin/compliance-profile", Action.SET_COMPLIANCE, False),
    # HTML pages and exports of the web dashboard: a session cookie or a bearer token.
    Endpoint("GET", "/web/dashboard", Action.VIEW_DASHBOARD, True),
    Endpoint("GET", "/web/dashboard/jobs/{job_id}", Action.VIEW_DASHBOARD, True),
    Endpoint("GET", "/web/dashboard/jobs/{job_id}/export", Action.VIEW_DASHBOARD, True),
    Endpoint("GET", "/web/dashboard/training", Action.VIEW_DASHBOARD, True),
    # adverse impact (#11): demographics import (HR/admin) and the LL144-style report
    Endpoint("POST", "/api/v1/impact/demographics", Action.MANAGE_DEMOGRAPHICS, True),
    Endpoint("GET", "/api/v1/impact/report", Action.VIEW_IMPACT, True),
    # hub audit log (#11): the organisation's hash-chained log, its verifier and export
    Endpoint("GET", "/api/v1/audit", Action.READ_AUDIT, False),
    Endpoint("GET", "/api/v1/audit/verify", Action.READ_AUDIT, False),
    Endpoint("GET", "/api/v1/audit/export", Action.READ_AUDIT, False),
    # laptop audit logs (#11): each laptop pushes its own log; admins list and verify them
    Endpoint("POST", "/api/v1/sync/audit", Action.SYNC, False),
    Endpoint("GET", "/api/v1/audit/devices", Action.READ_AUDIT, False),
)

PUBLIC_ENDPOINTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/devices/enrol"),
        # automation (#8): the candidate's self-scheduling pages (the link's token is the key)
        ("GET", "/s/{token}"),
        ("POST", "/s/{token}/book"),
        ("POST", "/s/{token}/cancel"),
        ("GET", "/web/login"),
        ("POST", "/web/login"),
        ("POST", "/web/logout"),
    }
)
