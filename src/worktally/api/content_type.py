"""D1: every JSON response says ``Content-Type: application/json; charset=utf-8``.

FastAPI's fast serialisation path (a response model, no response class) writes a bare
``application/json``; so do Starlette's JSON responses. Rather than give up that path, the header is
completed here on the way out, for every response of the app (the envelope, the OAuth endpoints' JSON,
reports written as text). Errors that reach the outermost handler (500) are built with the charset already.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BARE = b"application/json"
_WITH_CHARSET = b"application/json; charset=utf-8"


class JsonCharsetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_charset(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers")
                if headers:
                    for i, (name, value) in enumerate(headers):
                        if value == _BARE and name.lower() == b"content-type":
                            headers = list(headers)
                            headers[i] = (name, _WITH_CHARSET)
                            message["headers"] = headers
                            break
            await send(message)

        await self.app(scope, receive, send_with_charset)
