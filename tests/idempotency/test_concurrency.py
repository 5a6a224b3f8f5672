"""D18 under real concurrency: K requests with one key, at once, over loopback HTTP.

SQLite: one server (its writers are serialised). PostgreSQL: two server processes sharing the database, the
requests alternating between them, so that the in-flight check has to work across processes.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.factories import Tenants
from tests.idempotency.helpers import events_named, process_servers, projects_named, thread_server
from tests.time_entry.helpers import booked
from worktally.db.models import Change, RunningTracker, WebhookEvent


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[list[str]]:
    if database_url.startswith("postgres"):
        with process_servers(database_url, 2) as urls:
            yield urls
    else:
        with thread_server(database_url) as url:
            yield [url]


async def fire(servers: list[str], count: int, method: str, path: str, token: str, body: Any) -> list[httpx.Response]:
    """``count`` requests with one key and one body, sent together, spread over ``servers``."""
    k = "concurrent-" + secrets.token_hex(8)
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": k}
    clients = [httpx.AsyncClient(base_url=url, limits=limits, timeout=120) for url in servers]
    try:
        # A fresh token's first use updates its last_used_at, whose row lock would queue the requests one
        # behind the other; use it once first, so that they really race.
        await clients[0].get("/api/v2/workspaces", headers={"Authorization": f"Bearer {token}"})
        return await asyncio.gather(
            *(clients[i % len(clients)].request(method, path, headers=headers, json=body) for i in range(count))
        )
    finally:
        for c in clients:
            await c.aclose()


def assert_one_answer(responses: list[httpx.Response]) -> httpx.Response:
    """Every answer is the first one (status and body) or a 409 in flight; at least one is the answer."""
    answered = [r for r in responses if r.status_code != 409]
    in_flight = [r for r in responses if r.status_code == 409]
    assert answered, [r.text for r in responses]
    first = answered[0]
    assert 200 <= first.status_code < 300, first.text
    for r in answered:
        assert (r.status_code, r.content) == (first.status_code, first.content)
    assert sum(1 for r in answered if "idempotent-replayed" not in r.headers) <= 1
    for r in in_flight:
        assert r.json()["error"] == "idempotency_key_in_flight"
        assert r.headers["retry-after"] == "1"
    return first


async def changes_of(tenants: Tenants, workspace_id: int, type: str) -> int:
    async with tenants.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Change).where(Change.workspace_id == workspace_id, Change.type == type)
        )
        return int(count or 0)


class TestOneKeyManyRequests:
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(k=st.integers(2, 20))
    async def test_a_create_happens_once_and_every_answer_is_the_same(
        self, tenants: Tenants, servers: list[str], k: int
    ) -> None:
        ws = await tenants.workspace()
        name = "Concurrent " + secrets.token_hex(4)

        responses = await fire(
            servers, k, "POST", "/api/v2/projects", ws.owner.token, {"workspace_id": ws.id, "name": name}
        )

        assert_one_answer(responses)
        assert await projects_named(tenants.sessionmaker, ws.id, name) == 1
        assert await events_named(tenants.sessionmaker, ws.id, "project.created", name) == 1
        assert await changes_of(tenants, ws.id, "project") == 1

    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(k=st.integers(2, 20))
    async def test_a_tracker_starts_once(self, tenants: Tenants, servers: list[str], k: int) -> None:
        b = await booked(tenants)

        responses = await fire(
            servers,
            k,
            "POST",
            "/api/v2/time-tracking/start",
            b.member.token,
            {"workspace_id": b.ws.id, "contract_id": b.contract_id},
        )

        assert_one_answer(responses)
        async with tenants.sessionmaker() as session:
            running = await session.scalar(
                select(func.count()).select_from(RunningTracker).where(RunningTracker.user_id == b.member.user_id)
            )
            started = await session.scalar(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.workspace_id == b.ws.id, WebhookEvent.type == "tracker.started")
            )
        assert running == 1
        assert started == 1
        assert await changes_of(tenants, b.ws.id, "tracking") == 1
