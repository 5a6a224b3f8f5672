"""Browsers of their own (each its own cookie jar) on the in-process app, and the invitation links that
only the invitee's mailbox gets (taken from the server log, where they go without SMTP, D12)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.auth.kit import csrf_of

LINK = re.compile(r"/accept-invitation/([A-Za-z0-9_\-]+)")
SIGNED_OUT = 303  # a page that needs a session redirects to /sign-in


@asynccontextmanager
async def new_browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


async def can_sign_in(app: Any, email: str, password: str) -> bool:
    """Whether a fresh browser signs in with this e-mail and password."""
    from tests.auth.kit import sign_in

    async with new_browser(app) as fresh:
        return (await sign_in(fresh, email, password=password)).status_code == 303


async def signed_in(browser: httpx.AsyncClient) -> bool:
    """Whether the browser's session still opens the settings page (else it is sent to /sign-in)."""
    response = await browser.get("/settings/tokens")
    assert response.status_code in (200, SIGNED_OUT), response.text
    return response.status_code == 200


async def post_form(browser: httpx.AsyncClient, page_path: str, action: str, **fields: str) -> httpx.Response:
    """Open ``page_path`` for its CSRF token, then post ``fields`` to ``action``."""
    page = await browser.get(page_path)
    return await browser.post(action, data={"csrf_token": csrf_of(page.text), **fields})


async def invite_by_api(
    api: Any, caplog: pytest.LogCaptureFixture, email: str, *, role: str = "Regular User"
) -> tuple[httpx.Response, str]:
    """``POST /members``; returns the response and the token of the link sent to the invitee."""
    with caplog.at_level(logging.INFO, logger="worktally.member.mail"):
        caplog.clear()
        response = await api.post(
            "/members", json={"email": email, "firstname": "Mallory", "lastname": "Typed", "role": role}
        )
        mailed = [r.getMessage() for r in caplog.records if r.name == "worktally.member.mail"]
    assert response.status_code == 201, response.text
    tokens = [m.group(1) for line in mailed if (m := LINK.search(line))]
    assert len(tokens) == 1, mailed
    return response, tokens[0]
