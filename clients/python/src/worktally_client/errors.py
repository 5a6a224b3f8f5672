"""Typed errors: every failed call raises one of these, carrying the envelope's ``message``, its stable
``error`` code and the per-field ``errors`` (D1)."""

from __future__ import annotations

from typing import Any

import httpx


class WorktallyError(Exception):
    """Base class of every error this client raises."""


class APIConnectionError(WorktallyError):
    """The server could not be reached, or the connection dropped before an answer (after the retries)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout (after the retries)."""


class APIError(WorktallyError):
    """The server answered with an error status: ``status``, ``message``, ``error`` code, field ``errors``."""

    status: int

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error: str | None = None,
        errors: dict[str, list[str]] | None = None,
        response: httpx.Response | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(f"{status} {error or 'error'}: {message}")
        self.message = message
        self.status = status
        self.error = error
        self.errors = errors or {}
        self.response = response
        self.body = body

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked the caller to wait (429 and 503), if it said so."""
        if self.response is None:
            return None
        from worktally_client._base import retry_after_seconds

        return retry_after_seconds(self.response)


class BadRequestError(APIError):
    """400: malformed request or missing workspace."""


class AuthenticationError(APIError):
    """401: no token, or a token that is unknown, expired or revoked."""


class PermissionDeniedError(APIError):
    """403: the role or the token's scopes do not allow this."""


class NotFoundError(APIError):
    """404: no such resource in the workspace (or not visible to the caller)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state (e.g. an overlap, or an idempotency key in use)."""


class UnprocessableEntityError(APIError):
    """422: validation failed; ``errors`` maps each field to its messages."""


class RateLimitError(APIError):
    """429: over the rate limit, still after the retries; ``retry_after`` says how long to wait."""


class InternalServerError(APIError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for(response: httpx.Response) -> APIError:
    """The typed error of a failed response: the envelope's fields, or OAuth's (RFC 6749 §5.2)."""
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        body = None
    message, code, errors = response.reason_phrase or "error", None, None
    if isinstance(body, dict):
        if "message" in body:
            message = str(body["message"])
            code = body.get("error")
            errors = body.get("errors")
        elif "error" in body:  # an OAuth error: {"error": "...", "error_description": "..."}
            code = str(body["error"])
            message = str(body.get("error_description") or code)
    elif response.text:
        message = response.text[:500]
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIError
    return cls(message, status=response.status_code, error=code, errors=errors, response=response, body=body)
