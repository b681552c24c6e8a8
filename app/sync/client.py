"""HTTP client of the hub: version check, tokens (refreshed when they expire), retries with
backoff for network/5xx, and errors a person can act on for everything else."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import random
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.core.errors import ErrorKind, RoundTwoError
from app.sync import protocol as p

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


# --- errors a person can act on -----------------------------------------------------------------


class SyncError(RoundTwoError):
    """Base of sync errors. `retryable`: worth trying again later without changing anything."""

    retryable = False


class HubUnavailableError(SyncError):
    kind = ErrorKind.CONFLICT  # exit 75, EX_TEMPFAIL: try again later
    retryable = True


class HubAuthError(SyncError):
    kind = ErrorKind.PERMISSION


class ProtocolMismatchError(SyncError):
    kind = ErrorKind.MISSING_DEPENDENCY


class HubRejectedError(SyncError):
    """The hub refused a request for good (4xx): retrying the same request will not help."""

    kind = ErrorKind.INVALID_INPUT

    def __init__(self, message: str, *, status: int, code: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code


KEEP = "Nothing was lost: the changes stay queued on this laptop."


def _enrol_hint(hub_url: str) -> str:
    return (
        "Ask an administrator for a new code and run "
        f"`roundtwo enroll --hub {hub_url} --code CODE`."
    )


# --- credentials ---------------------------------------------------------------------------------


class Credentials(BaseModel):
    hub_url: str
    device_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    access_token: str
    refresh_token: str
    access_expires_at: dt.datetime


class CredentialStore:
    """Device tokens in `<home>/sync/credentials.json`, readable by the owner only."""

    def __init__(self, home: Path) -> None:
        self.path = home / "sync" / "credentials.json"

    def _all(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise HubAuthError(
                f"The hub credentials file {self.path} cannot be read ({exc}).",
                hint="Delete it and enrol this laptop again.",
            ) from exc
        return data if isinstance(data, dict) else {}

    def load(self, hub_url: str) -> Credentials | None:
        raw = self._all().get(normalise_url(hub_url))
        return Credentials.model_validate(raw) if raw else None

    def only(self) -> Credentials | None:
        """The credentials when this laptop is enrolled with exactly one hub."""
        items = list(self._all().values())
        return Credentials.model_validate(items[0]) if len(items) == 1 else None

    def save(self, creds: Credentials) -> None:
        data = self._all()
        data[normalise_url(creds.hub_url)] = creds.model_dump(mode="json")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.path)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process (building it costs ~0.1 s per client)."""
    return ssl.create_default_context()


def normalise_url(url: str) -> str:
    return url.strip().rstrip("/")


