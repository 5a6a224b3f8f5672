"""What every browser page shares: templates, the signed-in user, CSRF, forms and throttling.

The session (Starlette's signed cookie) holds only the user's id, their session version (checked on every
request by ``web.session``, so that ending a user's sessions ends them everywhere) and the CSRF token. Every POST form
carries ``csrf_token``, compared in constant time with the session's (synchroniser token pattern).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from worktally.api.deps import client_address
from worktally.core.errors import (
    ERROR_CODE_HEADER,
    AppError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationError,
)
from worktally.core.secrets import constant_time_equals
from worktally.web.session import USER_KEY, VERSION_KEY

_WEB = Path(__file__).parent
# The shared layout's templates, then each page area's (day/templates, week/templates, ...).
TEMPLATES = Jinja2Templates(directory=[_WEB / "templates", *sorted(_WEB.glob("*/templates"))])

_USER_KEY = USER_KEY
_CSRF_KEY = "csrf"
# Pages must not be framed (a consent page inside another site is a clickjacking target), nor cached.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",  # D21
    "Referrer-Policy": "same-origin",
}


def signed_in_user_id(request: Request) -> int | None:
    value = request.session.get(_USER_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def sign_in_session(request: Request, user_id: int, *, session_version: int) -> None:
    """Sign this browser in as the user, whose ``users.session_version`` is ``session_version`` now."""
    request.session.clear()
    request.session[_USER_KEY] = user_id
    request.session[VERSION_KEY] = session_version
    request.session[_CSRF_KEY] = secrets.token_urlsafe(32)  # a new token for the new session


def sign_out_session(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_KEY] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(_CSRF_KEY)
    return (
        isinstance(expected, str)
        and bool(expected)
        and bool(submitted)
        and constant_time_equals(expected, submitted or "")
    )


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this server: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 32 for ch in value):
        return default
    return value


# A page that refuses names its error as the API would (the AppError's stable code) in ERROR_CODE_HEADER:
# the page's words are for people, the code for tests and scripts. Without a more precise code, the status's.
_STATUS_ERRORS: dict[int, type[AppError]] = {
    error.status_code: error
    for error in (
        BadRequestError,
        UnauthenticatedError,
        ForbiddenError,
        NotFoundError,
        ConflictError,
        ValidationError,
        RateLimitedError,
    )
}


def page_error_code(status_code: int) -> str:
    """The code a page answering ``status_code`` names when nothing more precise is known."""
    return _STATUS_ERRORS.get(status_code, AppError).code


def render(
    request: Request, template: str, *, status_code: int = 200, error_code: str | None = None, **context: Any
) -> HTMLResponse:
    """``template`` as a page; a 4xx or 5xx page names ``error_code`` (by default its status's) in
    ``X-Error-Code``."""
    values = {"csrf_token": csrf_token(request), "signed_in": signed_in_user_id(request) is not None, **context}
    headers = dict(_PAGE_HEADERS)
    if status_code >= 400:
        shown = error_code or getattr(request.state, "page_error_code", None)  # set by layout.error_status
        headers[ERROR_CODE_HEADER] = shown or page_error_code(status_code)
    response: HTMLResponse = TEMPLATES.TemplateResponse(
        request, template, values, status_code=status_code, headers=headers
    )
    return response


def message_page(
    request: Request,
    heading: str,
    text: str,
    *,
    status_code: int = 200,
    error_code: str | None = None,
    link_href: str | None = None,
    link_text: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response = render(
        request,
        "message.html",
        status_code=status_code,
        error_code=error_code,
        heading=heading,
        text=text,
        is_error=status_code >= 400,
        link_href=link_href,
        link_text=link_text,
    )
    if headers:
        response.headers.update(headers)
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def sign_in_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back to this page (with its query) afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect("/sign-in?" + urlencode({"next": target}))


def csrf_failed(request: Request) -> HTMLResponse:
    return message_page(
        request,
        "Please try again",
        "This form has expired or did not come from this site. Reload the page and submit it again.",
        status_code=403,
        error_code="csrf_failed",
    )


def throttled_page(request: Request, exc: RateLimitedError) -> HTMLResponse:
    return message_page(
        request,
        "Too many attempts",
        "Too many requests from your address. Wait a minute and try again.",
        status_code=429,
        error_code=exc.code,
        headers=exc.headers,
    )


async def throttle(request: Request) -> Response | None:
    """D8: the sign-in and invitation forms are counted per client address."""
    try:
        await request.app.state.rate_limiter.hit_address(client_address(request))
    except RateLimitedError as exc:
        return throttled_page(request, exc)
    return None


@dataclass(frozen=True, slots=True)
class Form:
    items: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str:
        """The first value of a text field, '' when absent."""
        return next((value for key, value in self.items if key == name), "")

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.items if key == name]


async def read_form(request: Request) -> Form | None:
    """The submitted form, or None when the body cannot be read as one."""
    try:
        data = await request.form()
    except (HTTPException, MultiPartException, UnicodeDecodeError, ValueError):
        return None
    return Form(tuple((key, value) for key, value in data.multi_items() if not isinstance(value, UploadFile)))


def bad_form(request: Request) -> HTMLResponse:
    return message_page(request, "Something went wrong", "The form could not be read.", status_code=400)


async def submitted_form(request: Request) -> Form | HTMLResponse:
    """A posted form that can be read and carries this session's CSRF token, else the error page to answer."""
    form = await read_form(request)
    if form is None:
        return bad_form(request)
    if not csrf_valid(request, form.get("csrf_token")):
        return csrf_failed(request)
    return form
