"""Pooled PostgreSQL connections that the server closed are replaced, not turned into errors.

Without ``pool_pre_ping`` (a round trip per checkout, db/session.py) both pools rely on the driver noticing
that the server closed a connection: SQLAlchemy's through a checkout check, the prepared reads' (asyncpg's)
through its own. This test closes every connection of the app from the server's side
(``pg_terminate_backend``, what a restart does), then reads and writes through the API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tests.conftest import create_postgres_database, drop_postgres_database, make_settings, need_service
from tests.factories.workspace import Tenants
from worktally.db.migrate import upgrade
from worktally.main import create_app


@pytest.fixture
async def postgres_tenants() -> AsyncIterator[tuple[Tenants, str, FastAPI]]:
    server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
    url, name = create_postgres_database(server, prefix="wt_conn")
    try:
        upgrade(url)
        app = create_app(make_settings(url))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield Tenants(app.state.sessionmaker, client), url, app
    finally:
        drop_postgres_database(server, name)


def _terminate_connections(url: str) -> int:
    database = make_url(url).database
    conninfo = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def _watch_checkins(app: FastAPI) -> list[Any]:
    """The driver connections returned to either pool from now on: the read pool's idle ones and SQLAlchemy's."""
    seen: list[Any] = []

    def checked_in(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            seen.append(dbapi_connection.driver_connection)

    event.listen(app.state.engine.sync_engine, "checkin", checked_in)
    return seen


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until ``condition`` holds (it reads the sockets' EOF), at most 10 s.

    The drivers notice a closed socket on their own; there is no event to await but the condition itself.
    """
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - no event exists for a peer's EOF
            await asyncio.sleep(0.01)


async def test_requests_after_the_server_closed_every_connection(
    postgres_tenants: tuple[Tenants, str, FastAPI],
) -> None:
    tenants, url, app = postgres_tenants
    session_connections = _watch_checkins(app)
    ws = await tenants.workspace()
    created = await ws.owner.api.post("/projects", json={"name": "Before"})
    assert created.status_code == 201, created.text
    project_id = created.json()["data"]["id"]
    # Warm both pools: prepared reads (GET) and the session (POST) each hold pooled connections now.
    for _ in range(3):
        assert (await ws.owner.api.get(f"/projects/{project_id}")).status_code == 200

    idle = [*app.state.read_pool._idle, *session_connections]
    assert app.state.read_pool._idle and session_connections, "both pools hold connections"
    assert _terminate_connections(url) >= 1
    await until(lambda: all(connection.is_closed() for connection in idle))  # the drivers saw the EOF

    read = await ws.owner.api.get(f"/projects/{project_id}")
    assert read.status_code == 200, read.text
    assert read.json()["data"]["name"] == "Before"
    listed = await ws.owner.api.get("/workspaces")
    assert listed.status_code == 200, listed.text
    written = await ws.owner.api.post("/projects", json={"name": "After"})
    assert written.status_code == 201, written.text
