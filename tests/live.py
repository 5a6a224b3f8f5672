"""The app served by a real uvicorn on a free loopback port, in a thread with its own event loop, on the
test database: the one way the web, client and MCP tests start a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from tests.conftest import make_settings
from worktally.main import create_app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object


@contextmanager
def serve(database_url: str, **overrides: object) -> Iterator[LiveServer]:
    """A server on the test database with these settings (e.g. ``rate_limit_per_minute=3``)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(database_url, public_url=url, **overrides))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, name=f"live-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=url, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
