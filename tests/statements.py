"""Counting the statements a request sends: the tests that pin the cost of hot paths use this."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event


@asynccontextmanager
async def counting_statements(app: Any) -> AsyncIterator[list[str]]:
    """Every statement sent while the block runs (transaction control aside).

    SQLAlchemy's statements through ``before_cursor_execute``; on PostgreSQL the prepared reads too, which run
    on asyncpg directly (on the read pool's connections, or on the session's own inside a transaction): a
    query logger on every connection either pool hands out sees them (it does not see SQLAlchemy's own
    statements, which asyncpg runs as prepared statements, so nothing is counted twice).
    """
    statements: list[str] = []
    engine = app.state.engine.sync_engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    watched: list[Any] = []

    def logged(record: Any) -> None:
        if record.query.rstrip(";").upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(record.query)

    def watch(connection: Any) -> None:
        if all(connection is not seen for seen in watched):
            connection.add_query_logger(logged)
            watched.append(connection)

    def checked_out(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        watch(dbapi_connection.driver_connection)

    pool = app.state.read_pool
    reader = app.state.sqlite  # SQLite: the prepared reads made in the loop's thread (db/sqlite_access.py)
    event.listen(engine, "before_cursor_execute", count)
    if reader is not None:
        event.listen(reader.engine, "before_cursor_execute", count)
    if pool is not None:
        acquire = pool.acquire

        async def acquire_watched() -> Any:
            connection = await acquire()
            watch(connection)
            return connection

        event.listen(engine, "checkout", checked_out)
        pool.acquire = acquire_watched
    try:
        yield statements
        await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon: one turn of the loop runs them
    finally:
        event.remove(engine, "before_cursor_execute", count)
        if reader is not None:
            event.remove(reader.engine, "before_cursor_execute", count)
        if pool is not None:
            event.remove(engine, "checkout", checked_out)
            del pool.acquire  # the class's own again
            for connection in watched:
                connection.remove_query_logger(logged)
