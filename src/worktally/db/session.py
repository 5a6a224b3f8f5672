"""Engines and sessions. URLs are accepted as operators write them; the async driver is picked here (D7)."""

from __future__ import annotations

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
        # SQLite: BEGIN IMMEDIATE so that a writer takes the lock up front instead of failing on upgrade.
        event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # hide_parameters: a statement's parameters (secrets, password hashes) never reach a log line or an error (D20).
    engine = create_async_engine(aurl, echo=echo, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
