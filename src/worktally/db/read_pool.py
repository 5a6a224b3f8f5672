"""The connections of the prepared reads on PostgreSQL (``db/prepared.py``): a pool of our own.

Not asyncpg's own pool nor SQLAlchemy's, because a request pays the pool's cycle (acquire, release) on
every prepared read it makes, and ours costs a fraction of theirs. ``make bench-read-pool``
(``bench/read_pool.py``) measures the cycle with one prepared ``fetchrow`` from 16 tasks on 10 connections,
in one run. On 2026-12-04 (2 cores, two runs): ReadPool 31,400-31,700 cycles a second; asyncpg's pool
0.36-0.37x of that (0.54x with its reset turned off); SQLAlchemy's pool 0.25x.

These connections never hold a transaction, setting or listener, so nothing needs resetting (asyncpg's pool
sends a reset round trip on each release by default and hands the release to a task); a connection the
server closed is dropped and replaced.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncEngine


class ReadPool:
    """At most ``size`` asyncpg connections for prepared reads, opened on demand, reused most-recent first."""

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._size = size
        self._open = 0
        self._idle: list[Any] = []
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._closed = False

    def usage(self) -> tuple[int, int, int]:
        """(connections open, of which idle, the most it may open): for the pool gauges of ``/metrics``."""
        return self._open, len(self._idle), self._size

    async def acquire(self) -> Any:
        while True:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
                self._open -= 1
            if self._closed:
                raise RuntimeError("the read pool is closed")
            if self._open < self._size:
                self._open += 1
                try:
                    return await asyncpg.connect(self._dsn)
                except BaseException:
                    self._open -= 1
                    raise
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self.release(waiter.result())  # handed over just as we were cancelled: pass it on
                raise
            if handed is not None:
                return handed
            # None: a connection closed and its slot freed; loop to open one.

    def release(self, connection: Any) -> None:
        if connection.is_closed():
            self._open -= 1
            connection = None  # a waiter may open a new one in the freed slot
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is not None:
            self._idle.append(connection)

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()
        self._open -= len(idle)


def create_read_pool(engine: AsyncEngine, size: int) -> ReadPool | None:
    """The pool prepared reads use on PostgreSQL (None elsewhere); close it at shutdown."""
    if engine.dialect.name != "postgresql":
        return None
    return ReadPool(engine.url.set(drivername="postgresql").render_as_string(hide_password=False), size)