# --- the client ----------------------------------------------------------------------------------


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_s: float = 0.2
    cap_s: float = 10.0

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff (AWS architecture blog): spreads out reconnects."""
        return float(random.uniform(0, min(self.cap_s, self.base_s * 2**attempt)))

    # A busy hub (503 + Retry-After, its admission control) is not a failure: it gets its own,
    # larger budget of waits, and it does not use up `attempts`.
    busy_attempts: int = 40
    busy_cap_s: float = 30.0

    def busy_delay(self, retry_after: str, n: int) -> float:
        """Wait what the hub asked for, plus full jitter that doubles with each busy answer
        in a row, so a crowd of laptops told "1 s" does not come back in one instant."""
        try:
            wait = min(self.busy_cap_s, max(0.0, float(retry_after)))
        except ValueError:  # an HTTP date: not sent by our hub
            wait = 1.0
        spread = min(self.busy_cap_s, max(wait, self.base_s) * 2**n)
        return wait + float(random.uniform(0, spread))


class HubClient:
    def __init__(
        self,
        hub_url: str,
        *,
        credentials: Credentials | None = None,
        store: CredentialStore | None = None,
        timeout_s: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        on_response: Callable[[str], None] | None = None,
    ) -> None:
        self.hub_url = normalise_url(hub_url)
        self.credentials = credentials
        self.store = store
        self.retry = retry or RetryPolicy()
        self.on_response = on_response
        self._http = httpx.Client(
            base_url=self.hub_url,
            timeout=timeout_s,
            transport=transport,
            verify=_ssl_context(),
            headers={p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION)},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls ---

    def health(self) -> p.Health:
        """Negotiate: fail clearly when the hub does not speak our protocol version."""
        h = self._call("GET", "/health", p.Health, auth=False)
        if p.PROTOCOL_VERSION not in h.protocol_versions:
            raise _mismatch(self.hub_url, h.protocol_versions)
        return h

    def enrol(self, code: str, device_name: str) -> Credentials:
        body = p.EnrolRequest(code=code, device_name=device_name)
        r = self._call("POST", "/devices/enrol", p.EnrolResponse, json=body, auth=False)
        creds = Credentials(
            hub_url=self.hub_url,
            device_id=r.device_id,
            user_id=r.user_id,
            role=r.role.value,
            access_token=r.tokens.access_token,
            refresh_token=r.tokens.refresh_token,
            access_expires_at=r.tokens.access_expires_at,
        )
        self.credentials = creds
        if self.store is not None:
            self.store.save(creds)
        return creds

    def push(
        self, ops: list[p.PushOp], *, after_send: Callable[[], None] | None = None
    ) -> p.PushResponse:
        return self._call(
            "POST", "/sync/push", p.PushResponse, json=p.PushRequest(ops=ops), after_send=after_send
        )

    def pull(self, since: int, limit: int = 500) -> p.PullResponse:
        return self._call(
            "GET", "/sync/pull", p.PullResponse, params={"since": since, "limit": limit}
        )

    def sanity(self, req: p.SanityRequest) -> p.SanityResponse:
        return self._call("POST", "/sync/sanity", p.SanityResponse, json=req)

    def compliance_profile(self) -> p.OrgComplianceOut | None:
        """The organisation's compliance profile; None from a hub too old to have one."""
        try:
            return self._call("GET", "/compliance/profile", p.OrgComplianceOut)
        except HubRejectedError as exc:
            if exc.status == 404:
                return None
            raise

    def erasure_acks(self, acks: list[p.ErasureAck]) -> p.ErasureAckResult | None:
        """Confirm erasures done on pulling tombstones; None from a hub too old to know."""
        try:
            return self._call(
                "POST", "/privacy/acks", p.ErasureAckResult, json=p.ErasureAcks(acks=acks)
            )
        except HubRejectedError as exc:
            if exc.status == 404:
                return None
            raise

    def push_audit(self, rows: list[p.DeviceAuditRow]) -> p.AuditPushResult | None:
        """Send a page of this laptop's audit log (an empty one asks how far the hub holds
        it); None from a hub too old to take audit logs."""
        try:
            return self._call("POST", "/sync/audit", p.AuditPushResult, json=p.AuditPush(rows=rows))
        except HubRejectedError as exc:
            if exc.status == 404:
                return None
            raise

    def media_status(self, sha256: str) -> p.MediaStatus | None:
        try:
            return self._call("GET", f"/media/{sha256}", p.MediaStatus)
        except HubRejectedError as exc:
            if exc.status == 404:
                return None
            raise

    def put_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> p.MediaStatus:
        return self._call(
            "PUT",
            f"/media/{sha256}",
            p.MediaStatus,
            params={"offset": offset, "total": total},
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    # --- plumbing ---

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        json: BaseModel | None = None,
        auth: bool = True,
        after_send: Callable[[], None] | None = None,
        **kw: Any,
    ) -> M:
        body = json.model_dump(mode="json") if json is not None else None
        refreshed = False
        attempt = busy = 0
        extra_headers: dict[str, str] = kw.pop("headers", None) or {}
        while True:
            headers = dict(extra_headers)
            if auth:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            try:
                r = self._http.request(
                    method, p.API_PREFIX + path, json=body, headers=headers, **kw
                )
            except httpx.TransportError as exc:
                err: SyncError = HubUnavailableError(
                    f"The hub at {self.hub_url} cannot be reached ({type(exc).__name__}: "
                    f"{exc or 'no answer'}).",
                    hint=f"Check the network or try again later. {KEEP}",
                )
            else:
                if after_send is not None:
                    after_send()
                if r.status_code < 400:
                    try:
                        return model.model_validate(r.json())
                    except (ValueError, ValidationError) as exc:
                        err = HubUnavailableError(
                            f"The hub at {self.hub_url} sent an answer that is not valid ({exc}).",
                            hint=KEEP,
                        )
                else:
                    detail = _detail(r)
                    retry_after = r.headers.get("Retry-After")
                    if r.status_code == 503 and retry_after and busy < self.retry.busy_attempts:
                        delay = self.retry.busy_delay(retry_after, busy)
                        log.info("hub busy (%s %s); trying again in %.2f s", method, path, delay)
                        time.sleep(delay)
                        busy += 1
                        continue
                    if (
                        r.status_code == 401
                        and auth
                        and not refreshed
                        and detail.code is p.ErrorCode.TOKEN_EXPIRED
                    ):
                        self._refresh()
                        refreshed = True
                        continue
                    err = self._error(r.status_code, detail)
            if not err.retryable or attempt + 1 >= self.retry.attempts:
                raise err
            delay = self.retry.delay(attempt)
            log.info("hub call %s %s failed (%s); retrying in %.2f s", method, path, err, delay)
            time.sleep(delay)
            attempt += 1

    def _access_token(self) -> str:
        if self.credentials is None:
            raise HubAuthError(
                f"This laptop is not enrolled with the hub at {self.hub_url}.",
                hint=_enrol_hint(self.hub_url),
            )
        return self.credentials.access_token

    def _refresh(self) -> None:
        assert self.credentials is not None
        pair = self._call(
            "POST",
            "/auth/refresh",
            p.TokenPair,
            json=p.RefreshRequest(refresh_token=self.credentials.refresh_token),
            auth=False,
        )
        self.credentials = self.credentials.model_copy(
            update={
                "access_token": pair.access_token,
                "refresh_token": pair.refresh_token,
                "access_expires_at": pair.access_expires_at,
            }
        )
        if self.store is not None:
            self.store.save(self.credentials)

    def _error(self, status: int, detail: p.ErrorBody) -> SyncError:
        url = self.hub_url
        if status >= 500 or status in (408, 429):
            return HubUnavailableError(
                f"The hub at {url} is having trouble (HTTP {status}: {detail.message}).",
                hint=f"Try again later. {KEEP}",
            )
        if status == 426 or detail.code is p.ErrorCode.PROTOCOL_MISMATCH:
            return _mismatch(url, detail.supported_versions or [])
        if detail.code is p.ErrorCode.DEVICE_REVOKED:
            return HubAuthError(
                f"This laptop's access to the hub at {url} was revoked.",
                hint=f"{_enrol_hint(url)} {KEEP}",
            )
        if status == 401:
            return HubAuthError(
                f"The hub at {url} did not accept this laptop's token ({detail.message})",
                hint=f"{_enrol_hint(url)} {KEEP}",
            )
        if status == 403:
            return HubAuthError(f"The hub at {url} refused: {detail.message}", hint=KEEP)
        return HubRejectedError(
            f"The hub at {url} refused the request (HTTP {status}): {detail.message}",
            status=status,
            code=detail.code.value,
        )


def _mismatch(url: str, versions: list[int]) -> ProtocolMismatchError:
    newer = versions and max(versions) > p.PROTOCOL_VERSION
    return ProtocolMismatchError(
        f"The hub at {url} speaks sync protocol {versions or '?'}; this laptop speaks "
        f"{p.PROTOCOL_VERSION}.",
        hint=("Update RoundTwo on this laptop." if newer else "Ask IT to update the hub.")
        + f" {KEEP}",
    )


def _detail(r: httpx.Response) -> p.ErrorBody:
    try:
        return p.ErrorResponse.model_validate(r.json()).detail
    except (ValueError, ValidationError):
        text = r.text.strip().replace("\n", " ")[:200] or r.reason_phrase
        return p.ErrorBody(code=p.ErrorCode.INVALID, message=text)
