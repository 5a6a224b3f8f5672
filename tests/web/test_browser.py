"""Real Chromium (Playwright) against a real uvicorn server: the OAuth2 flow and invitation acceptance."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.auth.kit import invite_member, pkce_pair, query_of, register_client
from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


async def _authorize_in_browser(page: Any, live: LiveServer, client_id: str, redirect_uri: str, challenge: str) -> str:
    """Drive the browser from /oauth/authorize to the redirect back to the app; returns that URL."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "read write",
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    await page.goto(f"{live.url}/oauth/authorize?{urlencode(params)}")
    if "/sign-in" in page.url:
        return "sign-in"
    await page.get_by_role("button", name="Approve").click()
    await page.wait_for_url(f"{redirect_uri}**")
    return str(page.url)


class TestOAuthFlowInBrowser:
    async def test_sign_in_consent_code_tokens_refresh_and_revoke(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        redirect_uri = f"{live_server.url}/test-callback"
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, redirect_uri=redirect_uri)
        verifier, challenge = pkce_pair()
        context = await chromium.new_context()
        page = await context.new_page()
        # The app's side of the redirect: a tiny catcher inside the browser.
        await page.route(f"{redirect_uri}**", lambda route: route.fulfill(status=200, body="received"))
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": redirect_uri,
            "scope": "read write",
            "state": "st-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }

        await page.goto(f"{live_server.url}/oauth/authorize?{urlencode(params)}")
        assert "/sign-in" in page.url
        await page.get_by_label("E-mail").fill(ws.owner.email)
        await page.get_by_label("Password").fill("pw")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url("**/oauth/authorize?**")
        assert await page.get_by_role("heading", name="Authorize Test App").is_visible()
        await page.get_by_role("button", name="Approve").click()
        await page.wait_for_url(f"{redirect_uri}**")
        callback = query_of(page.url)
        await context.close()

        assert callback["state"] == "st-123"
        async with httpx.AsyncClient(base_url=live_server.url) as http:
            token = await http.post(
                "/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": callback["code"],
                    "redirect_uri": redirect_uri,
                    "client_id": client.client_id,
                    "code_verifier": verifier,
                },
            )
            assert token.status_code == 200, token.text
            pair = token.json()
            api = await http.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {pair['access_token']}"})
            assert api.status_code == 200
            assert [w["id"] for w in api.json()["data"]] == [ws.id]

            refresh_form = {
                "grant_type": "refresh_token",
                "refresh_token": pair["refresh_token"],
                "client_id": client.client_id,
            }
            refreshed = await http.post("/oauth/token", data=refresh_form)
            assert refreshed.status_code == 200
            fresh = refreshed.json()
            assert fresh["refresh_token"] != pair["refresh_token"]
            reused = await http.post("/oauth/token", data=refresh_form)
            assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"

            revoked = await http.post(
                "/oauth/revoke", data={"token": fresh["access_token"], "client_id": client.client_id}
            )
            assert revoked.status_code == 200
            after = await http.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {fresh['access_token']}"})
            assert_error_code(after, 401, "unauthenticated")

    async def test_a_wrong_code_verifier_is_refused(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        redirect_uri = f"{live_server.url}/test-callback"
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, redirect_uri=redirect_uri)
        _, challenge = pkce_pair()
        wrong_verifier, _ = pkce_pair()
        context = await chromium.new_context()
        page = await context.new_page()
        await page.route(f"{redirect_uri}**", lambda route: route.fulfill(status=200, body="received"))
        await page.goto(f"{live_server.url}/sign-in")
        await page.get_by_label("E-mail").fill(ws.owner.email)
        await page.get_by_label("Password").fill("pw")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{live_server.url}/")

        callback_url = await _authorize_in_browser(page, live_server, client.client_id, redirect_uri, challenge)
        await context.close()

        async with httpx.AsyncClient(base_url=live_server.url) as http:
            response = await http.post(
                "/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": query_of(callback_url)["code"],
                    "redirect_uri": redirect_uri,
                    "client_id": client.client_id,
                    "code_verifier": wrong_verifier,
                },
            )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


class TestInvitationInBrowser:
    async def test_accept_then_sign_in(self, tenants: Tenants, live_server: LiveServer, chromium: Any) -> None:
        ws = await tenants.workspace(name="Browser Co")
        invited = await invite_member(tenants.sessionmaker, ws.id)
        context = await chromium.new_context()
        page = await context.new_page()

        await page.goto(f"{live_server.url}/accept-invitation/{invited.token}")
        assert await page.get_by_role("heading", name="Join Browser Co").is_visible()
        await page.get_by_label("First name (optional)").fill("Bea")
        await page.get_by_label("Password (at least 8 characters)").fill("browser-pass-1")
        await page.get_by_role("button", name="Activate my account").click()
        await page.get_by_role("heading", name="Welcome to Worktally").wait_for()
        await page.get_by_role("link", name="Sign in").click()
        await page.get_by_label("E-mail").fill(invited.email)
        await page.get_by_label("Password").fill("browser-pass-1")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{live_server.url}/")
        today_visible = await page.get_by_role("heading", name="Today").is_visible()
        await page.goto(f"{live_server.url}/settings/tokens")
        heading_visible = await page.get_by_role("heading", name="API access").is_visible()
        body = await page.content()
        await context.close()

        assert today_visible and heading_visible
        assert invited.email in body
