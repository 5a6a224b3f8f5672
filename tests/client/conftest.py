"""A real server for the client's tests: uvicorn on a loopback port, on the test database (SQLite or
PostgreSQL), so that the client talks HTTP exactly as it would to any deployment."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from tests.conftest import make_settings
from tests.web.conftest import LiveServer, _free_port, chromium, live_server
from worktally.main import create_app

__all__ = ["chromium", "live_server", "serve"]


@contextmanager
def serve(database_url: str, **overrides: object) -> Iterator[LiveServer]:
    """Another server on the test database, with settings of its own (e.g. a low rate limit)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(database_url, public_url=url, **overrides))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, name=f"server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def limited_server(database_url: str) -> Iterator[LiveServer]:
    """A server that allows 3 requests a minute per user (D8's moving window)."""
    with serve(database_url, rate_limit_per_minute=3) as server:
        yield server
