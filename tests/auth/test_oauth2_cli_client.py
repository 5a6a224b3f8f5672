"""The built-in public client ``wt`` (D22): loopback redirects on any port (RFC 8252 §7.3), PKCE required."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.kit import approve, authorize_params, pkce_pair, query_of, sign_in
from tests.errors import assert_oauth_error_page
from tests.factories import Tenants
from worktally.auth.oauth2.redirect_uris import is_loopback_redirect


class TestLoopbackRedirects:
    @pytest.mark.parametrize(
        "uri",
        ["http://127.0.0.1:53682/callback", "http://127.0.0.1:1/", "http://[::1]:40001/cb"],
    )
    def test_loopback_ip_literals_on_any_port_are_accepted(self, uri: str) -> None:
        assert is_loopback_redirect(uri)

    @pytest.mark.parametrize(
        "uri",
        [
            "http://localhost:8080/cb",  # RFC 8252 §8.3: not an IP literal
            "https://127.0.0.1:8080/cb",
            "http://127.0.0.1/cb",  # no port: nothing listens there for the client
            "http://127.0.0.2:8080/cb",
            "http://127.0.0.1.evil.example:8080/cb",
            "http://user@127.0.0.1:8080/cb",
            "http://127.0.0.1:8080/cb#frag",
            "http://127.0.0.1:8080/cb?next=https://evil.example",
            "http://127.0.0.1:99999/cb",
        ],
    )
    def test_anything_else_is_refused(self, uri: str) -> None:
        assert not is_loopback_redirect(uri)


class TestCliClientFlow:
    async def test_code_flow_on_a_chosen_port_issues_tokens(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        verifier, challenge = pkce_pair()
        redirect = "http://127.0.0.1:49321/callback"

        response = await approve(browser, authorize_params("wt", challenge, redirect_uri=redirect))

        assert response.status_code == 302
        assert response.headers["location"].startswith(redirect + "?")
        code = query_of(response.headers["location"])["code"]
        token = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "wt",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
        )
        assert token.status_code == 200, token.text
        body = token.json()
        assert body["access_token"].startswith("wta_") and body["refresh_token"].startswith("wtr_")
        me = await browser.get(
            "/api/v2/time-tracking/current-data",
            params={"workspace_id": ws.id},
            headers={"Authorization": f"Bearer {body['access_token']}"},
        )
        assert me.status_code == 200, me.text
        assert me.json()["data"]["user_id"] == ws.owner.user_id

        refreshed = await browser.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "client_id": "wt", "refresh_token": body["refresh_token"]},
        )
        assert refreshed.status_code == 200, refreshed.text

    async def test_pkce_is_required(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        redirect = "http://[::1]:40001/cb"

        response = await browser.get("/oauth/authorize", params=authorize_params("wt", None, redirect_uri=redirect))

        assert response.status_code == 302
        assert query_of(response.headers["location"])["error"] == "invalid_request"

    async def test_a_non_loopback_redirect_is_an_error_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        _, challenge = pkce_pair()

        response = await browser.get(
            "/oauth/authorize", params=authorize_params("wt", challenge, redirect_uri="https://evil.example/cb")
        )

        assert_oauth_error_page(response, 400, "invalid_request")

    async def test_the_client_has_no_secret_and_no_client_credentials(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": "wt", "scope": "read"}
        )
        assert response.status_code in (400, 401)
        assert response.json()["error"] in ("unauthorized_client", "invalid_client")
