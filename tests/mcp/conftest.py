"""MCP over a real server: uvicorn on a loopback port (the test database), the MCP SDK's own client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp.client.streamable_http import streamable_http_client

from mcp import Client
from tests.auth.kit import exchange, obtain_code, pkce_pair, sign_in
from tests.factories import Member
from tests.live import LiveServer, serve

Live = LiveServer


@pytest.fixture(scope="session")
def live(database_url: str) -> Iterator[Live]:
    """The app served by uvicorn on a loopback port, in a thread with its own event loop and engine."""
    with serve(database_url, db_pool_size=5) as server:
        yield server


@pytest.fixture(scope="session")
def live_limited(database_url: str) -> Iterator[Live]:
    """The same, with a limit of 3 requests per minute and caller (D8)."""
    with serve(database_url, db_pool_size=5, rate_limit_per_minute=3) as server:
        yield server


async def oauth_token(live: Live, member: Member, scope: str = "read write") -> str:
    """An access token of the built-in client ``wt``: sign-in, consent, code + PKCE on a loopback redirect."""
    redirect = "http://127.0.0.1:49321/callback"
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as browser:
        assert (await sign_in(browser, member.email)).status_code in (302, 303)
        verifier, challenge = pkce_pair()
        code = await obtain_code(browser, "wt", challenge, redirect_uri=redirect, scope=scope)
        token = await exchange(browser, client_id="wt", code=code, redirect_uri=redirect, code_verifier=verifier)
    assert token.status_code == 200, token.text
    access: str = token.json()["access_token"]
    return access


@asynccontextmanager
async def mcp_http(live: Live, token: str) -> AsyncIterator[Client]:
    """The SDK's client on ``/mcp`` over Streamable HTTP, with ``token`` as the bearer."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60)
    async with http, Client(streamable_http_client(f"{live.url}/mcp", http_client=http)) as client:
        yield client


def structured(result: Any) -> dict[str, Any]:
    """A successful tool call's answer as a dict."""
    assert not result.is_error, result.content
    if result.structured_content is not None:
        data: dict[str, Any] = result.structured_content
        return data
    parsed: dict[str, Any] = json.loads(result.content[0].text)
    return parsed


def error_text(result: Any) -> str:
    assert result.is_error, result.content
    return " ".join(getattr(part, "text", "") for part in result.content)
