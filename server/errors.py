"""Errors the hub answers on purpose: an HTTP status plus a protocol `ErrorBody`."""

from __future__ import annotations

from app.sync.protocol import ErrorBody, ErrorCode


class HubError(Exception):
    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        supported_versions: list[int] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = ErrorBody(code=code, message=message, supported_versions=supported_versions)


def forbidden(message: str = "Your role does not allow this here.") -> HubError:
    return HubError(403, ErrorCode.FORBIDDEN, message)


def not_found(what: str) -> HubError:
    return HubError(404, ErrorCode.NOT_FOUND, f"{what} was not found.")


def invalid(message: str) -> HubError:
    return HubError(422, ErrorCode.INVALID, message)
