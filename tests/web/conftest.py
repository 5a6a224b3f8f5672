from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.auth.conftest import browser, limited, limited_app
from tests.conftest import IN_CI
from tests.live import LiveServer, serve

__all__ = ["LiveServer", "browser", "limited", "limited_app"]

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


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[LiveServer]:
    """A real uvicorn server on a free loopback port, on the test database, in a background thread."""
    with serve(database_url) as server:
        yield server


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
