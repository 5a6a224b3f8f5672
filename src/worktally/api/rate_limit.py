"""D8: the only place limits are defined and enforced.

60 requests per minute per authenticated user (a moving window, so "60 per minute" holds for every
60-second span), counted in Redis when ``WORKTALLY_REDIS_URL`` is set so that every server process
shares one count (``limits``' moving window), in process memory otherwise. Anonymous callers, the OAuth
endpoints and the sign-in and invitation forms are counted per client address with the same figure.

In memory the window is a deque of hit times per key (``MemoryWindows``): one step per request, where
``limits``' memory storage took two calls, a lock and a list scan (measured 30-43 µs a request against ~2 µs).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worktally.core.errors import RateLimitedError

STATE_KEY = "rate_limit"


HEADER_NAMES = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")  # D8
_RAW_HEADER_NAMES = tuple(name.lower().encode() for name in HEADER_NAMES)


@dataclass(frozen=True, slots=True)
class LimitState:
    limit: int
    remaining: int
    reset_at: int  # Unix time when a slot frees up

    def _values(self) -> tuple[str, str, str]:
        return str(self.limit), str(self.remaining), str(self.reset_at)

    def headers(self) -> dict[str, str]:
        return dict(zip(HEADER_NAMES, self._values(), strict=True))

    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The same headers as ASGI sends them (lower-case names): added to every API response."""
        return tuple(zip(_RAW_HEADER_NAMES, (value.encode() for value in self._values()), strict=True))


class MemoryWindows:
    """Moving windows in this process: per key, the times of the hits of the last ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._hits: dict[str, deque[float]] = {}
        self._since_sweep = 0

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count a hit unless the window is full: (allowed, remaining, when the oldest hit leaves the window)."""
        now = time.time()
        cutoff = now - self.period
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            self._sweep(cutoff)
        while hits and hits[0] <= cutoff:
            hits.popleft()
        allowed = len(hits) < self.limit
        if allowed:
            hits.append(now)
        return allowed, self.limit - len(hits), hits[0] + self.period

    def _sweep(self, cutoff: float) -> None:
        """Forget keys with no hit in the window, now and then, so that memory follows the active callers."""
        self._since_sweep += 1
        if self._since_sweep < 1000:
            return
        self._since_sweep = 0
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]

    def clear(self) -> None:
        self._hits.clear()


class RateLimiter:
    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(per_minute)
        self.memory: MemoryWindows | None = None if redis_url else MemoryWindows(per_minute, self.item.get_expiry())
        self.storage: Storage | None = None
        if redis_url:
            self.storage = RedisStorage(f"async+{redis_url}", implementation="redispy")
            self.limiter = MovingWindowRateLimiter(self.storage)

    async def _count(self, key: str) -> tuple[bool, LimitState]:
        if self.memory is not None:
            allowed, remaining, reset_time = self.memory.hit(key)
        else:
            allowed = await self.limiter.hit(self.item, "wt", key)
            stats = await self.limiter.get_window_stats(self.item, "wt", key)
            remaining, reset_time = stats.remaining, stats.reset_time
        return allowed, LimitState(limit=self.per_minute, remaining=max(0, remaining), reset_at=math.ceil(reset_time))

    async def hit(self, key: str) -> LimitState:
        """Count one request for ``key``; raises 429 (with the D8 headers) when over the limit."""
        allowed, state = await self._count(key)
        if not allowed:
            retry_after = min(self.item.get_expiry(), max(1, math.ceil(state.reset_at - time.time())))
            raise RateLimitedError(headers={**state.headers(), "Retry-After": str(retry_after)})
        return state

    async def hit_user(self, user_id: int) -> LimitState:
        return await self.hit(f"user:{user_id}")

    async def hit_address(self, address: str) -> LimitState:
        return await self.hit(f"addr:{address}")

    async def count_address(self, address: str) -> LimitState:
        """Count a request that was answered before authentication (404, 405, malformed body); never refuses."""
        return (await self._count(f"addr:{address}"))[1]

    async def reset(self) -> None:
        if self.memory is not None:
            self.memory.clear()
        if self.storage is not None:
            await self.storage.reset()


def remember(scope_state: dict[str, Any], state: LimitState) -> None:
    scope_state[STATE_KEY] = state


class RateLimitHeadersMiddleware:
    """Adds X-RateLimit-* to every API response (D8).

    A request answered before authentication counted it (unknown route, wrong method, a body that is not
    JSON) is counted here against the client's address, so that it too carries the headers.
    """

    def __init__(self, app: ASGIApp, api_prefix: str = "/api/v2") -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope.get("state", {}).get(STATE_KEY)
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                counted = b"x-ratelimit-limit" in present  # a 429 carries its own headers
                if state is None and not counted and scope["path"].startswith(self.api_prefix):
                    limiter: RateLimiter | None = getattr(scope["app"].state, "rate_limiter", None)
                    client = scope.get("client")
                    if limiter is not None:
                        state = await limiter.count_address(client[0] if client else "unknown")
                if state is not None:
                    headers.extend(header for header in state.raw_headers() if header[0] not in present)
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
