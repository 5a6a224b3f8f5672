from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def browser(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own (its own cookies) over TLS, as OAuth2 requires (RFC 6749 §1.6)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


from tests.webhook.conftest import database_template, isolated, receiver  # noqa: E402, F401  (their fixtures, here too)
