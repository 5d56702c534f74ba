"""The exception tree of the service layer: each error carries a stable code and HTTP status."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every error a named action or read can raise; shells turn it into their shape."""

    code = "service_error"
    status = 400
    title = "Request could not be completed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ServiceError):
    """The thing does not exist in the caller's organisation (other tenants look the same)."""

    code = "not_found"
    status = 404
    title = "Not found"


class PermissionDenied(ServiceError):
    """The caller's role does not allow this action."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class StaleVersion(ServiceError):
    """Somebody saved the record since the caller read it (optimistic versioning)."""

    code = "stale_version"
    status = 409
    title = "Conflict: the record changed since you read it"


class MeetingLocked(ServiceError):
    """The meeting is finalised; its record can only be amended through an outcome amendment."""

    code = "meeting_finalised"
    status = 409
    title = "Meeting is finalised"


class WorkflowConflict(ServiceError):
    """The action does not fit the current state (e.g. finalising with undecided cases)."""

    code = "workflow_conflict"
    status = 409
    title = "Conflict with the meeting workflow"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        if code:
            self.code = code


class InvalidRequest(ServiceError):
    """A value in the request is not allowed (unknown code, missing deviation reason...)."""

    code = "invalid_request"
    status = 422
    title = "Invalid request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        if code:
            self.code = code


class ImportRejected(ServiceError):
    """A meeting list had bad lines; nothing was stored. `errors` lists every bad line."""

    code = "import_rejected"
    status = 422
    title = "The list was rejected; nothing was imported"

    def __init__(self, detail: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)
        self.errors = errors


class InvalidCredentials(ServiceError):
    """Email, password or token did not match."""

    code = "invalid_credentials"
    status = 401
    title = "Not signed in"


class LoginThrottled(ServiceError):
    """Too many failed sign-ins for this account from this address."""

    code = "login_throttled"
    status = 429
    title = "Too many failed sign-ins"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
