"""Why the prepared reads have a pool of their own: ``python -m bench.read_pool`` (``make bench-read-pool``).

A request on PostgreSQL takes a connection for its prepared reads (the bearer token and membership, a row by
id), runs one or two statements and gives it back. This measures that cycle — acquire, one prepared
``fetchrow``, release — from 16 concurrent tasks on 10 connections, in the same run and in interleaved rounds,
through

- ``worktally.db.read_pool.ReadPool`` (what the app uses),
- ``asyncpg.create_pool`` (asyncpg's own pool, with its default reset on release, and with no reset:
  the fairest comparison, since these connections never need one), and
- SQLAlchemy's pool (``AsyncEngine.connect()`` and the driver's ``fetchrow`` on its connection),

and prints cycles per second and each as a ratio of ``ReadPool``'s. It needs PostgreSQL
(``WORKTALLY_BENCH_POSTGRES_URL``, default the local test server). The statement is a one-row primary-key read
of the catalogue (``pg_class`` by oid), so what differs is the pool, not the query.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from worktally.db.read_pool import ReadPool

DEFAULT_SERVER = "postgresql://root@127.0.0.1:5432/test"
QUERY = "SELECT oid, relname FROM pg_class WHERE oid = $1"
OID = 1259  # pg_class itself

Cycle = Callable[[], Awaitable[None]]


async def _rate(cycle: Cycle, tasks: int, seconds: float) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            await cycle()
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return done / (time.perf_counter() - started)


async def run(dsn: str, *, tasks: int, size: int, seconds: float, rounds: int) -> dict[str, float]:
    ours = ReadPool(dsn, size)
    theirs = await asyncpg.create_pool(dsn, min_size=size, max_size=size)

    async def no_reset(connection: Any) -> None:
        return None

    unreset = await asyncpg.create_pool(dsn, min_size=size, max_size=size, reset=no_reset)
    engine = create_async_engine(make_url(dsn).set(drivername="postgresql+asyncpg"), pool_size=size, max_overflow=0)

    async def with_ours() -> None:
        connection = await ours.acquire()
        try:
            await connection.fetchrow(QUERY, OID)
        finally:
            ours.release(connection)

    async def with_asyncpg() -> None:
        async with theirs.acquire() as connection:
            await connection.fetchrow(QUERY, OID)

    async def with_asyncpg_unreset() -> None:
        async with unreset.acquire() as connection:
            await connection.fetchrow(QUERY, OID)

    async def with_sqlalchemy() -> None:
        async with engine.connect() as connection:
            raw: Any = (await connection.get_raw_connection()).driver_connection
            await raw.fetchrow(QUERY, OID)

    cycles = {
        "ReadPool (ours)": with_ours,
        "asyncpg.create_pool": with_asyncpg,
        "asyncpg.create_pool, no reset": with_asyncpg_unreset,
        "SQLAlchemy's pool": with_sqlalchemy,
    }
    totals = dict.fromkeys(cycles, 0.0)
    try:
        for cycle in cycles.values():  # warm up: every connection opened, every statement prepared
            await _rate(cycle, tasks, 1.0)
        for _ in range(rounds):  # interleaved: a burst of other work weighs on each alike
            for name, cycle in cycles.items():
                totals[name] += await _rate(cycle, tasks, seconds / rounds)
    finally:
        await ours.close()
        await theirs.close()
        await unreset.close()
        await engine.dispose()
    return {name: total / rounds for name, total in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per pool")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--tasks", type=int, default=16, help="concurrent tasks (as wrk's connections)")
    parser.add_argument("--size", type=int, default=10, help="connections per pool (db_pool_size)")
    args = parser.parse_args()
    server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER)
    dsn = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    rates = asyncio.run(run(dsn, tasks=args.tasks, size=args.size, seconds=args.seconds, rounds=args.rounds))
    base = rates["ReadPool (ours)"]
    width = max(map(len, rates))
    print(f"acquire + prepared fetchrow + release, {args.tasks} tasks on {args.size} connections\n")
    for name, rate in rates.items():
        print(f"{name:<{width}}  {rate:9.0f} cycles/s  {rate / base:6.2f}x ReadPool")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
