"""The interactive API documentation at ``/api/v2/docs``: Swagger UI served from an installed package.

FastAPI's own page loads Swagger UI from a CDN, so without internet it is blank. Here every asset comes
from the ``swagger-ui-py`` distribution (Swagger UI 5, which reads OpenAPI 3.1), the page has no inline
script (its settings are a script of ours), and it answers with a Content-Security-Policy that lets
nothing load from another host. OAuth's redirect page is ``/api/v2/docs/oauth2-redirect.html``: register
that URL (on your public host) as an OAuth app's redirect URI to sign in from the docs (PKCE, D7).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from worktally.core.errors import ERROR_CODE_HEADER, NotFoundError

DOCS_PATH = "/api/v2/docs"
OAUTH2_REDIRECT_PATH = f"{DOCS_PATH}/oauth2-redirect.html"
# Outside /api/v2: static files are not API requests, so they do not use up a client's rate limit (D8).
ASSETS_PATH = "/docs-assets"

# The files of the package's Swagger UI the page uses, and their media types; nothing else is served.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}

# Swagger UI styles elements inline and draws its icons as data: images; scripts and requests stay on this host.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
CACHE = "public, max-age=86400"


def _static() -> Traversable:
    return files("swagger_ui") / "static"


@cache
def _asset(name: str) -> bytes:
    return (_static() / name).read_bytes()


def _page(title: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS_PATH}/swagger-ui/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/init.js"></script>
</body>
</html>
"""


def _init_script(openapi_url: str) -> str:
    settings = {
        "url": openapi_url,
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "showExtensions": True,
        "persistAuthorization": False,
        "validatorUrl": None,  # the default sends the document to validator.swagger.io
    }
    return (
        f"const settings = {json.dumps(settings)};\n"
        f'settings.oauth2RedirectUrl = window.location.origin + "{OAUTH2_REDIRECT_PATH}";\n'
        "settings.presets = [SwaggerUIBundle.presets.apis];\n"
        "settings.layout = 'BaseLayout';\n"
        "const ui = SwaggerUIBundle(settings);\n"
        'ui.initOAuth({usePkceWithAuthorizationCodeGrant: true, scopes: "read write"});\n'
        "window.ui = ui;\n"
    )


def install_docs(app: FastAPI) -> None:
    """Add the documentation routes to ``app`` (created with ``docs_url=None``)."""
    title = f"{app.title} — documentation"
    openapi_url = app.openapi_url or "/api/v2/openapi.json"
    page = _page(title)
    script = _init_script(openapi_url)
    headers = {"Content-Security-Policy": DOCS_CSP, "X-Content-Type-Options": "nosniff"}

    async def docs_page(request: Request) -> Response:
        return HTMLResponse(page, headers={**headers, "Cache-Control": "no-cache"})

    async def docs_script(request: Request) -> Response:
        return Response(
            script, media_type="text/javascript; charset=utf-8", headers={**headers, "Cache-Control": "no-cache"}
        )

    async def docs_asset(request: Request) -> Response:
        name = request.path_params["name"]
        media_type = ASSETS.get(name)
        if media_type is None:
            return Response(
                "Not found\n",
                status_code=404,
                media_type="text/plain; charset=utf-8",
                headers={ERROR_CODE_HEADER: NotFoundError.code},
            )
        return Response(_asset(name), media_type=media_type, headers={**headers, "Cache-Control": CACHE})

    async def oauth2_redirect(request: Request) -> Response:
        # The package's page, as Swagger UI expects it; its script is inline, so no CSP of ours here.
        return HTMLResponse(_asset("oauth2-redirect.html"), headers={"X-Content-Type-Options": "nosniff"})

    app.add_route(DOCS_PATH, docs_page, methods=["GET"], include_in_schema=False)
    app.add_route(f"{ASSETS_PATH}/init.js", docs_script, methods=["GET"], include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_PATH, oauth2_redirect, methods=["GET"], include_in_schema=False)
    app.add_route(ASSETS_PATH + "/swagger-ui/{name}", docs_asset, methods=["GET"], include_in_schema=False)
