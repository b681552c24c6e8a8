"""Repository functions for identity: organisations, users, devices, tokens, assignments."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.core.domain import Role
from app.sync import protocol as p
from server import audit, security
from server.config import HubSettings
from server.errors import HubError, invalid, not_found
from server.tables import (
    Assignment,
    Device,
    EnrolmentCode,
    Organisation,
    OrgUnit,
    Token,
    User,
    utcnow,
)

ACCESS, REFRESH = "access", "refresh"


@dataclass(frozen=True)
class Principal:
    """The caller of one request."""

    user_id: uuid.UUID
    org_id: uuid.UUID
    org_unit_id: uuid.UUID
    role: Role
    device_id: uuid.UUID | None


def principal_of(user: User, device_id: uuid.UUID | None) -> Principal:
    return Principal(user.id, user.org_id, user.org_unit_id, Role(user.role), device_id)


# --- bootstrap ---------------------------------------------------------------------------------


def create_admin(
    s: Session, org_name: str, unit_name: str, email: str, name: str, password: str
) -> User:
    """Create the organisation (if new), an org unit and an admin user in it."""
    org = s.exec(select(Organisation).where(Organisation.name == org_name)).first()
    if org is None:
        org = Organisation(name=org_name)
        s.add(org)
        s.flush()
    unit = s.exec(
        select(OrgUnit).where(OrgUnit.org_id == org.id, OrgUnit.name == unit_name)
    ).first()
    if unit is None:
        unit = OrgUnit(org_id=org.id, name=unit_name)
        s.add(unit)
        s.flush()
    return create_user(
        s,
        org.id,
        p.UserCreate(
            email=email, name=name, role=Role.ADMIN, org_unit_id=unit.id, password=password
        ),
    )


def create_org_unit(s: Session, org_id: uuid.UUID, name: str) -> OrgUnit:
    exists = s.exec(select(OrgUnit).where(OrgUnit.org_id == org_id, OrgUnit.name == name)).first()
    if exists is not None:
        raise HubError(409, p.ErrorCode.CONFLICT, f"An org unit named '{name}' already exists.")
    unit = OrgUnit(org_id=org_id, name=name)
    s.add(unit)
    s.flush()
    return unit


def org_unit_in_org(s: Session, org_id: uuid.UUID, unit_id: uuid.UUID) -> OrgUnit:
    unit = s.get(OrgUnit, unit_id)
    if unit is None or unit.org_id != org_id:
        raise not_found(f"Org unit {unit_id}")
    return unit


def list_org_units(s: Session, org_id: uuid.UUID) -> list[OrgUnit]:
    return list(
        s.exec(select(OrgUnit).where(OrgUnit.org_id == org_id).order_by(col(OrgUnit.name))).all()
    )


def create_user(s: Session, org_id: uuid.UUID, data: p.UserCreate) -> User:
    org_unit_in_org(s, org_id, data.org_unit_id)
    email = data.email.strip().lower()
    if s.exec(select(User).where(User.email == email)).first() is not None:
        raise HubError(409, p.ErrorCode.CONFLICT, f"A user with e-mail {email} already exists.")
    user = User(
        org_id=org_id,
        org_unit_id=data.org_unit_id,
        email=email,
        name=data.name,
        role=data.role.value,
        password_hash=security.hash_password(data.password),
    )
    s.add(user)
    s.flush()
    return user


def user_in_org(s: Session, org_id: uuid.UUID, user_id: uuid.UUID) -> User:
    user = s.get(User, user_id)
    if user is None or user.org_id != org_id:
        raise not_found(f"User {user_id}")
    return user


def list_users(s: Session, org_id: uuid.UUID, unit_id: uuid.UUID | None) -> list[User]:
    q = select(User).where(User.org_id == org_id)
    if unit_id is not None:
        q = q.where(User.org_unit_id == unit_id)
    return list(s.exec(q.order_by(col(User.email))).all())


def user_out(u: User) -> p.UserOut:
    return p.UserOut(
        id=u.id,
        email=u.email,
        name=u.name,
        role=Role(u.role),
        org_unit_id=u.org_unit_id,
        active=u.active,
    )


# --- tokens ------------------------------------------------------------------------------------


def issue_tokens(
    s: Session, settings: HubSettings, user_id: uuid.UUID, device_id: uuid.UUID | None
) -> p.TokenPair:
    now = utcnow()
    access, refresh = security.new_token(), security.new_token()
    a_exp = now + dt.timedelta(minutes=settings.access_token_minutes)
    r_exp = now + dt.timedelta(days=settings.refresh_token_days)
    s.add(
        Token(
            token_hash=security.token_digest(access),
            kind=ACCESS,
            user_id=user_id,
            device_id=device_id,
            expires_at=a_exp,
        )
    )
    s.add(
        Token(
            token_hash=security.token_digest(refresh),
            kind=REFRESH,
            user_id=user_id,
            device_id=device_id,
            expires_at=r_exp,
        )
    )
    s.flush()
    return p.TokenPair(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=a_exp,
        refresh_expires_at=r_exp,
    )


def login(s: Session, settings: HubSettings, email: str, password: str) -> p.TokenPair:
    user = s.exec(select(User).where(User.email == email.strip().lower())).first()
    if (
        user is None
        or not user.active
        or not security.verify_password(user.password_hash, password)
    ):
        raise HubError(401, p.ErrorCode.LOGIN_FAILED, "The e-mail or password is wrong.")
    audit.record(
        s, principal_of(user, None), audit.AuditAction.LOGIN, "user", user.id, {"via": "api"}
    )
    return issue_tokens(s, settings, user.id, None)


def _check_device(s: Session, device_id: uuid.UUID | None) -> None:
    if device_id is None:
        return
    device = s.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        raise HubError(
            401,
            p.ErrorCode.DEVICE_REVOKED,
            "This device's access to the hub was revoked; enrol it again with a new code.",
        )


def authenticate(s: Session, token: str) -> Principal:
    row = s.get(Token, security.token_digest(token))
    if row is not None:
        _check_device(s, row.device_id)  # first: "revoked" is the message a person needs
    if row is None or row.kind != ACCESS or row.revoked_at is not None:
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "The access token is not valid.")
    if row.expires_at <= utcnow():
        raise HubError(401, p.ErrorCode.TOKEN_EXPIRED, "The access token has expired; refresh it.")
    user = s.get(User, row.user_id)
    if user is None or not user.active:
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "The user of this token is disabled.")
    return principal_of(user, row.device_id)


def refresh(s: Session, settings: HubSettings, refresh_token: str) -> p.TokenPair:
    row = s.get(Token, security.token_digest(refresh_token))
    if row is not None:
        _check_device(s, row.device_id)
    if row is None or row.kind != REFRESH or row.revoked_at is not None:
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "The refresh token is not valid.")
    if row.expires_at <= utcnow():
        raise HubError(
            401, p.ErrorCode.TOKEN_EXPIRED, "The refresh token has expired; log in or enrol again."
        )
    user = s.get(User, row.user_id)
    if user is None or not user.active:
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "The user of this token is disabled.")
    # The refresh token is kept (not rotated): a laptop killed between the hub's answer and
    # saving it would otherwise lock itself out. Revoking the device ends it.
    now = utcnow()
    access = security.new_token()
    a_exp = now + dt.timedelta(minutes=settings.access_token_minutes)
    s.add(
        Token(
            token_hash=security.token_digest(access),
            kind=ACCESS,
            user_id=user.id,
            device_id=row.device_id,
            expires_at=a_exp,
        )
    )
    s.flush()
    return p.TokenPair(
        access_token=access,
        refresh_token=refresh_token,
        access_expires_at=a_exp,
        refresh_expires_at=row.expires_at,
    )


# --- devices -----------------------------------------------------------------------------------


def issue_enrolment_code(
    s: Session, issuer: Principal, user: User, valid_hours: float
) -> p.EnrolmentCodeOut:
    code = security.new_enrolment_code()
    expires = utcnow() + dt.timedelta(hours=valid_hours)
    s.add(
        EnrolmentCode(
            code_hash=security.token_digest(security.normalise_code(code)),
            user_id=user.id,
            created_by=issuer.user_id,
            expires_at=expires,
        )
    )
    s.flush()
    return p.EnrolmentCodeOut(code=code, user_id=user.id, expires_at=expires)


def enrol(s: Session, settings: HubSettings, req: p.EnrolRequest) -> p.EnrolResponse:
    if req.protocol_version not in p.SUPPORTED_VERSIONS:
        raise HubError(
            426,
            p.ErrorCode.PROTOCOL_MISMATCH,
            f"This hub speaks sync protocol {list(p.SUPPORTED_VERSIONS)}, "
            f"the laptop {req.protocol_version}.",
            list(p.SUPPORTED_VERSIONS),
        )
    row = s.get(EnrolmentCode, security.token_digest(security.normalise_code(req.code)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise HubError(
            400,
            p.ErrorCode.CODE_INVALID,
            "The enrolment code is wrong, expired or already used; ask for a new one.",
        )
    user = s.get(User, row.user_id)
    if user is None or not user.active:
        raise HubError(400, p.ErrorCode.CODE_INVALID, "The enrolment code's user is disabled.")
    row.used_at = utcnow()
    s.add(row)
    device = Device(user_id=user.id, name=req.device_name)
    s.add(device)
    s.flush()
    tokens = issue_tokens(s, settings, user.id, device.id)
    audit.record(
        s, principal_of(user, device.id), audit.AuditAction.DEVICE_ENROL, "device", device.id
    )
    return p.EnrolResponse(
        device_id=device.id,
        user_id=user.id,
        org_unit_id=user.org_unit_id,
        role=Role(user.role),
        tokens=tokens,
        protocol_version=p.PROTOCOL_VERSION,
    )


def device_with_owner(s: Session, org_id: uuid.UUID, device_id: uuid.UUID) -> tuple[Device, User]:
    device = s.get(Device, device_id)
    if device is None:
        raise not_found(f"Device {device_id}")
    owner = s.get(User, device.user_id)
    if owner is None or owner.org_id != org_id:
        raise not_found(f"Device {device_id}")
    return device, owner


def revoke_device(s: Session, device: Device) -> None:
    now = utcnow()
    device.revoked_at = device.revoked_at or now
    s.add(device)
    for t in s.exec(select(Token).where(Token.device_id == device.id)).all():
        t.revoked_at = t.revoked_at or now
        s.add(t)
    s.flush()


def list_devices(s: Session, org_id: uuid.UUID, unit_id: uuid.UUID | None) -> list[p.DeviceOut]:
    q = select(Device, User).where(Device.user_id == User.id, User.org_id == org_id)
    if unit_id is not None:
        q = q.where(User.org_unit_id == unit_id)
    return [
        p.DeviceOut(id=d.id, user_id=d.user_id, name=d.name, revoked=d.revoked_at is not None)
        for d, _u in s.exec(q.order_by(col(Device.created_at))).all()
    ]


# --- assignments -------------------------------------------------------------------------------


def create_assignment(s: Session, user: User, data: p.AssignmentCreate) -> Assignment:
    if Role(user.role) is not Role.INTERVIEWER:
        raise invalid(
            f"User {user.email} is not an interviewer; only interviewers get assignments."
        )
    a = Assignment(
        user_id=user.id,
        org_unit_id=user.org_unit_id,
        candidate_id=data.candidate_id,
        job_id=data.job_id,
        session_id=data.session_id,
    )
    s.add(a)
    s.flush()
    return a


def assignments_of(s: Session, user_id: uuid.UUID) -> list[Assignment]:
    return list(s.exec(select(Assignment).where(Assignment.user_id == user_id)).all())
