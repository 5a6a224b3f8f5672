from __future__ import annotations

import httpx

from tests.auth.kit import exchange, obtain_code, pkce_pair, register_client, sign_in
from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.workspace import WorkspaceFixture


async def _pair(
    tenants: Tenants, browser: httpx.AsyncClient, scope: str = "read write"
) -> tuple[str, dict[str, str], WorkspaceFixture]:
    """A public client and a fresh token pair for a new workspace's owner."""
    ws = await tenants.workspace()
    client = await register_client(tenants.sessionmaker, ws.owner.user_id)
    await sign_in(browser, ws.owner.email)
    verifier, challenge = pkce_pair()
    code = await obtain_code(browser, client.client_id, challenge, scope=scope)
    response = await exchange(browser, client_id=client.client_id, code=code, code_verifier=verifier)
    assert response.status_code == 200, response.text
    return client.client_id, response.json(), ws


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestClientCredentialsGrant:
    async def test_issues_an_access_token_acting_as_the_owner(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)

        response = await browser.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client.client_id, client.client_secret or ""),
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["access_token"].startswith("wta_")
        assert "refresh_token" not in body
        assert body["scope"] == "read write"
        workspaces = await browser.get("/api/v2/workspaces", headers=bearer(body["access_token"]))
        assert [w["id"] for w in workspaces.json()["data"]] == [ws.id]

    async def test_accepts_credentials_in_the_form(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)

        response = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "scope": "read",
            },
        )

        assert response.status_code == 200
        assert response.json()["scope"] == "read"

    async def test_a_public_client_cannot_use_it(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=True)

        response = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": client.client_id}
        )

        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"

    async def test_unknown_scope_is_invalid_scope(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)

        response = await browser.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "read superuser"},
            auth=(client.client_id, client.client_secret or ""),
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"


class TestScopes:
    async def test_a_read_token_can_read(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        _, tokens, ws = await _pair(tenants, browser, scope="read")

        response = await browser.get("/api/v2/workspaces", headers=bearer(tokens["access_token"]))

        assert tokens["scope"] == "read"
        assert response.status_code == 200
        assert [w["id"] for w in response.json()["data"]] == [ws.id]

    async def test_a_read_token_cannot_write(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        _, tokens, ws = await _pair(tenants, browser, scope="read")

        response = await browser.post(
            "/api/v2/members",
            params={"workspace_id": ws.id},
            json={"email": "someone@example.test"},
            headers=bearer(tokens["access_token"]),
        )

        assert_error_code(response, 403, "insufficient_scope")
        assert "write" in response.json()["message"]


class TestRefreshTokenGrant:
    async def test_issues_a_new_pair(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, tokens, _ = await _pair(tenants, browser)

        response = await browser.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id},
        )

        assert response.status_code == 200, response.text
        fresh = response.json()
        assert fresh["access_token"].startswith("wta_") and fresh["access_token"] != tokens["access_token"]
        assert fresh["refresh_token"].startswith("wtr_") and fresh["refresh_token"] != tokens["refresh_token"]
        assert fresh["scope"] == "read write"
        assert (await browser.get("/api/v2/workspaces", headers=bearer(fresh["access_token"]))).status_code == 200

    async def test_the_old_refresh_token_is_refused_once_used(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, tokens, _ = await _pair(tenants, browser)
        form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id}
        await browser.post("/oauth/token", data=form)

        response = await browser.post("/oauth/token", data=form)

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_reusing_a_rotated_refresh_token_revokes_the_new_pair(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, tokens, _ = await _pair(tenants, browser)
        form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id}
        fresh = (await browser.post("/oauth/token", data=form)).json()

        await browser.post("/oauth/token", data=form)

        assert_error_code(
            await browser.get("/api/v2/workspaces", headers=bearer(fresh["access_token"])), 401, "unauthenticated"
        )
        again = await browser.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": fresh["refresh_token"], "client_id": client_id},
        )
        assert again.json()["error"] == "invalid_grant"

    async def test_another_clients_refresh_token_is_invalid_grant(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        _, tokens, ws = await _pair(tenants, browser)
        other = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": other.client_id,
            },
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"

    async def test_a_wider_scope_is_invalid_scope(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, tokens, _ = await _pair(tenants, browser, scope="read")

        response = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": client_id,
                "scope": "read write",
            },
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"


class TestRevocation:
    async def test_a_revoked_access_token_is_401_on_the_api(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        client_id, tokens, _ = await _pair(tenants, browser)

        response = await browser.post("/oauth/revoke", data={"token": tokens["access_token"], "client_id": client_id})

        assert response.status_code == 200
        api = await browser.get("/api/v2/workspaces", headers=bearer(tokens["access_token"]))
        assert_error_code(api, 401, "unauthenticated")

    async def test_revoking_the_refresh_token_revokes_the_pair(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        client_id, tokens, _ = await _pair(tenants, browser)

        await browser.post("/oauth/revoke", data={"token": tokens["refresh_token"], "client_id": client_id})

        refresh = await browser.post(
            "/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id},
        )
        assert refresh.json()["error"] == "invalid_grant"
        assert_error_code(
            await browser.get("/api/v2/workspaces", headers=bearer(tokens["access_token"])), 401, "unauthenticated"
        )

    async def test_an_unknown_token_is_200(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await browser.post("/oauth/revoke", data={"token": "wta_unknown", "client_id": client.client_id})

        assert response.status_code == 200
        assert response.content in (b"", b"{}")  # RFC 7009 §2.2: nothing to say about a token it does not know

    async def test_another_clients_token_is_not_revoked(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        _, tokens, ws = await _pair(tenants, browser)
        other = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await browser.post(
            "/oauth/revoke", data={"token": tokens["access_token"], "client_id": other.client_id}
        )

        assert_error_code(response, 400, "invalid_grant")
        assert (await browser.get("/api/v2/workspaces", headers=bearer(tokens["access_token"]))).status_code == 200

    async def test_missing_token_is_invalid_request(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        client = await register_client(tenants.sessionmaker, ws.owner.user_id)

        response = await browser.post("/oauth/revoke", data={"client_id": client.client_id})

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
