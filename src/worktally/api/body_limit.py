"""Request bodies are capped (``WORKTALLY_MAX_BODY_BYTES``) before anything reads them into memory.

A pure ASGI middleware in front of everything (the API, the OAuth endpoints, the browser forms):

- a declared ``Content-Length`` over the cap is answered 413 at once, without receiving a byte of the body;
  the server's HTTP parser holds the request to the length it declared, so nothing more can arrive;
- a body without a length (``Transfer-Encoding: chunked``, or HTTP/2 without the header) is received here,
  counting, up to the cap: past it, 413; within it, the chunks are replayed to the application unchanged.

The 413 says ``Connection: close``, so the server drops the connection instead of draining the rest.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worktally.api.errors import error_response

_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS"})
_OAUTH_PREFIXES = ("/oauth/", "/.well-known/")  # D7: the RFCs' own JSON there, not the envelope


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = int(value) if value.isdigit() else None
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None:
            if declared > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if not chunked and scope["method"] in _WITHOUT_BODY:
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is larger than the limit of {self.max_body_bytes} bytes."
        headers = {"Connection": "close"}
        response: JSONResponse
        if scope["path"].startswith(_OAUTH_PREFIXES):
            headers["Cache-Control"] = "no-store"
            response = JSONResponse(
                {"error": "invalid_request", "error_description": message}, status_code=413, headers=headers
            )
        else:
            response = error_response(413, message, code="payload_too_large", headers=headers)
        await response(scope, receive, send)
