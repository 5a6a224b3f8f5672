from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from tests.auth.conftest import browser, limited, limited_app
from tests.conftest import IN_CI, make_settings
from worktally.main import create_app

__all__ = ["browser", "limited", "limited_app"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[LiveServer]:
    """A real uvicorn server on a free loopback port, on the test database, in a background thread."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(database_url, public_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(url=url, app=app)
    server.should_exit = True
    thread.join(timeout=20)


@pytest.fixture
async def chromium() -> AsyncIterator[object]:
    """The system Chromium, driven by Playwright (never a downloaded browser)."""
    if shutil.which(str(CHROMIUM)) is None:
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is required under CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser_ = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser_
        finally:
            await browser_.close()
