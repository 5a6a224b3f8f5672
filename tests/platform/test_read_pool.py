"""The prepared reads' connection pool (db/read_pool.py) against a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import need_service
from worktally.db.read_pool import ReadPool


@pytest.fixture
async def pool() -> AsyncIterator[ReadPool]:
    server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
    read_pool = ReadPool(make_url(server).set(drivername="postgresql").render_as_string(hide_password=False), 3)
    yield read_pool
    await read_pool.close()


async def _backend_pids(pool: ReadPool, count: int) -> set[int]:
    connections = [await pool.acquire() for _ in range(count)]
    pids = {await c.fetchval("SELECT pg_backend_pid()") for c in connections}
    for connection in connections:
        pool.release(connection)
    return pids


async def queued(pool: ReadPool) -> None:
    """Until the new acquire task has joined the pool's queue of waiters (at most 10 s): the condition itself,
    not a guess at how many turns of the event loop it takes."""
    async with asyncio.timeout(10):
        while len(pool._waiters) != 1:  # noqa: ASYNC110 - the pool's queue has no event to await
            await asyncio.sleep(0)


async def test_never_opens_more_than_its_size_and_reuses_connections(pool: ReadPool) -> None:
    in_use = 0
    most = 0
    full = asyncio.Event()  # the first three hold their connections until all three are taken

    async def read() -> None:
        nonlocal in_use, most
        connection = await pool.acquire()
        in_use += 1
        most = max(most, in_use)
        if in_use == 3:
            full.set()
        try:
            assert await connection.fetchval("SELECT 1") == 1
            await asyncio.wait_for(full.wait(), 10)
        finally:
            in_use -= 1
            pool.release(connection)

    await asyncio.gather(*(read() for _ in range(40)))

    assert most == 3
    assert len(await _backend_pids(pool, 3)) == 3
    assert len(await _backend_pids(pool, 3)) == 3  # the same three, not new ones


async def test_a_closed_connection_is_replaced(pool: ReadPool) -> None:
    first = await pool.acquire()
    pid = await first.fetchval("SELECT pg_backend_pid()")
    first.terminate()  # as after a server restart
    pool.release(first)

    again = await pool.acquire()
    try:
        assert await again.fetchval("SELECT pg_backend_pid()") != pid
    finally:
        pool.release(again)


async def test_a_waiter_gets_a_new_connection_when_the_released_one_was_closed(pool: ReadPool) -> None:
    held = [await pool.acquire() for _ in range(3)]
    waiting = asyncio.ensure_future(pool.acquire())
    await queued(pool)
    assert not waiting.done()

    held[0].terminate()
    pool.release(held[0])
    replacement = await asyncio.wait_for(waiting, 10)

    assert await replacement.fetchval("SELECT 1") == 1
    for connection in [replacement, *held[1:]]:
        pool.release(connection)


async def test_a_cancelled_waiter_loses_no_connection(pool: ReadPool) -> None:
    held = [await pool.acquire() for _ in range(3)]
    waiting = asyncio.ensure_future(pool.acquire())
    await queued(pool)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for connection in held:
        pool.release(connection)

    assert len(await _backend_pids(pool, 3)) == 3  # all three still available
