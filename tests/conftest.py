"""Test harness: a fresh, migrated database per run (SQLite by default, PostgreSQL when
``WORKTALLY_TEST_DATABASE_URL`` says so), the real app over httpx's ASGI transport, and tenants
made per test (each test works in workspaces of its own, so tests never share state).

Services: ``WORKTALLY_TEST_POSTGRES_URL`` and ``WORKTALLY_TEST_REDIS_URL`` enable the tests that need
PostgreSQL or Redis specifically. With ``CI=true`` a missing service fails those tests instead of skipping.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.factories import Tenants
from worktally.config import Settings
from worktally.db.migrate import upgrade
from worktally.main import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_service(env_var: str, what: str) -> str:
    value = os.environ.get(env_var)
    if value:
        return value
    if IN_CI:
        pytest.fail(f"{what} is required under CI: set {env_var}")
    pytest.skip(f"{what} not configured ({env_var})")


def create_postgres_database(server_url: str, prefix: str = "wt_test") -> tuple[str, str]:
    """A new empty database on ``server_url``'s server; returns (url, name)."""
    import psycopg

    url = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), name


def drop_postgres_database(server_url: str, name: str) -> None:
    import psycopg

    conninfo = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = os.environ.get("WORKTALLY_TEST_DATABASE_URL")
    if server and server.startswith("postgres"):
        url, name = create_postgres_database(server)
        upgrade(url)
        yield url
        drop_postgres_database(server, name)
        return
    with tempfile.TemporaryDirectory(prefix="worktally-test-") as tmp:
        url = f"sqlite:///{tmp}/test.sqlite3"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgres")


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "rate_limit_per_minute": 1_000_000,
        "secret_key": "test-secret-key",
        "webhooks_allow_private_targets": True,
        "webhooks_inprocess_worker": False,
        "public_url": "http://testserver",
        "gc_tuned": False,  # a full collection per app started; tests/platform/test_gc_tuning.py covers it
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def tenants(app: object, client: httpx.AsyncClient) -> Tenants:
    """Make workspaces, members and tokens for this test: ``await tenants.workspace()``."""
    return Tenants(app.state.sessionmaker, client)  # type: ignore[attr-defined]
