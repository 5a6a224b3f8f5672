"""What every command shares: settings, the one JSON line, one-line errors, the database's transaction."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pydantic
import typer
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.config import Settings
from worktally.core.logs import configure_logging
from worktally.db.availability import describe, is_database_unavailable, masked_url
from worktally.db.session import create_engine_for, create_sessionmaker

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def load_settings() -> Settings:
    """Settings from the environment, logging configured; a bad setting is one line, not a traceback."""
    try:
        settings = Settings()
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"WORKTALLY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        fail(f"invalid settings: {problems}", 2)
    configure_logging(settings.log_level, settings.log_format)  # D20: text or JSON on stderr, secrets redacted
    return settings


def _is_missing_schema(exc: BaseException) -> bool:
    error: BaseException | None = exc
    while error is not None:
        if str(getattr(error, "sqlstate", "") or "") == "42P01" or "no such table" in str(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


def database_failure(settings: Settings, exc: BaseException) -> NoReturn:
    """One line for a database that cannot be used (password masked); anything else is a real bug: re-raised."""
    url = masked_url(settings.database_url)
    if is_database_unavailable(exc):
        fail(f"cannot reach the database {url}: {describe(exc)}")
    if _is_missing_schema(exc):
        fail(f"the database {url} has no Worktally schema; run `worktally migrate` first")
    raise exc


def require_database(settings: Settings) -> None:
    """A SQLite file that does not exist is an error here (opening it would create an empty one)."""
    try:
        url = make_url(settings.database_url)
    except Exception:
        fail(f"WORKTALLY_DATABASE_URL is not a database URL: {masked_url(settings.database_url)}", 2)
    sqlite_file = url.database if url.get_backend_name() == "sqlite" and url.database != ":memory:" else None
    if sqlite_file and not Path(sqlite_file).is_file():
        fail(f"the database {masked_url(settings.database_url)} does not exist; run `worktally migrate` first")


def migrate_database(settings: Settings) -> None:
    from worktally.db.migrate import upgrade

    try:
        upgrade(settings.database_url)
    except ValueError as exc:  # an unsupported URL scheme
        fail(f"WORKTALLY_DATABASE_URL: {exc}", 2)
    except Exception as exc:
        database_failure(settings, exc)


def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction, committed when it returns; a database out of reach is one line."""
    require_database(settings)

    async def run() -> T:
        engine = create_engine_for(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except (typer.Exit, typer.Abort):
        raise
    except ValueError as exc:
        if "unsupported database URL" in str(exc):
            fail(f"WORKTALLY_DATABASE_URL: {exc}", 2)
        raise
    except Exception as exc:
        database_failure(settings, exc)
