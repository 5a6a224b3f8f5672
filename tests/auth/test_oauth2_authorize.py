from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.auth.kit import REDIRECT_URI, approve, authorize_params, pkce_pair, query_of, register_client, sign_in
from tests.errors import assert_oauth_error_page, assert_page_error
from tests.factories import Tenants


class TestAuthorizePage:
    async def test_anonymous_is_sent_to_sign_in_and_back(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        _, challenge = pkce_pair()

        response = await browser.get("/oauth/authorize", params=authorize_params(client.client_id, challenge))

        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert location.path == "/sign-in"
        assert query_of(response.headers["location"])["next"].startswith("/oauth/authorize?")

    async def test_shows_the_app_and_the_scopes(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        await sign_in(browser, ws.owner.email)
        _, challenge = pkce_pair()

        response = await browser.get("/oauth/authorize", params=authorize_params(client.client_id, challenge))

        assert response.status_code == 200
        assert "Authorize Test App" in response.text
        assert "<strong>read</strong>" in response.text and "<strong>write</strong>" in response.text
        assert response.headers["x-frame-options"] == "DENY"

    async def test_approval_redirects_with_a_code_and_the_state(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        await sign_in(browser, ws.owner.email)
        _, challenge = pkce_pair()

        response = await approve(browser, authorize_params(client.client_id, challenge))

        assert response.status_code == 302
        assert response.headers["location"].startswith(REDIRECT_URI + "?")
        params = query_of(response.headers["location"])
        assert params["code"] and params["state"] == "xyz-state"

    async def test_denial_redirects_with_access_denied(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        await sign_in(browser, ws.owner.email)
        _, challenge = pkce_pair()

        response = await approve(browser, authorize_params(client.client_id, challenge), decision="deny")

        assert response.status_code == 302
        params = query_of(response.headers["location"])
        assert params["error"] == "access_denied"
        assert params["state"] == "xyz-state"
        assert "code" not in params

    async def test_unknown_client_is_an_error_page_not_a_redirect(self, browser: httpx.AsyncClient) -> None:
        _, challenge = pkce_pair()

        response = await browser.get("/oauth/authorize", params=authorize_params("wtc_nobody", challenge))

        assert_oauth_error_page(response, 400, "invalid_client")

    async def test_unregistered_redirect_uri_is_an_error_page(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        _, challenge = pkce_pair()

        response = await browser.get(
            "/oauth/authorize",
            params=authorize_params(client.client_id, challenge, redirect_uri="https://evil.example/cb"),
        )

        assert_oauth_error_page(response, 400, "invalid_request")

    async def test_public_client_without_pkce_is_sent_back_with_invalid_request(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await browser.get("/oauth/authorize", params=authorize_params(client.client_id, None))

        assert response.status_code == 302
        params = query_of(response.headers["location"])
        assert params["error"] == "invalid_request"
        assert params["state"] == "xyz-state"

    async def test_plain_code_challenge_method_is_refused(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        verifier, _ = pkce_pair()

        response = await browser.get(
            "/oauth/authorize",
            params=authorize_params(client.client_id, verifier) | {"code_challenge_method": "plain"},
        )

        assert response.status_code == 302
        assert query_of(response.headers["location"])["error"] == "invalid_request"

    async def test_unknown_scope_is_sent_back_with_invalid_scope(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        _, challenge = pkce_pair()

        response = await browser.get(
            "/oauth/authorize", params=authorize_params(client.client_id, challenge, scope="read everything")
        )

        assert response.status_code == 302
        assert query_of(response.headers["location"])["error"] == "invalid_scope"

    async def test_approval_without_the_csrf_token_is_refused(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)
        await sign_in(browser, ws.owner.email)
        _, challenge = pkce_pair()

        response = await browser.post(
            "/oauth/authorize", params=authorize_params(client.client_id, challenge), data={"decision": "approve"}
        )

        assert_page_error(response, 403, "csrf_failed")
        assert "location" not in response.headers
