"""The OAuth2 endpoints at the server root (D7): token, revocation and the RFC 8414 metadata.

``GET/POST /oauth/authorize`` is a browser page and lives with the other pages in ``worktally.web``.
Errors here are the RFCs' JSON (``{"error": "invalid_grant", ...}``), never the API envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from worktally.api.deps import client_address, settings_of
from worktally.api.rate_limit import remember
from worktally.auth.oauth2.engine import sync_engine
from worktally.auth.oauth2.grants import CLIENT_AUTH_METHODS, CODE_CHALLENGE_METHODS
from worktally.auth.oauth2.models import SCOPES
from worktally.auth.oauth2.schemas import (
    AuthorizationServerMetadata,
    OAuthErrorResponse,
    RevocationRequestForm,
    TokenRequestForm,
    TokenResponse,
    form_body,
)
from worktally.auth.oauth2.server import (
    GRANT_TYPES,
    HttpRequest,
    OAuthResponse,
    revocation_response,
    token_response,
)
from worktally.core.errors import RateLimitedError

router = APIRouter(tags=["OAuth2"])

_FORM_TYPE = "application/x-www-form-urlencoded"
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorResponse, "description": "RFC 6749 §5.2 error"},
    401: {"model": OAuthErrorResponse, "description": "Client authentication failed"},
    429: {"model": OAuthErrorResponse, "description": "Too many requests from this address (D8)"},
}


def oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


async def limit_address(request: Request) -> RateLimitedError | None:
    """D8: the OAuth endpoints and the sign-in forms are counted per client address."""
    try:
        state = await request.app.state.rate_limiter.hit_address(client_address(request))
    except RateLimitedError as exc:
        return exc
    remember(request.scope.setdefault("state", {}), state)
    return None


def throttled(exc: RateLimitedError) -> JSONResponse:
    return oauth_error(429, "temporarily_unavailable", "Too many requests. Please slow down.", exc.headers)


def checked_url(request: Request) -> str:
    """The URL whose transport Authlib checks (TLS, RFC 6749 §1.6; plain http only on loopback).

    Behind a TLS-terminating proxy the server itself sees plain http; an https ``WORKTALLY_PUBLIC_URL``
    is the operator saying that TLS is in place, so the public address is what gets checked.
    """
    public_url = settings_of(request).public_url
    if public_url.startswith("https://"):
        return public_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return str(request.url)


async def read_http_request(request: Request, *, with_form: bool) -> HttpRequest | JSONResponse:
    form: list[tuple[str, str]] = []
    if with_form:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != _FORM_TYPE:
            return oauth_error(400, "invalid_request", f"The body must be {_FORM_TYPE}.")
        try:
            data = await request.form()
        except (HTTPException, MultiPartException, UnicodeDecodeError, ValueError):
            return oauth_error(400, "invalid_request", "The body could not be read.")
        form = [(key, value) for key, value in data.multi_items() if not isinstance(value, UploadFile)]
    return HttpRequest(
        method=request.method,
        url=checked_url(request),
        authorization=request.headers.get("authorization"),
        query=tuple(request.query_params.multi_items()),
        form=tuple(form),
    )


async def _form_endpoint(request: Request, endpoint: Callable[[Engine, HttpRequest], OAuthResponse]) -> Response:
    """A form-posted endpoint of the Authlib server: limited per address, run in the thread pool (sync engine)."""
    if (exc := await limit_address(request)) is not None:
        return throttled(exc)
    http = await read_http_request(request, with_form=True)
    if isinstance(http, Response):
        return http
    engine = sync_engine(request.app.state, settings_of(request).database_url)
    return to_response(await run_in_threadpool(endpoint, engine, http))


def to_response(answer: OAuthResponse) -> Response:
    headers = {name: value for name, value in answer.headers if name.lower() != "content-type"}
    if isinstance(answer.body, dict):
        return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
    return Response(answer.body, status_code=answer.status_code, headers=headers)


@router.post(
    "/oauth/token",
    response_model=TokenResponse,
    responses=_ERRORS,
    openapi_extra=form_body(TokenRequestForm),
)
async def issue_token(request: Request) -> Response:
    """Exchange an authorization code, a refresh token or client credentials for tokens (RFC 6749 §4-6)."""
    return await _form_endpoint(request, token_response)


@router.post(
    "/oauth/revoke",
    response_model=dict[str, Any],
    responses=_ERRORS,
    openapi_extra=form_body(RevocationRequestForm),
)
async def revoke_token(request: Request) -> Response:
    """Revoke an access or refresh token; both tokens of the pair stop working (RFC 7009)."""
    return await _form_endpoint(request, revocation_response)


@router.get(
    "/.well-known/oauth-authorization-server",
    response_model=AuthorizationServerMetadata,
    responses={429: _ERRORS[429]},
)
async def server_metadata(request: Request) -> Response:
    """The authorization server's metadata (RFC 8414)."""
    if (exc := await limit_address(request)) is not None:
        return throttled(exc)
    base = settings_of(request).public_url
    metadata = AuthorizationServerMetadata(
        issuer=base,
        authorization_endpoint=f"{base}/oauth/authorize",
        token_endpoint=f"{base}/oauth/token",
        revocation_endpoint=f"{base}/oauth/revoke",
        scopes_supported=list(SCOPES),
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=list(GRANT_TYPES),
        token_endpoint_auth_methods_supported=list(CLIENT_AUTH_METHODS),
        revocation_endpoint_auth_methods_supported=list(CLIENT_AUTH_METHODS),
        code_challenge_methods_supported=list(CODE_CHALLENGE_METHODS),
    )
    return JSONResponse(metadata.model_dump())
