"""``/mcp``: the MCP tools of ``worktally_client.mcp_tools`` over Streamable HTTP (D22).

The endpoint is an OAuth 2.1 resource server: a request without a valid bearer token gets a 401 whose
``WWW-Authenticate`` names the protected-resource metadata (RFC 9728), which names Worktally's own
authorization server (``/.well-known/oauth-authorization-server``). A token is checked by the same lookup as
the REST API's (``auth.tokens.identify``). Each tool then calls the REST API in-process, through the client
over ``httpx.ASGITransport`` with the caller's token, so the API's scopes, roles, visibility, idempotency
and rate limit apply to every tool call exactly as to any other call with that token.

Stateless and JSON-only: every POST is one request with its answer, no session kept between requests.

The SDK (and httpx, which brings its command line's rich, pygments and click) is imported and started on
the first request to these routes, not when the server starts: a server that no assistant talks to never
loads it (issue #14's memory point; the note of that issue has the resident memory before and after).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from worktally.auth.permissions import SCOPES
from worktally.auth.tokens import identify
from worktally.db.prepared import RequestDb

if TYPE_CHECKING:
    from mcp.server.auth.provider import AccessToken
    from worktally_client.mcp_tools import Api, WorktallyMCP

log = logging.getLogger("worktally.mcp")

MCP_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"
# The in-process API's address: never resolved, the transport hands each request to the app itself.
INTERNAL_URL = "http://worktally.internal"
RESOURCE_SCOPES = ["read", "write"]  # what a token for the tools asks for; ``admin`` covers both (D7)


class WorktallyTokenVerifier:
    """The MCP SDK's ``TokenVerifier`` on Worktally's own tokens (personal access tokens and OAuth2 tokens)."""

    def __init__(self, app: Any) -> None:
        self._app = app

    async def verify_token(self, token: str) -> AccessToken | None:
        from mcp.server.auth.provider import AccessToken

        state = self._app.state
        db = RequestDb(state.sessionmaker, state.read_pool, state.sqlite)
        done = False
        try:
            caller = await identify(db, token)
            done = True
        finally:
            await db.finish(commit=done)  # identify may note the token's last use
        if caller is None:
            return None
        identity = caller.identity
        scopes = set(identity.scopes) | ({"read", "write"} if "admin" in identity.scopes else set())
        return AccessToken(
            token=token,
            client_id=identity.client_id or f"{identity.token_kind}:{identity.token_id}",
            scopes=[s for s in SCOPES if s in scopes],
            subject=str(identity.user_id),
        )


class McpEndpoint:
    """The ASGI app behind ``/mcp`` and the metadata routes; the SDK's app lives while the server runs."""

    def __init__(self, app: Any, public_url: str) -> None:
        self._app = app
        self.public_url = public_url
        self._running: ASGIApp | None = None
        self._serving = False  # inside the app's lifespan
        self._unavailable = False  # the client package is not installed
        self._starting = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.routes: list[BaseRoute] = [
            Route(MCP_PATH, endpoint=self),
            Route(METADATA_PATH, endpoint=self, methods=["GET", "OPTIONS"]),
            Route(METADATA_PATH + MCP_PATH, endpoint=self, methods=["GET", "OPTIONS"]),
        ]

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Api]:
        """The API client of the tool call's caller: their token, into this app."""
        import httpx
        from mcp.server.auth.middleware.auth_context import get_access_token
        from mcp.server.mcpserver.exceptions import ToolError
        from worktally_client.mcp_tools import connect_api

        access = get_access_token()
        if access is None:  # the SDK refused the request before any tool ran; kept as a guard
            raise ToolError("Not signed in.")
        transport = httpx.ASGITransport(app=self._app, raise_app_exceptions=False)
        # No retries in here: a 429 reaches the assistant at once, with the server's message.
        client = connect_api(INTERNAL_URL, access.token, transport=transport, max_retries=0)
        try:
            yield client
        finally:
            await client.close()

    def _server(self) -> tuple[WorktallyMCP, ASGIApp]:
        from mcp.server.auth.settings import AuthSettings
        from mcp.server.transport_security import TransportSecuritySettings
        from worktally_client.mcp_tools import WorktallyMCP

        resource = f"{self.public_url}{MCP_PATH}"
        server = WorktallyMCP(
            self.connect,
            token_verifier=WorktallyTokenVerifier(self._app),
            auth=AuthSettings(
                issuer_url=AnyHttpUrl(self.public_url),
                resource_server_url=AnyHttpUrl(resource),
                required_scopes=["read"],
                # Worktally's tokens are not bound to a resource (no RFC 8707 indicator); any valid one is taken.
                validate_token_resource=False,
            ),
        )
        public = urlsplit(self.public_url)
        http_app = server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=[public.netloc],
                allowed_origins=[f"{public.scheme}://{public.netloc}"],
            ),
        )
        # The SDK's metadata route names only the required scope, and the issuer with a slash added (RFC 8414
        # compares issuers as strings); ours is the document as /.well-known/oauth-authorization-server says it.
        routes = [r for r in http_app.router.routes if not getattr(r, "path", "").startswith(METADATA_PATH)]
        metadata = [
            Route(path, endpoint=self._metadata, methods=["GET"]) for path in (METADATA_PATH + MCP_PATH, METADATA_PATH)
        ]
        http_app.router.routes = [*routes, *metadata]
        return server, http_app

    async def _metadata(self, request: Request) -> Response:
        """RFC 9728: this resource, the authorization server that issues its tokens, the scopes it knows."""
        return JSONResponse(
            {
                "resource": f"{self.public_url}{MCP_PATH}",
                "authorization_servers": [self.public_url],
                "scopes_supported": RESOURCE_SCOPES,
                "bearer_methods_supported": ["header"],
                "resource_name": "Worktally",
            },
            headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The app's lifespan (create_app): the SDK's session manager, once a request has started it, stops
        with the app."""
        self._serving = True
        try:
            yield
        finally:
            self._serving = False
            task, self._task = self._task, None
            self._running = None
            if task is not None:
                self._stop.set()
                await task

    async def _started(self) -> ASGIApp | None:
        """The SDK's app, imported and started on the first request (None without the client package).

        The session manager runs in a task of its own: its task group must end in the task that began it,
        which is neither this request's nor the lifespan's (a lifespan may be entered and left by different
        tasks, as pytest's session fixtures do).
        """
        async with self._starting:
            if self._running is not None or self._unavailable or not self._serving:
                return self._running
            try:
                server, http_app = self._server()
            except ImportError:  # a server installed without the client package: /mcp says so
                log.warning("/mcp is off: it needs the worktally-client package with its mcp extra")
                self._unavailable = True
                return None
            started, self._stop = asyncio.Event(), asyncio.Event()
            stop = self._stop

            async def serve() -> None:
                async with server.session_manager.run():
                    started.set()
                    await stop.wait()

            task = asyncio.create_task(serve(), name="worktally-mcp")
            waiter = asyncio.create_task(started.wait())
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if task.done():
                task.result()  # raises what stopped it
            self._task = task
            self._running = http_app
            return http_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        running = self._running or await self._started()
        if running is None:
            description = "MCP needs the worktally-client package: pip install 'worktally-client[mcp]'."
            response = JSONResponse({"error": "not_available", "error_description": description}, status_code=503)
            await response(scope, receive, send)
            return
        await running(scope, receive, send)
