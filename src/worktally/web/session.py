"""The browser pages' signed session cookie, kept off the API (which authenticates by bearer token only)."""

from __future__ import annotations

from typing import Any

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class BrowserSessionMiddleware(SessionMiddleware):
    """Starlette's session middleware for every path but the API's: API requests skip the cookie work."""

    def __init__(self, app: ASGIApp, /, *, api_prefix: str, **options: Any) -> None:
        super().__init__(app, **options)
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.api_prefix):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
