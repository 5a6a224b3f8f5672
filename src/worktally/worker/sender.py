"""One HTTP attempt: sign the stored payload (Standard Webhooks, D11), POST it, classify the outcome.

Unless private targets are allowed, the host is resolved here, every address checked, and the request
sent to the checked address (``Host`` and TLS SNI keep the name), so DNS cannot change between check
and connect. Redirects are not followed; only a 2xx counts as delivered.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks import Webhook as Signer

from worktally import __version__
from worktally.core.clock import utc_now
from worktally.webhook.targets import TargetRefused, host_of, parse_url, refuse_private, resolve

USER_AGENT = f"Worktally-Webhooks/{__version__}"
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_of(payload: dict[str, Any]) -> str:
    """The exact bytes that are signed and sent: the stored payload as compact JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signed_headers(*, secret: str, event_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Signer(secret).sign(event_id, at, body),
    }


async def _pinned_request(url: httpx.URL, *, allow_private: bool) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """The URL to connect to, extra headers and request extensions (see the module docstring)."""
    if allow_private:
        return url, {}, {}
    port = url.port or (443 if url.scheme == "https" else 80)
    host = host_of(url)
    addresses = await resolve(host, port)
    refuse_private(addresses)
    pinned = url.copy_with(host=str(addresses[0]))
    extensions: dict[str, Any] = {"sni_hostname": host} if url.scheme == "https" else {}
    host_header = url.netloc.decode("ascii")
    return pinned, {"Host": host_header}, extensions


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return f"Timed out after {timeout:g} s."
    if isinstance(exc, httpx.ConnectError):
        return f"Connection failed: {exc}" if str(exc) else "Connection failed."
    if isinstance(exc, TargetRefused):
        return str(exc)
    if isinstance(exc, OSError):
        return f"Could not resolve or reach the target: {exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def send(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    event_id: str,
    payload: dict[str, Any],
    time_limit: float,
    allow_private: bool,
) -> Outcome:
    """Attempt one delivery; never raises for anything the target or the network does."""
    attempted_at = utc_now()
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(time_limit):
            target, extra_headers, extensions = await _pinned_request(parse_url(url), allow_private=allow_private)
            body = body_of(payload)
            headers = {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                **extra_headers,
                # The signature carries real time: receivers reject timestamps more than 5 minutes off.
                **signed_headers(secret=secret, event_id=event_id, body=body, at=datetime.now(UTC)),
            }
            request = client.build_request(
                "POST", target, content=body.encode(), headers=headers, extensions=extensions
            )
            response = await client.send(request, stream=True)
            try:
                status_code = response.status_code
            finally:
                await response.aclose()
            if not 200 <= status_code < 300:
                error = f"The target answered HTTP {status_code}."
    except Exception as exc:  # the target's and the network's failures are data here
        error = _describe(exc, time_limit)[:MAX_ERROR_LENGTH]
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(attempted_at=attempted_at, status_code=status_code, duration_ms=duration_ms, error=error)


def new_client(timeout: float) -> httpx.AsyncClient:
    """The worker's HTTP client: no redirects, no proxies or credentials from the environment."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )
