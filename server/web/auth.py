"""Log-in for the hub's web pages: e-mail + password against hub users, an opaque session
token in an HttpOnly SameSite=Lax cookie (stored only as its sha256, like API tokens),
CSRF tokens for every POST, log-out, and the role check of the policy table.

The dashboard pages also accept an API bearer token (scripts fetching the CSV export); errors
then come back as the API's JSON body instead of an HTML page."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

from app.core.domain import Role
from app.sync import protocol as p
from server import audit, security
from server.api.deps import Hub, get_hub
from server.errors import HubError, forbidden
from server.identity import Principal, authenticate, principal_of
from server.policy import Action, allowed, scope_of
from server.tables import Token, User, utcnow
from server.web.pages import render

SESSION_COOKIE = "rt_session"
LOGIN_CSRF_COOKIE = "rt_login_csrf"
WEB_KIND = "web"  # Token.kind of a browser session; never accepted as a bearer token
SESSION_HOURS = 8.0

router = APIRouter(prefix="/web", tags=["web"])


@dataclass(frozen=True)
class Caller:
    """Who is calling a web page, and how they proved it."""

    who: Principal
    name: str
    email: str
    via_cookie: bool
    session_token: str | None

    @property
    def csrf(self) -> str:
        return csrf_for(self.session_token or "")


def csrf_for(session_token: str) -> str:
    """The session's CSRF token: derived from the session secret, so a page from another
    site (which cannot read the HttpOnly cookie) cannot know it."""
    return hmac.new(session_token.encode(), b"roundtwo-csrf", hashlib.sha256).hexdigest()[:40]


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def safe_next(target: str | None) -> str:
    """Only our own dashboard pages are valid targets after login (no open redirect)."""
    if target and target.startswith("/web/") and "//" not in target and "\\" not in target:
        return target
    return "/web/dashboard"


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


# --- sessions ----------------------------------------------------------------------------------


def _check_login(s: Session, email: str, password: str) -> User | None:
    user = s.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        security.verify_password(_dummy_hash(), password)  # same cost: no user enumeration
        return None
    if not user.active or not security.verify_password(user.password_hash, password):
        return None
    return user


def _dummy_hash() -> str:
    """A real argon2 hash to verify against when the e-mail is unknown (built once)."""
    global _dummy
    if _dummy is None:
        _dummy = security.hash_password(secrets.token_hex(8))
    return _dummy


_dummy: str | None = None


def _new_session(s: Session, user: User) -> str:
    token = security.new_token()
    s.add(
        Token(
            token_hash=security.token_digest(token),
            kind=WEB_KIND,
            user_id=user.id,
            device_id=None,
            expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
        )
    )
    s.flush()
    audit.record(
        s, principal_of(user, None), audit.AuditAction.LOGIN, "user", user.id, {"via": "web"}
    )
    return token


def _session_user(s: Session, token: str) -> User | None:
    row = s.get(Token, security.token_digest(token))
    if row is None or row.kind != WEB_KIND or row.revoked_at is not None:
        return None
    if row.expires_at <= utcnow():
        return None
    user = s.get(User, row.user_id)
    return user if user is not None and user.active else None


def _end_session(s: Session, token: str) -> None:
    row = s.get(Token, security.token_digest(token))
    if row is not None and row.kind == WEB_KIND and row.revoked_at is None:
        row.revoked_at = utcnow()
        s.add(row)


async def web_caller(request: Request, hub: Hub) -> Caller | None:
    """The caller from a bearer token (API clients) or the session cookie (browsers)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        bearer = header[7:].strip()

        def by_token(s: Session) -> Caller:
            who = authenticate(s, bearer)
            user = s.get(User, who.user_id)
            assert user is not None
            return Caller(who, user.name, user.email, False, None)

        return await hub.run(by_token)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if not cookie:
        return None

    def by_cookie(s: Session) -> Caller | None:
        user = _session_user(s, cookie)
        if user is None:
            return None
        return Caller(principal_of(user, None), user.name, user.email, True, cookie)

    return await hub.run(by_cookie)


async def guard(
    request: Request, hub: Hub, action: Action, unit: uuid.UUID | None
) -> Caller | Response:
    """The caller if the policy table lets them do `action` (in `unit`), else the response
    to send: a log-in redirect or a refusal page for browsers, the API's JSON for tokens."""
    caller = await web_caller(request, hub)
    if caller is None:
        if wants_html(request):
            target = quote(
                request.url.path + (f"?{request.url.query}" if request.url.query else "")
            )
            return RedirectResponse(f"/web/login?next={target}", status_code=303)
        raise HubError(401, p.ErrorCode.TOKEN_INVALID, "Log in first (no session or token).")
    who = caller.who
    ok = scope_of(who.role, action) is not None and (
        unit is None or allowed(who.role, action, who.org_unit_id, unit)
    )
    if ok:
        return caller
    if unit is not None and scope_of(who.role, action) is not None:
        message = f"The role {who.role.value} may do '{action.value}' only in its own org unit."
    else:
        message = f"The role {who.role.value} may not do '{action.value}'."
    if not caller.via_cookie:
        raise forbidden(message)
    return refused(request, caller.who.role, caller)


def refused(request: Request, role: Role, caller: Caller | None) -> Response:
    return render(request, "dashboard/refused.html", status=403, role=role.value, caller=caller)


# --- pages -------------------------------------------------------------------------------------


def _login_page(
    request: Request, error: str | None = None, status: int = 200, next_url: str = ""
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    resp = render(
        request,
        "dashboard/login.html",
        status=status,
        csrf=token,
        error=error,
        next_url=safe_next(next_url or request.query_params.get("next")),
        caller=None,
    )
    resp.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/web",
    )
    return resp


@router.get("/login", summary="The dashboard's log-in page (HTML)")
async def login_page(request: Request) -> Response:
    return _login_page(request)


@router.post("/login", summary="Log in to the dashboard with e-mail and password (form)")
async def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=500)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "",
) -> Response:
    hub = await get_hub(request)
    if not same(csrf, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_page(request, "csrf", 400, next_url)
    user = await hub.run(lambda s: _check_login(s, email, password))
    if user is None:
        await hub.run(lambda s: audit.login_failed(s, email, "web"))
        return _login_page(request, "wrong", 401, next_url)
    if scope_of(Role(user.role), Action.VIEW_DASHBOARD) is None:
        # No session for a role that may not use the dashboard: say so plainly.
        return refused(request, Role(user.role), None)
    token = await hub.run(lambda s: _new_session(s, user))
    resp = RedirectResponse(safe_next(next_url), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_HOURS * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/web",
    )
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/web")
    return resp


@router.post("/logout", summary="End the dashboard session (form with the CSRF token)")
async def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    hub = await get_hub(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token and not same(csrf, csrf_for(token)):
        return render(request, "dashboard/message.html", status=400, kind="csrf", caller=None)
    if token:
        await hub.run(lambda s: _end_session(s, token))
    resp = RedirectResponse("/web/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/web")
    return resp
