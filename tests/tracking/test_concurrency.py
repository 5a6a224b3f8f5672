"""D9: one running tracker per user, decided by the database, under real concurrent HTTP requests."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from tests.conftest import make_settings
from tests.factories import Tenants
from tests.time_entry.helpers import booked
from worktally.db.models import RunningTracker
from worktally.main import create_app

CONCURRENT_STARTS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, in a thread with its own event loop and engine."""
    port = _free_port()
    # 10: at most 30 connections (session pool, its overflow, the read pool), so that the other test process
    # sharing the PostgreSQL server stays under its max_connections (a refused connection is a 503).
    app = create_app(make_settings(database_url, db_pool_size=10))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


class TestConcurrentStarts:
    async def test_fifty_simultaneous_starts_leave_one_tracker_and_49_conflicts(
        self, tenants: Tenants, live_server: str
    ) -> None:
        b = await booked(tenants)
        limits = httpx.Limits(max_connections=CONCURRENT_STARTS, max_keepalive_connections=CONCURRENT_STARTS)

        async with httpx.AsyncClient(base_url=live_server, limits=limits, timeout=120) as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        "/api/v2/time-tracking/start",
                        headers={"Authorization": f"Bearer {b.member.token}"},
                        json={"workspace_id": b.ws.id, "contract_id": b.contract_id},
                    )
                    for _ in range(CONCURRENT_STARTS)
                )
            )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [409] * (CONCURRENT_STARTS - 1)
        assert all(r.json()["error"] == "tracker_already_running" for r in responses if r.status_code == 409)
        async with tenants.sessionmaker() as session:
            running = await session.scalar(
                select(func.count()).select_from(RunningTracker).where(RunningTracker.user_id == b.member.user_id)
            )
        assert running == 1
