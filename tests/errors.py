"""One way for a test to say which error it expects: the status and the envelope's stable ``error`` code.

A 403 for a missing scope must not pass a test meant for a role, nor a router's 404 a test meant for another
workspace's id: every 4xx assertion names its code (issue #13).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from worktally.core.errors import ERROR_CODE_HEADER


def assert_error_code(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """``response`` is ``status`` with ``error == code``; returns its body.

    Under ``/api/v2`` the body is the envelope (``success: false``); the OAuth2 endpoints answer RFC 6749's
    ``{"error": ...}``.
    """
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    if urlsplit(str(response.request.url)).path.startswith("/api/v2"):  # httpx's or schemathesis' response
        assert body.get("success") is False, response.text
    assert body.get("error") == code, f"expected error {code!r}, got {body.get('error')!r}: {response.text}"
    return body


def assert_oauth_error_page(response: httpx.Response, status: int, code: str) -> str:
    """An OAuth2 authorization request refused on an HTML page (RFC 6749 §4.1.2.1: never a redirect to an
    unverified ``redirect_uri``), naming its RFC 6749 ``error`` code as ``(code)``; returns the page."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    assert "location" not in response.headers
    assert f"({code})" in response.text, f"expected error {code!r} on the page: {response.text[:2000]}"
    return response.text


def assert_page_error(response: httpx.Response, status: int, code: str) -> str:
    """A response outside the API's envelope (a browser page, a static file) answering ``status`` that names
    ``code`` in ``X-Error-Code`` (the stable code the API would answer; by default its status's); returns
    its text."""
    assert response.status_code == status, response.text[:2000]
    assert not response.headers.get("content-type", "").startswith("application/json"), response.text[:2000]
    named = response.headers.get(ERROR_CODE_HEADER)
    assert named == code, f"expected error {code!r}, got {named!r}"
    return response.text
