"""The database as one request uses it, and reads prepared once for the hot path.

Every request gets a ``RequestDb``: its ORM session, opened on first use and committed or rolled back by
``TransactionalRoute`` (one transaction per request), and ``PreparedRead``s, for the few reads every request
or the busiest reads make (the bearer token and membership, a single row by id).

Why ``PreparedRead`` exists (measured in ``bench/``): building a SQLAlchemy statement and executing it through
the ORM costs several times the driver's own round trip, and a request is several of them. A ``PreparedRead``
is a Core statement with named ``bindparam``s, built once at import time. On PostgreSQL it is compiled once and
run with asyncpg directly on a pooled connection, outside any transaction (a single SELECT needs none); on
SQLite it runs through the session like every other query.

The reads take their connections from a pool of their own (``db/read_pool.py``, with the measurement that
keeps it). The statement is the one definition either way, so both databases answer the same rows. Only
plain column types may be selected: asyncpg's own decoding
(aware UTC datetimes, ``Decimal``, ``date``) is what the column types give on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worktally.db.read_pool import ReadPool
from worktally.db.session import write_lock_up_front
from worktally.db.sqlite_access import SqliteAccess

Row = Mapping[Any, Any]  # column name → value (an asyncpg Record or SQLAlchemy's RowMapping)
AnySelect = Select[*tuple[Any, ...]]

_POSTGRES = asyncpg_dialect()  # type: ignore[no-untyped-call]
_CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


class RequestDb:
    """One request's database: a lazily opened session and, on PostgreSQL, a driver connection for reads.

    It holds at most one pooled connection at a time: the session's once there is one, else one of the
    read pool's. On SQLite, until the session is opened, prepared reads run on the process's ``SqliteAccess``
    (``db/sqlite_access.py``), in the loop's thread; and a session that will write waits for its turn in the
    process's queue of writers first, and holds it until ``finish``.
    """

    __slots__ = ("_queued", "_raw", "_read_pool", "_session", "_sessionmaker", "_sqlite", "is_postgres")

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        read_pool: ReadPool | None,
        sqlite: SqliteAccess | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._read_pool = read_pool
        self._sqlite = sqlite
        self._session: AsyncSession | None = None
        self._raw: Any = None  # an asyncpg.Connection of the read pool
        self._queued = False  # SQLite: this request holds the process's turn to write
        self.is_postgres = read_pool is not None

    @classmethod
    def in_session(cls, session: AsyncSession) -> RequestDb:
        """Prepared reads inside a session someone else holds (a page's): they run in its transaction, and
        the holder ends it (do not ``finish`` this one)."""
        db = cls(async_sessionmaker(), None)
        db._session = session
        db.is_postgres = session.get_bind().dialect.name == "postgresql"
        return db

    def sqlite_reads(self) -> SqliteAccess | None:
        """The loop-thread reader, while this request has no session (so no transaction) of its own."""
        return self._sqlite if self._session is None else None

    async def session(self) -> AsyncSession:
        if self._session is None:
            await self._release_raw()
            if self._sqlite is not None and write_lock_up_front():
                await self._sqlite.writers.acquire()
                self._queued = True
            self._session = self._sessionmaker()
        return self._session

    async def driver(self) -> Any:
        """The ``asyncpg.Connection`` for a prepared read: the session's, or one of our own from the pool."""
        if self._session is not None:
            return await session_driver(self._session)
        if self._raw is None:
            assert self._read_pool is not None
            self._raw = await self._read_pool.acquire()
        return self._raw

    def connection_lost(self) -> None:
        """The driver connection broke mid-read: close it (the pool replaces a closed connection)."""
        if self._raw is not None:
            self._raw.terminate()

    async def _release_raw(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and self._read_pool is not None:
            self._read_pool.release(raw)

    async def finish(self, *, commit: bool) -> None:
        """End the request: commit (or roll back) the session if one was opened, release every connection."""
        session, self._session = self._session, None
        try:
            if session is not None:
                if commit:
                    await session.commit()
                else:
                    await session.rollback()
        finally:
            try:
                if session is not None:
                    await session.close()
            finally:
                if self._queued:
                    self._queued = False
                    assert self._sqlite is not None
                    self._sqlite.writers.release()
                await self._release_raw()


async def session_driver(session: AsyncSession) -> Any:
    """The ``asyncpg.Connection`` under the session's connection (in its transaction, once one has begun).

    What the session holds pending is flushed first, as SQLAlchemy's autoflush would before a query: a read
    on the driver must see the transaction's own changes.
    """
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


async def fetch_all(session: AsyncSession, statement: AnySelect) -> Sequence[Sequence[Any]]:
    """Every row of a large one-off SELECT, as tuples, in the session's transaction.

    On PostgreSQL the statement is compiled here and run with asyncpg directly: for the tens of thousands of
    rows of a month's report, SQLAlchemy's result processing costs more than the driver's decoding (measured
    in ``bench/reports.py``). Only plain column types may be selected, as for ``PreparedRead``.
    """
    if session.get_bind().dialect.name != "postgresql":
        return (await session.execute(statement)).all()
    compiled = statement.compile(dialect=_POSTGRES, compile_kwargs={"render_postcompile": True})
    sql, params = compiled.string, compiled.params
    arguments = [params[name] for name in compiled.positiontup or ()]
    driver = await session_driver(session)
    try:
        rows: Sequence[Sequence[Any]] = await driver.fetch(sql, *arguments)
    except asyncpg.PostgresError as error:  # same handling as any other statement's (api/errors)
        raise DBAPIError(sql, arguments, error) from error
    return rows


class PreparedRead:
    """A SELECT built once; ``first``/``all`` take its ``bindparam`` values by name."""

    __slots__ = ("_defaults", "_names", "_sql", "statement")

    def __init__(self, statement: AnySelect) -> None:
        self.statement = statement
        compiled = statement.compile(dialect=_POSTGRES)
        self._sql: str = compiled.string
        self._names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self._defaults: dict[str, Any] = dict(compiled.params)

    def _arguments(self, params: Mapping[str, Any]) -> list[Any]:
        defaults = self._defaults
        return [params[name] if name in params else defaults[name] for name in self._names]

    async def _fetch(self, db: RequestDb, params: Mapping[str, Any], *, one: bool) -> Any:
        arguments = self._arguments(params)
        connection = await db.driver()
        try:
            if one:
                return await connection.fetchrow(self._sql, *arguments)
            return await connection.fetch(self._sql, *arguments)
        except asyncpg.PostgresError as error:  # same handling as any other statement's (api/errors)
            raise DBAPIError(self._sql, arguments, error) from error
        except _CONNECTION_LOST:
            db.connection_lost()
            raise

    async def first(self, db: RequestDb, **params: Any) -> Row | None:
        if db.is_postgres:
            row: Row | None = await self._fetch(db, params, one=True)
            return row
        reader = db.sqlite_reads()
        if reader is not None:
            return reader.first(self.statement, params)
        result = await (await db.session()).execute(self.statement, params)
        return result.mappings().first()

    async def first_in(self, session: AsyncSession, **params: Any) -> Row | None:
        """``first`` inside a service's transaction: on the session's own asyncpg connection on PostgreSQL."""
        if session.get_bind().dialect.name != "postgresql":
            return (await session.execute(self.statement, params)).mappings().first()
        arguments = self._arguments(params)
        driver = await session_driver(session)
        try:
            row: Row | None = await driver.fetchrow(self._sql, *arguments)
        except asyncpg.PostgresError as error:  # same handling as any other statement's (api/errors)
            raise DBAPIError(self._sql, arguments, error) from error
        return row

    async def all_in(self, session: AsyncSession, **params: Any) -> Sequence[Row]:
        """``all`` inside a service's transaction: on the session's own asyncpg connection on PostgreSQL."""
        if session.get_bind().dialect.name != "postgresql":
            return (await session.execute(self.statement, params)).mappings().all()
        arguments = self._arguments(params)
        driver = await session_driver(session)
        try:
            rows: Sequence[Row] = await driver.fetch(self._sql, *arguments)
        except asyncpg.PostgresError as error:  # same handling as any other statement's (api/errors)
            raise DBAPIError(self._sql, arguments, error) from error
        return rows

    async def all(self, db: RequestDb, **params: Any) -> Sequence[Row]:
        if db.is_postgres:
            rows: Sequence[Row] = await self._fetch(db, params, one=False)
            return rows
        reader = db.sqlite_reads()
        if reader is not None:
            return reader.all(self.statement, params)
        result = await (await db.session()).execute(self.statement, params)
        return result.mappings().all()
