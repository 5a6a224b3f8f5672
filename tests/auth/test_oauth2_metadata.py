from __future__ import annotations

import httpx


class TestServerMetadata:
    async def test_names_the_issuer_and_the_endpoints(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/.well-known/oauth-authorization-server")

        assert response.status_code == 200
        body = response.json()
        assert body["issuer"] == "http://testserver"
        assert body["authorization_endpoint"] == "http://testserver/oauth/authorize"
        assert body["token_endpoint"] == "http://testserver/oauth/token"
        assert body["revocation_endpoint"] == "http://testserver/oauth/revoke"
        assert body["scopes_supported"] == ["read", "write", "admin"]
        assert body["response_types_supported"] == ["code"]
        assert body["code_challenge_methods_supported"] == ["S256"]
        assert set(body["grant_types_supported"]) == {"authorization_code", "refresh_token", "client_credentials"}
        assert "none" in body["token_endpoint_auth_methods_supported"]

    async def test_is_plain_json_not_the_envelope(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/.well-known/oauth-authorization-server")

        assert "success" not in response.json()
        assert response.headers["content-type"].startswith("application/json")

    async def test_the_endpoints_are_in_the_openapi_document(self, browser: httpx.AsyncClient) -> None:
        paths = (await browser.get("/api/v2/openapi.json")).json()["paths"]

        assert {"/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server"} <= set(paths)
        form = paths["/oauth/token"]["post"]["requestBody"]["content"]
        assert "application/x-www-form-urlencoded" in form


class TestRateLimit:
    async def test_the_token_endpoint_is_limited_per_address(self, limited: httpx.AsyncClient) -> None:
        for _ in range(3):
            await limited.post("/oauth/token", data={"grant_type": "client_credentials"})

        response = await limited.post("/oauth/token", data={"grant_type": "client_credentials"})

        assert response.status_code == 429
        assert response.json()["error"] == "temporarily_unavailable"
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["x-ratelimit-limit"] == "3"
