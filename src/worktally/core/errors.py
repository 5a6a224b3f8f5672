"""The AppError hierarchy: status, stable snake_case code and message. No FastAPI here (D2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# What answers outside the API's envelope (a browser page, a static file) names its error in this header:
# the same stable code the API would put in ``error`` (issue #13).
ERROR_CODE_HEADER = "X-Error-Code"


class AppError(Exception):
    status_code = 500
    code = "internal_error"
    message = "An unexpected error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        if code:
            self.code = code
        self.errors = {k: list(v) for k, v in errors.items()} if errors else None
        self.headers = dict(headers) if headers else None
        super().__init__(self.message)


class BadRequestError(AppError):
    status_code = 400
    code = "bad_request"
    message = "Bad request."


class InvalidWorkspaceIdError(BadRequestError):
    """D2/D3: a ``workspace_id`` (query, body or form) that is not an integer is a 400, not a field error."""

    code = "invalid_workspace_id"
    message = "workspace_id must be an integer."


class UnauthenticatedError(AppError):
    status_code = 401
    code = "unauthenticated"
    message = "Unauthenticated."


class ForbiddenError(AppError):
    status_code = 403
    code = "forbidden"
    message = "You do not have permission to perform this action."


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"
    message = "Resource not found."


class ConflictError(AppError):
    status_code = 409
    code = "conflict"
    message = "The request conflicts with the current state of the resource."


class ValidationError(AppError):
    """422 with ``errors`` keyed by field (D2)."""

    status_code = 422
    code = "validation_failed"
    message = "Validation failed"

    def __init__(self, errors: Mapping[str, Sequence[str]], message: str | None = None) -> None:
        super().__init__(message or "Validation failed", errors=errors)


class RateLimitedError(AppError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests. Please slow down."
