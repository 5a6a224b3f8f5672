"""D8 in one process (no Redis): per user, per address for anonymous callers, with the headers."""

from __future__ import annotations

import time

import httpx

from tests.errors import assert_error_code
from tests.platform.conftest import LimitedFactory

THINGS = "/_probe/things"


def remaining(response: httpx.Response) -> int:
    return int(response.headers["X-RateLimit-Remaining"])


class TestUserLimit:
    async def test_remaining_counts_down_to_zero(self, limited: LimitedFactory) -> None:
        tenants = await limited(3)
        ws = await tenants.workspace()

        responses = [await ws.owner.api.get(THINGS) for _ in range(3)]

        assert [r.status_code for r in responses] == [200, 200, 200]
        assert [remaining(r) for r in responses] == [2, 1, 0]
        assert {r.headers["X-RateLimit-Limit"] for r in responses} == {"3"}

    async def test_the_request_past_the_limit_is_429_in_the_envelope(self, limited: LimitedFactory) -> None:
        tenants = await limited(3)
        ws = await tenants.workspace()
        for _ in range(3):
            await ws.owner.api.get(THINGS)

        response = await ws.owner.api.get(THINGS)

        assert_error_code(response, 429, "rate_limited")
        body = response.json()
        assert body["success"] is False
        assert body["message"]
        assert body["meta"]["api_version"] == "2.0.0"

    async def test_429_says_when_to_retry(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        for _ in range(2):
            await ws.owner.api.get(THINGS)

        response = await ws.owner.api.get(THINGS)

        now = time.time()
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert now < int(response.headers["X-RateLimit-Reset"]) <= now + 61
        assert response.headers["X-RateLimit-Limit"] == "2"
        assert remaining(response) == 0

    async def test_writes_and_reads_share_one_count(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        await ws.owner.api.post(THINGS, json={"name": "x", "count": 1})
        await ws.owner.api.get(THINGS)

        response = await ws.owner.api.post(THINGS, json={"name": "y", "count": 1})

        assert_error_code(response, 429, "rate_limited")

    async def test_all_tokens_of_one_user_share_one_count(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        second = await ws.token_for(ws.owner, frozenset({"read", "write"}))
        await ws.owner.api.get(THINGS)
        await second.get(THINGS)

        response = await second.get(THINGS)

        assert_error_code(response, 429, "rate_limited")

    async def test_another_user_keeps_their_own_allowance(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        member = await ws.member(role="Executive manager")
        for _ in range(3):
            await ws.owner.api.get(THINGS)

        response = await member.api.get(THINGS)

        assert response.status_code == 200
        assert remaining(response) == 1

    async def test_throttled_requests_do_not_use_up_the_address_allowance(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        for _ in range(4):
            await ws.owner.api.get(THINGS)

        response = await tenants.http.get("/api/v2/workspaces")

        assert_error_code(response, 401, "unauthenticated")
        assert remaining(response) == 1


class TestAnonymousLimit:
    async def test_anonymous_requests_are_limited_per_address(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)

        responses = [await tenants.http.get("/api/v2/workspaces") for _ in range(3)]

        assert [r.status_code for r in responses] == [401, 401, 429]
        assert [remaining(r) for r in responses] == [1, 0, 0]
        assert "Retry-After" in responses[2].headers
        assert responses[2].json()["success"] is False

    async def test_unknown_tokens_count_against_the_address(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        bad = {"Authorization": "Bearer wtp_guess"}

        responses = [await tenants.http.get("/api/v2/workspaces", headers=bad) for _ in range(3)]

        assert [r.status_code for r in responses] == [401, 401, 429]

    async def test_another_address_keeps_its_own_allowance(self, limited: LimitedFactory) -> None:
        tenants = await limited(1)
        await tenants.http.get("/api/v2/workspaces")
        app = tenants.http._transport.app  # type: ignore[attr-defined]
        elsewhere = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 1234)), base_url="http://testserver"
        )

        async with elsewhere:
            response = await elsewhere.get("/api/v2/workspaces")

        assert_error_code(response, 401, "unauthenticated")

    async def test_an_authenticated_user_is_not_limited_by_the_address(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        ws = await tenants.workspace()
        for _ in range(3):
            await tenants.http.get("/api/v2/workspaces")

        response = await ws.owner.api.get("/workspaces", with_workspace=False)

        assert response.status_code == 200
        assert [w["id"] for w in response.json()["data"]] == [ws.id]

    async def test_unknown_routes_count_against_the_address(self, limited: LimitedFactory) -> None:
        tenants = await limited(5)

        first = await tenants.http.get("/api/v2/nowhere")
        second = await tenants.http.get("/api/v2/nowhere")

        assert_error_code(first, 404, "http_404")
        assert_error_code(second, 404, "http_404")
        assert (remaining(first), remaining(second)) == (4, 3)
