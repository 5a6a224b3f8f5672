"""SQLite, as one process uses it: a read-only connection for the hot reads, in the event loop's thread, and
one queue for the process's writers.

**Reads.** aiosqlite runs every call (cursor, execute, fetch, close) on a thread of its own and hands the result back to
the event loop: a small indexed read costs tens of microseconds in SQLite and several hand-overs around it.
``make bench-peers`` measures a member's day (a token, a member, a page of entries) with it and without it.

These reads are single indexed SELECTs (``db/prepared.PreparedRead``: the token and membership, a member, a
page of a hot list), so they run on one synchronous connection here, each in its own implicit read
transaction (autocommit). In WAL mode a reader never waits for a writer, nor a writer for it, so the loop is
not held by a lock; the connection is ``query_only`` so that it can never take one. A report or anything
else that reads many rows keeps going through the session (aiosqlite's thread), so that it does not hold the
loop. Once a request has opened its session, its reads go there, in its transaction (``RequestDb``).

**Writers.** SQLite lets one connection write at a time; a transaction that begins while another holds the
lock waits in SQLite's busy handler, which sleeps and polls (1, 2, 5, 10 ... 100 ms), so the writers of one
process take turns in no order and the unlucky wait seconds (``make bench-peers`` measured the create's p99 at
30-40x its p50). So a request that will write (its session begins ``BEGIN IMMEDIATE``) first waits for its turn
in ``writers``, a FIFO ``asyncio.Lock``, and holds it until its transaction ends (``RequestDb.finish``): the
process's writers are served in order, and the busy handler only waits for another process (a second worker,
the CLI). Reads (``reads_deferred``) never queue.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from worktally.db.session import sync_url

_BUSY_MS = 2000  # a reader in WAL mode waits only while another connection recovers the log (after a crash)


def _reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


class SqliteAccess:
    """One autocommit, read-only connection to the database file, for reads made in the loop's thread, and the
    queue of the process's writers."""

    def __init__(self, url: str) -> None:
        self.writers = asyncio.Lock()  # FIFO: waiters are woken in the order they came
        self.engine: Engine = create_engine(
            sync_url(url),
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            isolation_level="AUTOCOMMIT",
            hide_parameters=True,  # D20: a statement's parameters never reach a log line
        )
        event.listen(self.engine, "connect", _reader_pragmas)
        self._connection: Connection | None = None
        self._lock = threading.Lock()  # the loop's thread alone uses it, but a stray thread must not interleave

    def _connected(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        return self._connection

    def first(self, statement: Any, params: Mapping[str, Any]) -> Mapping[Any, Any] | None:
        with self._lock:
            row: Mapping[Any, Any] | None = self._connected().execute(statement, params).mappings().first()
            return row

    def all(self, statement: Any, params: Mapping[str, Any]) -> Sequence[Mapping[Any, Any]]:
        with self._lock:
            rows: Sequence[Mapping[Any, Any]] = self._connected().execute(statement, params).mappings().all()
            return rows

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
        self.engine.dispose()


def create_sqlite_access(url: str) -> SqliteAccess | None:
    """For a SQLite file (None for PostgreSQL, and for ``:memory:``, which another connection would not see);
    create it in the event loop that serves, close it at shutdown."""
    if not url.startswith("sqlite") or ":memory:" in url:
        return None
    return SqliteAccess(url)
