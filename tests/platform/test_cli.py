"""D7: the operator CLI, run as the real executable against a temporary SQLite file."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.errors import assert_error_code
from tests.platform.processes import Server, cli_env, run_cli, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    return cli_env(f"sqlite:///{home}/worktally.sqlite3")


@pytest.fixture(scope="module")
def server(env: dict[str, str], home: Path) -> Iterator[Server]:
    # Migrate first, so that the server and the commands below never race on the schema.
    assert run_cli("migrate", env=env, cwd=home).returncode == 0
    with serving(env, home) as running:
        yield running


def email() -> str:
    return f"cli-{secrets.token_hex(4)}@example.test"


def bootstrap(env: dict[str, str], home: Path, address: str) -> dict[str, object]:
    result = run_cli(
        "bootstrap",
        "--email",
        address,
        "--password",
        "correct horse",
        "--first-name",
        "Ada",
        "--last-name",
        "Admin",
        "--workspace",
        "CLI Workspace",
        env=env,
        cwd=home,
    )
    assert result.returncode == 0, result.stderr
    return result.json()


def workspaces(server: Server, token: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/api/v2/workspaces", headers={"Authorization": f"Bearer {token}"}, timeout=10)


class TestBootstrap:
    def test_prints_the_user_workspace_and_token(self, env: dict[str, str], home: Path) -> None:
        payload = bootstrap(env, home, email())

        assert set(payload) == {"user_id", "workspace_id", "token"}
        assert isinstance(payload["user_id"], int)
        assert isinstance(payload["workspace_id"], int)
        assert isinstance(payload["token"], str) and payload["token"]

    def test_the_token_works_on_a_running_server(self, env: dict[str, str], home: Path, server: Server) -> None:
        payload = bootstrap(env, home, email())

        response = workspaces(server, str(payload["token"]))

        assert response.status_code == 200
        [workspace] = response.json()["data"]
        assert workspace["id"] == payload["workspace_id"]
        assert workspace["role"] == "Owner"

    def test_an_existing_user_gets_another_workspace_with_existing_user(self, env: dict[str, str], home: Path) -> None:
        address = email()
        first = bootstrap(env, home, address)

        result = run_cli(
            "bootstrap", "--email", address, "--password", "correct horse", "--workspace", "Second", "--existing-user",
            env=env, cwd=home,
        )  # fmt: skip

        assert result.returncode == 0, result.stderr
        second = result.json()
        assert second["user_id"] == first["user_id"]
        assert second["workspace_id"] != first["workspace_id"]

    def test_an_existing_user_without_existing_user_is_refused(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrap(env, home, address)

        result = run_cli(
            "bootstrap", "--email", address, "--password", "correct horse", "--first-name", "Eve", "--last-name",
            "Taker", "--workspace", "Takeover", env=env, cwd=home,
        )  # fmt: skip

        assert result.returncode != 0
        assert result.stdout == ""
        assert "--existing-user" in result.stderr


class TestTokenCreate:
    def test_prints_the_token_and_its_expiry(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrap(env, home, address)

        result = run_cli("token", "create", "--email", address, "--name", "ci", env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        payload = result.json()
        assert set(payload) == {"token", "expires_at"}
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", str(payload["expires_at"]))

    def test_a_read_only_token_may_read_but_not_write(self, env: dict[str, str], home: Path, server: Server) -> None:
        address = email()
        boot = bootstrap(env, home, address)
        token = run_cli("token", "create", "--email", address, "--scopes", "read", env=env, cwd=home).json()["token"]

        read = workspaces(server, str(token))
        write = httpx.post(
            f"{server.base_url}/api/v2/projects",
            params={"workspace_id": boot["workspace_id"]},
            json={"name": "Nope"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

        assert read.status_code == 200
        assert_error_code(write, 403, "insufficient_scope")

    def test_an_unknown_e_mail_fails_without_json(self, env: dict[str, str], home: Path) -> None:
        result = run_cli("token", "create", "--email", email(), env=env, cwd=home)

        assert result.returncode != 0
        assert result.stdout == ""

    def test_unknown_scopes_are_refused(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrap(env, home, address)

        result = run_cli("token", "create", "--email", address, "--scopes", "admin", env=env, cwd=home)

        assert result.returncode != 0
        assert result.stdout == ""


class TestTokenRevoke:
    def test_prints_revoked_and_the_token_stops_working_at_once(
        self, env: dict[str, str], home: Path, server: Server
    ) -> None:
        token = str(bootstrap(env, home, email())["token"])
        assert workspaces(server, token).status_code == 200

        result = run_cli("token", "revoke", token, env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        assert result.json() == {"revoked": True}
        response = workspaces(server, token)
        assert_error_code(response, 401, "unauthenticated")
        assert response.json()["success"] is False

    def test_an_unknown_token_fails_without_json(self, env: dict[str, str], home: Path) -> None:
        result = run_cli("token", "revoke", "wtp_not-a-token", env=env, cwd=home)

        assert result.returncode != 0
        assert result.stdout == ""


class TestOAuthClientCreate:
    def test_a_confidential_client_gets_a_secret(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrap(env, home, address)

        result = run_cli(
            "oauth-client",
            "create",
            "--email",
            address,
            "--name",
            "Payroll",
            "--redirect-uri",
            "https://payroll.example/callback",
            env=env,
            cwd=home,
        )

        assert result.returncode == 0, result.stderr
        payload = result.json()
        assert set(payload) == {"client_id", "client_secret"}
        assert isinstance(payload["client_id"], str) and payload["client_id"]
        assert isinstance(payload["client_secret"], str) and payload["client_secret"]

    def test_a_public_client_has_a_null_secret(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrap(env, home, address)

        result = run_cli(
            "oauth-client",
            "create",
            "--email",
            address,
            "--name",
            "Mobile",
            "--redirect-uri",
            "http://127.0.0.1:8765/callback",
            "--public",
            env=env,
            cwd=home,
        )

        assert result.returncode == 0, result.stderr
        payload = result.json()
        assert payload["client_secret"] is None
        assert payload["client_id"]


class TestDemo:
    def test_prints_a_working_token_for_the_demo_workspace(
        self, env: dict[str, str], home: Path, server: Server
    ) -> None:
        result = run_cli("demo", "--email", email(), env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        payload = result.json()
        assert {"user_id", "workspace_id", "token"} <= set(payload)
        response = workspaces(server, str(payload["token"]))
        assert [w["id"] for w in response.json()["data"]] == [payload["workspace_id"]]

    def test_running_it_twice_reuses_the_workspace(self, env: dict[str, str], home: Path) -> None:
        address = email()
        first = run_cli("demo", "--email", address, env=env, cwd=home).json()

        second = run_cli("demo", "--email", address, env=env, cwd=home).json()

        assert second["workspace_id"] == first["workspace_id"]
        assert second["token"] != first["token"]


class TestServe:
    def test_serves_with_two_workers(self, env: dict[str, str], home: Path) -> None:
        token = str(bootstrap(env, home, email())["token"])

        with serving(env, home, workers=2) as running:
            answers = [workspaces(running, token) for _ in range(6)]

        assert [r.status_code for r in answers] == [200] * 6
        assert running.process.poll() is not None

    def test_applies_migrations_to_a_new_database(self, tmp_path: Path) -> None:
        fresh = cli_env(f"sqlite:///{tmp_path}/new.sqlite3")

        with serving(fresh, tmp_path) as running:
            response = httpx.get(f"{running.base_url}/api/v2/workspaces", timeout=10)

        assert_error_code(response, 401, "unauthenticated")
        assert response.json()["success"] is False
