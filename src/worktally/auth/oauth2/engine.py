"""The OAuth2 server's synchronous database access.

Authlib's authorization server is synchronous, so its grants run in a worker thread
(``run_in_threadpool``) on a synchronous engine of their own: psycopg 3 for PostgreSQL, sqlite3 for
SQLite. One engine per app, made on first use and disposed with the app's lifespan.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from starlette.datastructures import State

from worktally.db.session import sync_url

_STATE_KEY = "oauth2_sync_engine"
_lock = threading.Lock()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Same pragmas as the async engine: SQLAlchemy emits BEGIN itself, writers wait instead of failing.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _create(database_url: str, pool_size: int) -> Engine:
    url = sync_url(database_url)
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect)
        # A token request reads then writes: take the write lock up front (as the async engine does).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True)


def sync_engine(state: State, database_url: str, pool_size: int = 5) -> Engine:
    """The app's synchronous engine, created on first use."""
    engine: Engine | None = getattr(state, _STATE_KEY, None)
    if engine is None:
        with _lock:
            engine = getattr(state, _STATE_KEY, None)
            if engine is None:
                engine = _create(database_url, pool_size)
                setattr(state, _STATE_KEY, engine)
    return engine


def dispose_sync_engine(state: State) -> None:
    engine: Engine | None = getattr(state, _STATE_KEY, None)
    if engine is not None:
        engine.dispose()
        setattr(state, _STATE_KEY, None)
