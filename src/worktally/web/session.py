"""The browser pages' signed session cookie, kept off the API (which authenticates by bearer token only).

The cookie holds the user's id, the user's ``session_version`` at sign-in and the CSRF token. On every
browser request that carries a signed-in session the version is compared with the user's current one
(``worktally.auth.sessions``): a session of a user who has since signed out, changed their password or
been archived is dropped before any page sees it, in every browser, not only the one that signed out.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from worktally.db.models import User
from worktally.db.prepared import PreparedRead, RequestDb

log = logging.getLogger("worktally.web.session")

USER_KEY = "user_id"
VERSION_KEY = "sv"

_SESSION_VERSION = PreparedRead(select(User.session_version).where(User.id == bindparam("user_id")))
_DATABASE_ERRORS = (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def _plain_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def _session_still_valid(scope: Scope, session: dict[str, Any]) -> bool:
    user_id = _plain_int(session.get(USER_KEY))
    version = _plain_int(session.get(VERSION_KEY))
    if user_id is None or version is None:
        return False
    state = scope["app"].state
    db = RequestDb(state.sessionmaker, state.read_pool, state.sqlite)
    try:
        row = await _SESSION_VERSION.first(db, user_id=user_id)
    finally:
        await db.finish(commit=False)
    return row is not None and row["session_version"] == version


class _EndedSessionsRefused:
    """Inside the session middleware: drops a signed-in session whose version is no longer the user's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session") if scope["type"] == "http" else None
        if session and USER_KEY in session:
            try:
                valid = await _session_still_valid(scope, session)
            except _DATABASE_ERRORS:
                # Fail closed, but keep the cookie: the session may well be valid once the database is back.
                log.warning("Could not check a browser session: the database did not answer", exc_info=True)
                response = PlainTextResponse(
                    "The service is unavailable. Try again in a moment.",
                    status_code=503,
                    headers={"Retry-After": "5", "Cache-Control": "no-store"},
                )
                await response(scope, receive, send)
                return
            if not valid:
                session.clear()  # the middleware then clears the cookie too
        await self.app(scope, receive, send)


class BrowserSessionMiddleware(SessionMiddleware):
    """Starlette's session middleware for every path but the API's: API requests skip the cookie work."""

    def __init__(self, app: ASGIApp, /, *, api_prefix: str, **options: Any) -> None:
        super().__init__(_EndedSessionsRefused(app), **options)
        self.api_prefix = api_prefix
        self.unchecked = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.api_prefix):
            await self.unchecked(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
