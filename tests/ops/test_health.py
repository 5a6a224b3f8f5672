"""D20: ``/livez`` and ``/readyz`` (database, migrations at head, Redis when configured; 503 naming what failed)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.conftest import make_settings, need_service
from tests.platform.processes import free_port
from worktally.main import create_app


@asynccontextmanager
async def serving(database_url: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url, **overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


class TestLivez:
    async def test_answers_ok_without_the_database(self) -> None:
        async with serving(f"postgresql://nobody@127.0.0.1:{free_port()}/none") as client:
            response = await client.get("/livez")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["cache-control"] == "no-store"


class TestReadyz:
    async def test_ready_when_the_database_answers_at_head(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}

    async def test_unreachable_postgresql_is_503_naming_the_database(self) -> None:
        async with serving(f"postgresql://nobody@127.0.0.1:{free_port()}/none") as client:
            response = await client.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["failed"] == ["database", "migrations"]
        assert body["checks"]["database"].startswith("unavailable")
        assert body["checks"]["migrations"] == "not checked"

    async def test_unreachable_sqlite_file_is_503(self, tmp_path: Path) -> None:
        async with serving(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3") as client:
            response = await client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["failed"][0] == "database"

    async def test_a_database_never_migrated_is_503_naming_the_migrations(self, tmp_path: Path) -> None:
        async with serving(f"sqlite:///{tmp_path}/empty.sqlite3") as client:
            response = await client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["failed"] == ["migrations"]
        assert response.json()["checks"] == {"database": "ok", "migrations": "not migrated"}

    async def test_a_database_behind_head_is_503(self, tmp_path: Path) -> None:
        path = tmp_path / "old.sqlite3"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            conn.execute("INSERT INTO alembic_version VALUES ('0000older')")
        async with serving(f"sqlite:///{path}") as client:
            response = await client.get("/readyz")

        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == "at 0000older, not at head"

    async def test_redis_where_nothing_listens_is_503_naming_redis(self, database_url: str) -> None:
        async with serving(database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0") as client:
            response = await client.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["failed"] == ["redis"]
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("unavailable")

    async def test_configured_redis_that_answers_is_checked(self, database_url: str) -> None:
        redis_url = need_service("WORKTALLY_TEST_REDIS_URL", "Redis")
        async with serving(database_url, redis_url=redis_url) as client:
            response = await client.get("/readyz")

        assert response.status_code == 200
        assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "redis": "ok"}

    async def test_is_outside_the_api_and_its_envelope(self, client: httpx.AsyncClient) -> None:
        api = await client.get("/api/v2/readyz")
        openapi = (await client.get("/api/v2/openapi.json")).json()

        assert api.status_code == 404
        assert api.json()["error"] == "http_404"
        assert not {"/livez", "/readyz", "/metrics"} & set(openapi["paths"])
