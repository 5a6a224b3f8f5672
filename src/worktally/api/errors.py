"""Exception → envelope, registered once (D2). Nothing else builds error responses."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from worktally.api.envelope import JSON_MEDIA_TYPE, error_body
from worktally.core.errors import AppError, InvalidWorkspaceIdError
from worktally.db.availability import RETRY_AFTER_SECONDS, describe, is_database_unavailable

log = logging.getLogger("worktally.errors")

_WORKSPACE_ID = "workspace_id"
_UNPARSABLE_BODY = "There was an error parsing the body"  # fastapi.routing's detail


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(message, code=code, errors=errors), status_code=status, headers=headers, media_type=JSON_MEDIA_TYPE
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "Invalid value."))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg if msg.endswith(".") else msg + "."


def validation_errors(exc: RequestValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        errors.setdefault(_field_name(tuple(err.get("loc", ()))), []).append(_message(err))
    return errors


async def handle_app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.message, code=exc.code, errors=exc.errors, headers=exc.headers)


async def handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    # D2: malformed JSON and a bad workspace_id are 400s, not field validation.
    if any(e.get("type") == "json_invalid" for e in raw):
        return error_response(400, "The request body is not valid JSON.", code="invalid_json")
    # FastAPI hands over the raw bytes when the Content-Type is not JSON (D2: 400, not 422).
    if isinstance(exc.body, bytes | bytearray):
        return error_response(
            400, "The request body must be JSON (Content-Type: application/json).", code="unsupported_content_type"
        )
    if any(tuple(e.get("loc", ()))[-1:] == (_WORKSPACE_ID,) for e in raw):
        return await handle_app_error(_request, InvalidWorkspaceIdError())
    return error_response(422, "Validation failed", code="validation_failed", errors=validation_errors(exc))


async def handle_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        # FastAPI's answer to a body its JSON decoder gave up on (invalid UTF-8, nesting past the recursion
        # limit, an integer literal past Python's digit limit): D2's "not valid JSON", with its code.
        return error_response(400, "The request body is not valid JSON.", code="invalid_json")
    messages = {
        404: "The requested resource was not found.",
        405: "Method not allowed.",
    }
    message = messages.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "Error.")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, message, code=f"http_{exc.status_code}", headers=headers)


_INT4 = range(-(2**31), 2**31)


def _is_data_exception(exc: DBAPIError) -> bool:
    """SQLSTATE class 22: a value the column cannot hold (an id past int4, a NUL byte in text ...)."""
    error: BaseException | None = exc.orig
    while error is not None:
        if str(getattr(error, "sqlstate", "") or "").startswith("22") or isinstance(error, OverflowError):
            return True
        error = error.__cause__
    return False


async def handle_out_of_range(request: Request, exc: Exception) -> JSONResponse:
    """D2: input the database cannot even compare is the caller's error, not a 500.

    PostgreSQL's ids are int4 and its text refuses NUL (a DBAPIError of SQLSTATE class 22); SQLite's
    driver raises OverflowError past int8, as does date arithmetic on absurd numbers.
    """
    if isinstance(exc, DBAPIError) and not _is_data_exception(exc):
        return await handle_unexpected(request, exc)
    log.info("out-of-range input on %s %s: %r", request.method, request.url.path, exc)
    for value in request.path_params.values():
        if isinstance(value, str) and value.lstrip("-").isdigit() and int(value) not in _INT4:
            return error_response(404, "The requested resource was not found.", code="not_found")
    field = "body" if request.method not in ("GET", "HEAD", "DELETE") else "query"
    return error_response(
        422,
        "Validation failed",
        code="validation_failed",
        errors={field: ["A value is out of range or cannot be stored (numbers past 2147483647, NUL characters)."]},
    )


def database_unavailable(request: Request, exc: BaseException) -> JSONResponse:
    """503 with ``Retry-After`` while the database cannot be reached (the OAuth endpoints in RFC 6749's JSON)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, describe(exc))
    message = "The database is unavailable. Please retry shortly."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.url.path.startswith(("/oauth/", "/.well-known/")):
        body = {"error": "temporarily_unavailable", "error_description": message}
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store", **headers})
    return error_response(503, message, code="database_unavailable", headers=headers)


async def handle_driver_error(request: Request, exc: Exception) -> JSONResponse:
    """Errors the drivers raise unwrapped (a refused socket, asyncpg's own errors): 503 when the database is
    out of reach, else what any other error gets."""
    if is_database_unavailable(exc):
        return database_unavailable(request, exc)
    if isinstance(exc, DBAPIError):
        return await handle_out_of_range(request, exc)
    return await handle_unexpected(request, exc)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):
        return database_unavailable(request, exc)
    # D2: the details go to the server log only.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "An unexpected error occurred.", code="internal_error")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(DBAPIError, handle_out_of_range)
    app.add_exception_handler(OverflowError, handle_out_of_range)
    app.add_exception_handler(Exception, handle_unexpected)
    # A database out of reach: 503, not 500 (handle_unexpected checks too, for what reaches it wrapped).
    for driver_error in (OSError, OperationalError, InterfaceError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(driver_error, handle_driver_error)
