"""The interactive API documentation (/api/v2/docs) works with no internet: every asset from this server."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.auth.kit import register_client
from tests.errors import assert_error_code, assert_page_error
from tests.factories import Tenants
from tests.factories.workspace import TEST_PASSWORD
from tests.web.conftest import LiveServer
from worktally.api.docs import OAUTH2_REDIRECT_PATH

pytestmark = pytest.mark.browser

SCREENSHOT = os.environ.get("WORKTALLY_DOCS_SCREENSHOT")  # a path: where to save what the browser showed


class TestApiDocsInBrowser:
    async def test_operations_render_with_no_request_to_another_host(
        self, live_server: LiveServer, chromium: Any
    ) -> None:
        own_host = urlsplit(live_server.url).netloc
        elsewhere: list[str] = []
        problems: list[str] = []
        context = await chromium.new_context()

        async def only_this_server(route: Any) -> None:
            if urlsplit(route.request.url).netloc == own_host or route.request.url.startswith("data:"):
                await route.continue_()
            else:  # as without internet: nothing else answers
                elsewhere.append(route.request.url)
                await route.abort("internetdisconnected")

        await context.route("**/*", only_this_server)
        page = await context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        response = await page.goto(f"{live_server.url}/api/v2/docs")
        await page.locator(".opblock").first.wait_for(state="visible", timeout=30_000)

        assert response is not None and response.status == 200
        operations = await page.locator(".opblock").count()
        assert operations >= 90
        assert await page.locator(".opblock-summary-path", has_text="/api/v2/reports/tracked-hours").count() == 1
        assert await page.locator("button.authorize").count() == 1
        assert await page.locator(".info .title").inner_text() != ""
        if SCREENSHOT:
            await page.screenshot(path=SCREENSHOT, full_page=False)
        await context.close()
        assert elsewhere == []
        assert problems == []

    async def test_the_oauth2_redirect_page_is_where_swagger_ui_sends_the_browser(
        self, live_server: LiveServer
    ) -> None:
        async with httpx.AsyncClient(base_url=live_server.url) as client:
            script = await client.get("/docs-assets/init.js")
            redirect = await client.get("/api/v2/docs/oauth2-redirect.html")

        assert '"/api/v2/docs/oauth2-redirect.html"' in script.text
        assert redirect.status_code == 200
        assert redirect.headers["content-type"].startswith("text/html")
        assert "swaggerUIRedirectOauth2" in redirect.text


class TestSignInFromTheDocs:
    async def test_authorize_with_oauth_and_pkce_then_try_an_operation(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        redirect_uri = f"{live_server.url}/api/v2/docs/oauth2-redirect.html"
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, redirect_uri=redirect_uri)
        context = await chromium.new_context()
        page = await context.new_page()
        await page.goto(f"{live_server.url}/sign-in")
        await page.get_by_label("E-mail").fill(ws.owner.email)
        await page.get_by_label("Password").fill(TEST_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{live_server.url}/")  # sign-in lands on the day
        await page.goto(f"{live_server.url}/api/v2/docs")
        await page.locator("button.authorize").first.click()
        oauth = page.locator(".auth-container", has_text="authorizationCode with PKCE")
        await oauth.locator("#client_id_authorizationCode").fill(client.client_id)
        assert await oauth.locator("#read-authorizationCode-checkbox-oauth2").is_checked()  # initOAuth's scopes

        async with context.expect_page() as popup_info:
            await oauth.get_by_role("button", name="Apply given OAuth2 credentials").click()
        popup = await popup_info.value
        await popup.get_by_role("button", name="Approve").click()
        await oauth.get_by_role("button", name="Remove authorization").wait_for(timeout=20_000)  # "Logout"
        await oauth.locator(".btn-done").click()

        operation = page.locator("#operations-Workspaces-list_workspaces_api_v2_workspaces_get")
        await operation.locator(".opblock-summary").click()
        await operation.get_by_role("button", name="Try it out").click()
        async with page.expect_response(lambda r: urlsplit(r.url).path == "/api/v2/workspaces") as answer:
            await operation.get_by_role("button", name="Execute").click()
        response = await answer.value
        sent = await response.request.all_headers()
        body = await response.json()
        await context.close()

        assert redirect_uri.endswith(OAUTH2_REDIRECT_PATH)
        assert response.status == 200
        assert sent["authorization"].startswith("Bearer wta_")  # the OAuth access token from the docs' sign-in
        assert [w["id"] for w in body["data"]] == [ws.id]


class TestApiDocsPage:
    async def test_the_page_loads_nothing_from_another_host(self, live_server: LiveServer) -> None:
        async with httpx.AsyncClient(base_url=live_server.url) as client:
            page = await client.get("/api/v2/docs")
            bundle = await client.get("/docs-assets/swagger-ui/swagger-ui-bundle.js")
            css = await client.get("/docs-assets/swagger-ui/swagger-ui.css")
            unknown = await client.get("/docs-assets/swagger-ui/..%2F__init__.py")
            unlisted = await client.get("/docs-assets/swagger-ui/index.html")

        assert page.status_code == 200
        assert "cdn" not in page.text and "https://" not in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert_error_code(unknown, 404, "http_404")  # no route: the server's own 404
        assert_page_error(unlisted, 404, "not_found")  # the package's file, but not one the page uses
        assert "x-ratelimit-limit" not in bundle.headers  # static files do not use up the client's limit (D8)
