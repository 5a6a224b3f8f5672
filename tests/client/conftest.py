"""A real server for the client's tests: uvicorn on a loopback port, on the test database (SQLite or
PostgreSQL), so that the client talks HTTP exactly as it would to any deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.live import LiveServer, serve
from tests.web.conftest import chromium, live_server

__all__ = ["chromium", "live_server"]


@pytest.fixture
def limited_server(database_url: str) -> Iterator[LiveServer]:
    """A server that allows 3 requests a minute per user (D8's moving window)."""
    with serve(database_url, rate_limit_per_minute=3) as server:
        yield server
