from __future__ import annotations

import base64

import httpx

from tests.auth.kit import REDIRECT_URI, csrf_of, exchange, obtain_code, pkce_pair, register_client, sign_in
from tests.conftest import make_settings
from tests.errors import assert_error_code, assert_oauth_error_page
from tests.factories import Tenants
from worktally.main import create_app


async def _public_code(tenants: Tenants, browser: httpx.AsyncClient) -> tuple[str, str, str, int]:
    ws = await tenants.workspace()
    client = await register_client(tenants.sessionmaker, ws.owner.user_id)
    await sign_in(browser, ws.owner.email)
    verifier, challenge = pkce_pair()
    code = await obtain_code(browser, client.client_id, challenge)
    return client.client_id, code, verifier, ws.id


class TestAuthorizationCodeGrant:
    async def test_exchanges_a_code_and_verifier_for_a_token_pair(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, code, verifier, _ = await _public_code(tenants, browser)

        response = await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["access_token"].startswith("wta_")
        assert body["refresh_token"].startswith("wtr_")
        assert body["expires_in"] == 15 * 24 * 3600
        assert body["scope"] == "read write"
        assert response.headers["cache-control"] == "no-store"

    async def test_the_access_token_calls_the_api(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, code, verifier, ws_id = await _public_code(tenants, browser)
        token = (await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)).json()["access_token"]

        response = await browser.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {token}"})

        assert response.status_code == 200
        assert [w["id"] for w in response.json()["data"]] == [ws_id]

    async def test_wrong_code_verifier_is_invalid_grant(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, code, _, _ = await _public_code(tenants, browser)
        wrong, _ = pkce_pair()

        response = await exchange(browser, client_id=client_id, code=code, code_verifier=wrong)

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_missing_code_verifier_is_invalid_request(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, code, _, _ = await _public_code(tenants, browser)

        response = await exchange(browser, client_id=client_id, code=code)

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"

    async def test_a_code_is_refused_the_second_time(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, code, verifier, _ = await _public_code(tenants, browser)
        first = await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)

        second = await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)

        assert first.status_code == 200
        assert second.status_code == 400
        assert second.json()["error"] == "invalid_grant"

    async def test_a_replayed_code_revokes_the_tokens_issued_for_it(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, code, verifier, _ = await _public_code(tenants, browser)
        first = (await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)).json()

        await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)

        api = await browser.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {first['access_token']}"})
        assert_error_code(api, 401, "unauthenticated")

    async def test_a_refused_exchange_does_not_use_up_the_code(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, code, verifier, _ = await _public_code(tenants, browser)
        wrong, _ = pkce_pair()
        await exchange(browser, client_id=client_id, code=code, code_verifier=wrong)

        response = await exchange(browser, client_id=client_id, code=code, code_verifier=verifier)

        assert response.status_code == 200
        assert response.json()["access_token"].startswith("wta_")
        assert response.json()["token_type"] == "Bearer"

    async def test_wrong_redirect_uri_is_invalid_grant(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, code, verifier, _ = await _public_code(tenants, browser)

        response = await exchange(
            browser, client_id=client_id, code=code, code_verifier=verifier, redirect_uri=REDIRECT_URI + "/other"
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_unknown_code_is_invalid_grant(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, _, verifier, _ = await _public_code(tenants, browser)

        response = await exchange(browser, client_id=client_id, code="no-such-code", code_verifier=verifier)

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_a_code_of_another_client_is_invalid_grant(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        _, code, verifier, _ = await _public_code(tenants, browser)
        other = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await exchange(browser, client_id=other.client_id, code=code, code_verifier=verifier)

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_confidential_client_authenticates_with_http_basic(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)
        await sign_in(browser, ws.owner.email)
        verifier, challenge = pkce_pair()
        code = await obtain_code(browser, client.client_id, challenge)

        response = await exchange(
            browser, code=code, code_verifier=verifier, auth=(client.client_id, client.client_secret or "")
        )

        assert response.status_code == 200, response.text
        assert response.json()["refresh_token"].startswith("wtr_")


class TestTokenEndpointErrors:
    async def test_unknown_client_is_invalid_client(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=("wtc_nobody", "wts_nothing")
        )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    async def test_wrong_client_secret_is_invalid_client(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)

        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, "wts_wrong")
        )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    async def test_unknown_grant_type_is_unsupported_grant_type(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post("/oauth/token", data={"grant_type": "password", "username": "a", "password": "b"})

        assert response.status_code == 400
        assert response.json()["error"] == "unsupported_grant_type"

    async def test_json_body_is_invalid_request(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post("/oauth/token", json={"grant_type": "client_credentials"})

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"

    async def test_undecodable_basic_credentials_are_invalid_client(self, browser: httpx.AsyncClient) -> None:
        garbage = base64.b64encode(b"\xff\xfe:\xff").decode()

        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {garbage}"}
        )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


class TestTransportSecurity:
    async def test_plain_http_to_a_non_loopback_host_is_insecure_transport(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/oauth/token", data={"grant_type": "client_credentials"})

        assert response.status_code == 400
        assert response.json()["error"] == "insecure_transport"

    async def test_an_https_public_url_means_tls_ends_at_a_proxy(self, database_url: str) -> None:
        app = create_app(make_settings(database_url, public_url="https://worktally.example"))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://internal:8000") as http:
                response = await http.post(
                    "/oauth/token", data={"grant_type": "client_credentials"}, auth=("wtc_nobody", "wts_x")
                )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


class TestMalformedInput:
    async def test_nul_in_a_parameter_is_invalid_request(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": "wtc_\x00", "client_secret": "x"}
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"

    async def test_nul_in_basic_credentials_is_invalid_client(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=("wtc_\x00", "secret")
        )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    async def test_nul_in_the_authorization_request_is_an_error_page(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/oauth/authorize", params={"response_type": "code", "client_id": "wtc_\x00"})

        assert_oauth_error_page(response, 400, "invalid_request")

    async def test_nul_in_the_decision_request_is_an_error_page(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        page = await browser.get("/settings/tokens")

        response = await browser.post(
            "/oauth/authorize",
            params={"response_type": "code", "client_id": "wtc_\x00"},
            data={"csrf_token": csrf_of(page.text), "decision": "approve"},
        )

        assert_oauth_error_page(response, 400, "invalid_request")

    async def test_a_huge_form_is_answered_not_crashed(self, browser: httpx.AsyncClient) -> None:
        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": "x" * 2_000_000}
        )

        assert_error_code(response, 400, "invalid_request")
