"""Exception → envelope, registered once (D2). Nothing else builds error responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from worktally.api.envelope import error_body
from worktally.core.errors import AppError

log = logging.getLogger("worktally.errors")

_WORKSPACE_ID = "workspace_id"


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(message, code=code, errors=errors), status_code=status, headers=headers)


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
    if any(tuple(e.get("loc", ()))[-1:] == (_WORKSPACE_ID,) for e in raw):
        return error_response(400, "workspace_id must be an integer.", code="invalid_workspace_id")
    return error_response(422, "Validation failed", code="validation_failed", errors=validation_errors(exc))


async def handle_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    messages = {
        404: "The requested resource was not found.",
        405: "Method not allowed.",
    }
    message = messages.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "Error.")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, message, code=f"http_{exc.status_code}", headers=headers)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # D2: the details go to the server log only.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "An unexpected error occurred.", code="internal_error")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(Exception, handle_unexpected)
