from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from tests.auth.kit import csrf_of, sign_in
from tests.errors import assert_error_code, assert_page_error
from tests.factories import Tenants
from worktally.db.models import PersonalAccessToken

NEW_TOKEN = re.compile(r'id="new-token">(wtp_[^<]+)<')


async def _signed_in(tenants: Tenants, browser: httpx.AsyncClient) -> tuple[str, int]:
    ws = await tenants.workspace()
    await sign_in(browser, ws.owner.email)
    page = await browser.get("/settings/tokens")
    return csrf_of(page.text), ws.id


class TestTokensPage:
    async def test_anonymous_is_sent_to_sign_in(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/settings/tokens")

        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=%2Fsettings%2Ftokens"


class TestCreateToken:
    async def test_shows_the_token_once_and_it_calls_the_api(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        csrf, ws_id = await _signed_in(tenants, browser)

        response = await browser.post(
            "/settings/tokens", data={"csrf_token": csrf, "name": "CI", "scopes": ["read", "write"]}
        )

        assert response.status_code == 201
        match = NEW_TOKEN.search(response.text)
        assert match
        api = await browser.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {match.group(1)}"})
        assert [w["id"] for w in api.json()["data"]] == [ws_id]
        assert NEW_TOKEN.search((await browser.get("/settings/tokens")).text) is None

    async def test_a_read_only_token_cannot_write(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, ws_id = await _signed_in(tenants, browser)
        response = await browser.post("/settings/tokens", data={"csrf_token": csrf, "name": "RO", "scopes": "read"})
        match = NEW_TOKEN.search(response.text)
        assert match

        api = await browser.post(
            "/api/v2/members",
            params={"workspace_id": ws_id},
            json={"email": "x@example.test"},
            headers={"Authorization": f"Bearer {match.group(1)}"},
        )

        assert_error_code(api, 403, "insufficient_scope")

    async def test_a_missing_name_is_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post("/settings/tokens", data={"csrf_token": csrf, "name": " ", "scopes": "read"})

        assert_page_error(response, 422, "validation_failed")
        assert "The name is required." in response.text

    async def test_an_unknown_scope_is_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post("/settings/tokens", data={"csrf_token": csrf, "name": "x", "scopes": "admin"})

        assert_page_error(response, 422, "validation_failed")

    async def test_without_the_csrf_token_is_403(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        await _signed_in(tenants, browser)

        response = await browser.post("/settings/tokens", data={"name": "x", "scopes": "read"})

        assert_page_error(response, 403, "csrf_failed")


class TestRevokeToken:
    async def test_the_token_stops_working(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)
        created = await browser.post("/settings/tokens", data={"csrf_token": csrf, "name": "old", "scopes": "read"})
        match = NEW_TOKEN.search(created.text)
        assert match
        token_id = re.search(r'action="/settings/tokens/(\d+)/revoke"', created.text)
        assert token_id

        response = await browser.post(f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf})

        assert response.status_code == 303
        api = await browser.get("/api/v2/workspaces", headers={"Authorization": f"Bearer {match.group(1)}"})
        assert_error_code(api, 401, "unauthenticated")

    async def test_someone_elses_token_is_404(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        other = await tenants.workspace()
        async with tenants.sessionmaker() as session:
            other_token_id = (
                await session.execute(
                    select(PersonalAccessToken.id).where(PersonalAccessToken.user_id == other.owner.user_id)
                )
            ).scalar_one()
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post(f"/settings/tokens/{other_token_id}/revoke", data={"csrf_token": csrf})

        assert_page_error(response, 404, "not_found")
        assert (await other.owner.api.get("/workspaces", with_workspace=False)).status_code == 200

    async def test_a_huge_id_is_404_not_500(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post(f"/settings/tokens/{2**63}/revoke", data={"csrf_token": csrf})

        assert_page_error(response, 404, "not_found")


class TestRegisterApp:
    async def test_a_confidential_app_gets_a_secret_shown_once(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post(
            "/settings/apps",
            data={
                "csrf_token": csrf,
                "name": "Reports",
                "redirect_uri": "https://app.example/cb",
                "client_type": "confidential",
            },
        )

        assert response.status_code == 201
        client_id = re.search(r'id="new-client-id">(wtc_[^<]+)<', response.text)
        secret = re.search(r'id="new-client-secret">(wts_[^<]+)<', response.text)
        assert client_id and secret
        token = await browser.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id.group(1), secret.group(1))
        )
        assert token.status_code == 200

    async def test_a_public_app_has_no_secret(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post(
            "/settings/apps",
            data={
                "csrf_token": csrf,
                "name": "CLI",
                "redirect_uri": "http://127.0.0.1:8765/cb",
                "client_type": "public",
            },
        )

        assert response.status_code == 201
        assert 'id="new-client-id"' in response.text
        assert 'id="new-client-secret"' not in response.text

    async def test_a_relative_redirect_uri_is_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        csrf, _ = await _signed_in(tenants, browser)

        response = await browser.post(
            "/settings/apps", data={"csrf_token": csrf, "name": "Bad", "redirect_uri": "/cb#frag"}
        )

        assert_page_error(response, 422, "validation_failed")
        assert "redirect URI" in response.text
