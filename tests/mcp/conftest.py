"""MCP over a real server: uvicorn on a loopback port (the test database), the MCP SDK's own client."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
import pytest
import uvicorn
from mcp.client.streamable_http import streamable_http_client

from mcp import Client
from tests.auth.kit import approve, authorize_params, pkce_pair, query_of, sign_in
from tests.conftest import make_settings
from tests.factories import Member
from worktally.main import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Live:
    url: str


@pytest.fixture(scope="session")
def live(database_url: str) -> Iterator[Live]:
    """The app served by uvicorn on a loopback port, in a thread with its own event loop and engine."""
    yield from _serve(database_url)


@pytest.fixture(scope="session")
def live_limited(database_url: str) -> Iterator[Live]:
    """The same, with a limit of 3 requests per minute and caller (D8)."""
    yield from _serve(database_url, rate_limit_per_minute=3)


def _serve(database_url: str, **overrides: Any) -> Iterator[Live]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(database_url, public_url=url, db_pool_size=5, **overrides))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none")
    )
    thread = threading.Thread(target=server.run, name="mcp-live-server", daemon=True)
    thread.start()
    for _ in range(400):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    yield Live(url=url)
    server.should_exit = True
    thread.join(timeout=30)


async def oauth_token(live: Live, member: Member, scope: str = "read write") -> str:
    """An access token of the built-in client ``wt``: sign-in, consent, code + PKCE on a loopback redirect."""
    redirect = "http://127.0.0.1:49321/callback"
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as browser:
        assert (await sign_in(browser, member.email)).status_code in (302, 303)
        verifier, challenge = pkce_pair()
        answer = await approve(browser, authorize_params("wt", challenge, redirect_uri=redirect, scope=scope))
        assert answer.status_code == 302, answer.text
        code = query_of(answer.headers["location"])["code"]
        token = await browser.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "wt",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
        )
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
