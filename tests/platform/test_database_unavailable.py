"""A database that refuses connections: 503 ``database_unavailable`` with ``Retry-After``, never a 500; the CLI
and ``serve`` say so in one line, the URL's password masked, with a non-zero exit (issue 12).

Real failures, no mocks: a PostgreSQL port where nothing listens, a PostgreSQL database that does not exist,
a SQLite file in a directory that does not exist.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.auth.kit import csrf_of
from tests.conftest import make_settings, need_service
from tests.platform.processes import cli_env, free_port, run_cli
from worktally.main import create_app

PASSWORD = "s3cret-pw-" + secrets.token_hex(4)


def refusing_postgres_url() -> str:
    return f"postgresql://worktally:{PASSWORD}@127.0.0.1:{free_port()}/worktally"


def missing_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/no/such/directory/worktally.sqlite3"


async def client_for(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client


@pytest.fixture(params=["postgresql-port-closed", "sqlite-missing-directory"])
async def unavailable(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = refusing_postgres_url() if request.param.startswith("postgresql") else missing_sqlite_url(tmp_path)
    async for client in client_for(url):
        yield client


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "database_unavailable"
    assert PASSWORD not in response.text


class TestTheApi:
    async def test_a_read_is_503_with_retry_after(self, unavailable: httpx.AsyncClient) -> None:
        response = await unavailable.get("/api/v2/workspaces", headers={"Authorization": "Bearer wtp_anything"})

        assert_unavailable(response)

    async def test_a_write_is_503_with_retry_after(self, unavailable: httpx.AsyncClient) -> None:
        response = await unavailable.post(
            "/api/v2/projects",
            params={"workspace_id": 1},
            json={"name": "Nope"},
            headers={"Authorization": "Bearer wtp_anything"},
        )

        assert_unavailable(response)

    async def test_the_server_log_has_one_line_and_no_traceback(
        self, unavailable: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING):
            await unavailable.get("/api/v2/workspaces", headers={"Authorization": "Bearer wtp_anything"})

        records = [r for r in caplog.records if r.name.startswith("worktally")]
        assert [r.levelname for r in records] == ["WARNING"]
        assert records[0].exc_info is None
        assert "database unavailable" in records[0].getMessage()
        assert PASSWORD not in caplog.text


class TestTheOtherDoors:
    async def test_the_oauth_token_endpoint_answers_in_rfc_6749_json(self, unavailable: httpx.AsyncClient) -> None:
        response = await unavailable.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
        )

        assert response.status_code == 503, response.text
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["error"] == "temporarily_unavailable"

    async def test_the_sign_in_form(self, unavailable: httpx.AsyncClient) -> None:
        page = await unavailable.get("/sign-in")

        response = await unavailable.post(
            "/sign-in", data={"csrf_token": csrf_of(page.text), "email": "a@b.test", "password": "whatever"}
        )

        assert_unavailable(response)


async def test_a_postgresql_database_that_does_not_exist_is_503() -> None:
    server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
    url = make_url(server).set(database=f"wt_missing_{secrets.token_hex(6)}").render_as_string(hide_password=False)

    async for client in client_for(url):
        response = await client.get("/api/v2/workspaces", headers={"Authorization": "Bearer wtp_anything"})

        assert_unavailable(response)


def assert_one_line(result_stdout: str, result_stderr: str, *expected: str) -> str:
    assert result_stdout == ""
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1, result_stderr
    [line] = lines
    assert line.startswith("error: ")
    assert "Traceback" not in result_stderr and PASSWORD not in result_stderr
    for text in expected:
        assert text in line, line
    return line


@pytest.mark.slow
class TestTheCli:
    @pytest.mark.parametrize(
        "command",
        [
            ("serve", "--port", "9"),
            ("worker",),
            ("migrate",),
            ("token", "list", "--email", "a@b.test"),
            ("token", "create", "--email", "a@b.test"),
            ("oauth-client", "list"),
        ],
        ids=lambda c: "-".join(c),
    )
    def test_an_unreachable_postgresql_is_one_line_with_the_password_masked(
        self, tmp_path: Path, command: tuple[str, ...]
    ) -> None:
        url = refusing_postgres_url()

        result = run_cli(*command, env=cli_env(url), cwd=tmp_path)

        assert result.returncode != 0
        masked = make_url(url).render_as_string(hide_password=True)
        assert_one_line(result.stdout, result.stderr, "cannot reach the database", masked)

    def test_serve_on_a_postgresql_database_that_does_not_exist(self, tmp_path: Path) -> None:
        server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
        name = f"wt_missing_{secrets.token_hex(6)}"
        url = make_url(server).set(database=name, password=PASSWORD).render_as_string(hide_password=False)

        result = run_cli("serve", "--port", "9", env=cli_env(url), cwd=tmp_path)

        assert result.returncode != 0
        masked = make_url(url).render_as_string(hide_password=True)
        assert_one_line(result.stdout, result.stderr, "cannot reach the database", masked, f'"{name}" does not exist')

    def test_serve_on_a_sqlite_file_in_a_missing_directory(self, tmp_path: Path) -> None:
        result = run_cli("serve", "--port", "9", env=cli_env(missing_sqlite_url(tmp_path)), cwd=tmp_path)

        assert result.returncode != 0
        assert_one_line(result.stdout, result.stderr, "cannot reach the database", "unable to open database file")

    def test_a_command_on_a_sqlite_file_that_does_not_exist_does_not_create_it(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path}/absent.sqlite3"

        result = run_cli("token", "list", "--email", "a@b.test", env=cli_env(url), cwd=tmp_path)

        assert result.returncode != 0
        assert_one_line(result.stdout, result.stderr, "does not exist", "worktally migrate")
        assert not (tmp_path / "absent.sqlite3").exists()

    def test_a_database_without_the_schema_says_to_migrate(self, tmp_path: Path) -> None:
        (tmp_path / "empty.sqlite3").touch()

        result = run_cli(
            "token", "list", "--email", "a@b.test", env=cli_env(f"sqlite:///{tmp_path}/empty.sqlite3"), cwd=tmp_path
        )

        assert result.returncode != 0
        assert_one_line(result.stdout, result.stderr, "no Worktally schema", "worktally migrate")


async def test_every_api_operation_documents_the_503(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v2/openapi.json")).json()

    operations = [op for path, ops in document["paths"].items() if path.startswith("/api/v2") for op in ops.values()]

    assert operations
    assert all("503" in op["responses"] for op in operations)
