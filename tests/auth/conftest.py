from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import make_settings
from worktally.main import create_app


@pytest.fixture
async def browser(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own (its own cookies) over TLS, as OAuth2 requires (RFC 6749 §1.6)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


@pytest.fixture(scope="session")
async def limited_app(database_url: str) -> AsyncIterator[object]:
    """The app with a limit of 3 requests per minute (D8)."""
    application = create_app(make_settings(database_url, rate_limit_per_minute=3))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def limited(limited_app: object) -> AsyncIterator[httpx.AsyncClient]:
    await limited_app.state.rate_limiter.reset()  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=limited_app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http
