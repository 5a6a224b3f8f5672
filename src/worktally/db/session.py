"""Engines and sessions. URLs are accepted as operators write them; the async driver is picked here (D7)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool


def async_url(url: str) -> str:
    """``sqlite:///x`` → ``sqlite+aiosqlite:///x``; ``postgresql://…`` → ``postgresql+asyncpg://…``."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False))
    if backend in ("postgresql", "postgres"):
        return str(parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False))
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (Alembic, the OAuth2 server's grants, the CLI)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite").render_as_string(hide_password=False))
    if backend in ("postgresql", "postgres"):
        return str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (the pysqlite/aiosqlite default would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# SQLite: whether a transaction takes the write lock when it begins (BEGIN IMMEDIATE) or only reads until it
# writes (BEGIN). Everything takes it up front, but for the requests that only read (``reads_deferred``): in WAL
# mode those then never wait for a writer, nor a writer for them.
_WRITE_LOCK_UP_FRONT: ContextVar[bool] = ContextVar("worktally_sqlite_write_lock_up_front", default=True)


@contextmanager
def reads_deferred() -> Iterator[None]:
    """SQLite transactions begun inside the block read without the write lock (a no-op on PostgreSQL).

    A transaction begun so that then writes cannot take the lock once another writer has committed since it
    began (SQLite answers SQLITE_BUSY at once): ``is_lock_conflict`` tells, and the caller runs it again
    outside the block (``api/deps.py: TransactionalRoute``).
    """
    token = _WRITE_LOCK_UP_FRONT.set(False)
    try:
        yield
    finally:
        _WRITE_LOCK_UP_FRONT.reset(token)


def write_lock_up_front() -> bool:
    """Whether a SQLite transaction begun now takes the write lock as it begins (outside ``reads_deferred``)."""
    return _WRITE_LOCK_UP_FRONT.get()


def is_lock_conflict(error: BaseException) -> bool:
    """A SQLite write refused for another writer's lock (SQLITE_BUSY and its extended codes)."""
    original = getattr(error, "orig", None)
    return isinstance(original, sqlite3.OperationalError) and (
        getattr(original, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, 517)  # 517: SQLITE_BUSY_SNAPSHOT
        or "database is locked" in str(original)
    )


def _begin_sqlite(conn: Any) -> None:
    # Immediate: a writer takes the lock up front instead of failing to upgrade a read lock later.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_LOCK_UP_FRONT.get() else "BEGIN")


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling without a round trip (``pool_pre_ping`` costs one per checkout).

    When the server goes away (a restart, an idle timeout, ``pg_terminate_backend``) asyncpg sees the socket
    close and marks the connection closed; the pool then discards it and checks out another.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


def create_engine_for(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    aurl = async_url(url)
    if aurl.startswith("sqlite"):
        kwargs: dict[str, Any] = {"poolclass": StaticPool} if ":memory:" in aurl else {}
        engine = create_async_engine(aurl, echo=echo, hide_parameters=True, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_sqlite)
        return engine
    # hide_parameters: a statement's parameters (secrets, password hashes) never reach a log line or an error (D20).
    engine = create_async_engine(aurl, echo=echo, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
