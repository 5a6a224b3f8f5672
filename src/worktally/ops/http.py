"""The HTTP middleware of D20: a request id in and out, the request's metrics and its log line.

A pure ASGI middleware (no dependency, no ``BaseHTTPMiddleware``): per request a header scan, two clock
reads, a context variable and the metric calls of ``ops/metrics.py``. The log line (logger
``worktally.access``, INFO) is built only when that level is enabled.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worktally.core.logs import LOG_USER_ID, LOG_WORKSPACE_ID, REQUEST_ID
from worktally.ops import metrics

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=\-]{1,128}")
_HEADER = b"x-request-id"

access_log = logging.getLogger("worktally.access")


def request_id_from(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` when it is short and plain (it goes into logs), else a new one."""
    for name, value in scope["headers"]:
        if name == _HEADER:
            candidate = str(value.decode("latin-1"))
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return secrets.token_hex(16)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else metrics.UNMATCHED


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        raw_id = request_id.encode()
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # what the server's error handler answers if nothing was sent

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (_HEADER, raw_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            metrics.observe_request(method, route, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                state = scope.get("state") or {}
                access_log.info(
                    "%s %s %d %.1f ms",
                    method,
                    route,
                    status,
                    seconds * 1000,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "user_id": state.get(LOG_USER_ID),
                        "workspace_id": state.get(LOG_WORKSPACE_ID),
                    },
                )
            REQUEST_ID.reset(token)
