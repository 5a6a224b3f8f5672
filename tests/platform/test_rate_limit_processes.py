"""D8 across processes: two real ``worktally serve`` processes share one count through Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis

from tests.conftest import need_service
from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.platform.processes import Server, cli_env, serving_many

pytestmark = [pytest.mark.redis, pytest.mark.slow]

LIMIT = 60
REDIS_DB = 5  # a database of our own, emptied before each test


@pytest.fixture(scope="module")
def redis_url() -> str:
    base = urlsplit(need_service("WORKTALLY_TEST_REDIS_URL", "Redis"))
    return urlunsplit((base.scheme, base.netloc, f"/{REDIS_DB}", base.query, ""))


@pytest.fixture(scope="module")
def servers(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    home: Path = tmp_path_factory.mktemp("limit")
    env = cli_env(database_url, WORKTALLY_REDIS_URL=redis_url, WORKTALLY_RATE_LIMIT_PER_MINUTE=str(LIMIT))
    # Migrated already (the session's database), so the two never race on the schema.
    with serving_many(env, home, count=2) as both:
        yield both


@pytest.fixture
def fresh_counts(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


async def alternate(servers: list[Server], count: int, headers: dict[str, str]) -> list[httpx.Response]:
    responses = []
    async with httpx.AsyncClient(timeout=30) as http:
        for i in range(count):
            server = servers[i % len(servers)]
            responses.append(await http.get(f"{server.base_url}/api/v2/workspaces", headers=headers))
    return responses


@pytest.mark.usefixtures("fresh_counts")
class TestLimitAcrossProcesses:
    async def test_one_user_gets_60_requests_across_two_processes(
        self, servers: list[Server], tenants: Tenants
    ) -> None:
        ws = await tenants.workspace()

        responses = await alternate(servers, LIMIT + 1, {"Authorization": f"Bearer {ws.owner.token}"})

        assert [r.status_code for r in responses[:LIMIT]] == [200] * LIMIT
        assert [int(r.headers["X-RateLimit-Remaining"]) for r in responses[:LIMIT]] == list(range(LIMIT - 1, -1, -1))
        assert {r.headers["X-RateLimit-Limit"] for r in responses} == {str(LIMIT)}

    async def test_the_61st_request_is_429_with_retry_after_and_reset(
        self, servers: list[Server], tenants: Tenants
    ) -> None:
        ws = await tenants.workspace()

        responses = await alternate(servers, LIMIT + 1, {"Authorization": f"Bearer {ws.owner.token}"})

        last = responses[-1]
        assert_error_code(last, 429, "rate_limited")
        assert last.json()["success"] is False
        assert 1 <= int(last.headers["Retry-After"]) <= 60
        now = time.time()
        assert now - 1 < int(last.headers["X-RateLimit-Reset"]) <= now + 61
        assert last.headers["X-RateLimit-Remaining"] == "0"

    async def test_anonymous_requests_are_counted_per_address_across_processes(self, servers: list[Server]) -> None:
        responses = await alternate(servers, LIMIT + 1, {})

        assert [r.status_code for r in responses[:LIMIT]] == [401] * LIMIT
        assert_error_code(responses[-1], 429, "rate_limited")
        assert "Retry-After" in responses[-1].headers
