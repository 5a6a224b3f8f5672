"""Telling "the database cannot be reached" apart from every other error, for the 503 and the CLI's one line.

Unreachable means: the driver could not connect or lost the connection (a refused or timed-out socket, an
unknown host), the server refuses sessions (SQLSTATE classes 08 connection, 28 authorisation, 3D unknown
database, 53 resources such as too many connections, 57P shutdown/starting up), or SQLite cannot open or
lock its file. A bad statement, a constraint or a missing table is not: those stay the errors they are.
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

RETRY_AFTER_SECONDS = 5
_SQLSTATE_PREFIXES = ("08", "28", "3D", "53", "57P")
_SQLITE_MESSAGES = ("unable to open database file", "database is locked", "disk i/o error", "readonly database")
_DRIVER_MODULES = ("asyncpg", "psycopg", "sqlalchemy", "aiosqlite", "sqlite3", "worktally.db")


def _raised_by_a_driver(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        module = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(_DRIVER_MODULES):
            return True
        traceback = traceback.tb_next
    return False


def _unavailable(error: BaseException) -> bool:
    if isinstance(error, OSError):  # ConnectionRefusedError, TimeoutError, socket.gaierror ...
        return _raised_by_a_driver(error.__traceback__)
    sqlstate = str(getattr(error, "sqlstate", "") or "")
    if sqlstate.startswith(_SQLSTATE_PREFIXES):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error).lower() for text in _SQLITE_MESSAGES)
    module = type(error).__module__
    # psycopg reports a failed connection attempt as an OperationalError without a SQLSTATE.
    return module.startswith("psycopg") and type(error).__name__ == "OperationalError" and not sqlstate


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps: SQLAlchemy's ``orig``, causes, contexts) says the database is out of reach."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if _unavailable(error):
            return True
        for inner in (getattr(error, "orig", None), error.__cause__, error.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)
    return False


def masked_url(url: str) -> str:
    """The database URL as an operator may see it in a log or an error line: the password as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<an unparsable database URL>"


def describe(exc: BaseException) -> str:
    """One line naming the innermost cause (``ConnectionRefusedError: [Errno 111] ...``), no traceback."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "orig", None) or inner.__cause__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    text = " ".join(str(inner).split())
    return f"{type(inner).__name__}: {text}" if text else type(inner).__name__
