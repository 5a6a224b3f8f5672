"""The operator's first hour (issue 12, D7): ``bootstrap`` validates and prompts, ``--existing-user``;
``token list``; ``oauth-client create`` validates redirect URIs; ``oauth-client list|revoke``.

The real executable against the test database (SQLite or PostgreSQL, as the run says), and Typer's CliRunner
for the hidden prompts. Every command prints one JSON object on stdout or, on error, one line on stderr,
nothing on stdout and a non-zero exit.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.errors import assert_error_code
from tests.platform.processes import CliResult, Server, cli_env, serving
from worktally.cli import app as cli_app

pytestmark = pytest.mark.slow
PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("operator")


@pytest.fixture(scope="module")
def env(database_url: str) -> dict[str, str]:
    return cli_env(database_url)  # the suite's migrated database


@pytest.fixture(scope="module")
def server(env: dict[str, str], home: Path) -> Iterator[Server]:
    with serving(env, home) as running:
        yield running


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> CliResult:
    """The command in process (Typer's CliRunner: a second per command less than the executable, which
    tests/platform/test_cli.py runs); an exception other than the command's own exit fails the test."""
    result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def email() -> str:
    return f"op-{secrets.token_hex(4)}@example.test"


def bootstrap_args(address: str, *extra: str, password: str | None = PASSWORD, workspace: str = "Ops") -> list[str]:
    args = ["bootstrap", "--email", address, "--workspace", workspace, "--first-name", "Ada", "--last-name", "Ops"]
    if password is not None:
        args += ["--password", password]
    return [*args, *extra]


def assert_error(result: CliResult, *expected: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    for text in expected:
        assert text in line, line


def bootstrapped(env: dict[str, str], home: Path, address: str) -> dict[str, Any]:
    result = run_cli(*bootstrap_args(address), env=env, cwd=home)
    assert result.returncode == 0, result.stderr
    return result.json()


def api_get(server: Server, path: str, token: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/api/v2{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


class TestBootstrapValidation:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"--email": "not-an-address"}, "--email must be an e-mail address"),
            ({"--email": "two@@example.test"}, "--email must be an e-mail address"),
            ({"--password": "seven77"}, "at least 8 characters"),
            ({"--workspace": "   "}, "--workspace must be 1 to 200"),
            ({"--workspace": "x" * 201}, "--workspace must be 1 to 200"),
            ({"--first-name": ""}, "--first-name must be"),
        ],
        ids=["email", "email-twice-at", "short-password", "blank-workspace", "long-workspace", "blank-first-name"],
    )
    def test_bad_input_is_one_line_and_creates_nothing(
        self, env: dict[str, str], home: Path, change: dict[str, str], message: str
    ) -> None:
        address = email()
        args = bootstrap_args(address)
        for option, value in change.items():
            args[args.index(option) + 1] = value

        result = run_cli(*args, env=env, cwd=home)

        assert_error(result, message)
        assert run_cli("token", "list", "--email", address, env=env, cwd=home).returncode != 0  # no such user

    def test_an_existing_account_is_refused_without_existing_user(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrapped(env, home, address)

        result = run_cli(*bootstrap_args(address.upper(), workspace="Second"), env=env, cwd=home)

        assert_error(result, "already exists", "--existing-user")

    def test_eight_characters_are_enough(self, env: dict[str, str], home: Path) -> None:
        result = run_cli(*bootstrap_args(email(), password="8 chars!"), env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        assert set(result.json()) == {"user_id", "workspace_id", "token"}


class TestBootstrapExistingUser:
    def test_adds_a_workspace_owned_by_them(self, env: dict[str, str], home: Path, server: Server) -> None:
        address = email()
        first = bootstrapped(env, home, address)

        result = run_cli(
            "bootstrap", "--email", address, "--workspace", "Second", "--existing-user", "--password", PASSWORD,
            env=env, cwd=home,
        )  # fmt: skip

        assert result.returncode == 0, result.stderr
        second = result.json()
        assert second["user_id"] == first["user_id"]
        assert second["workspace_id"] != first["workspace_id"]
        listed = api_get(server, "/workspaces", str(second["token"])).json()["data"]
        assert {w["id"]: w["role"] for w in listed} == {first["workspace_id"]: "Owner", second["workspace_id"]: "Owner"}

    def test_a_wrong_password_is_refused(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrapped(env, home, address)

        result = run_cli(
            "bootstrap", "--email", address, "--workspace", "Second", "--existing-user", "--password", "not-theirs",
            env=env, cwd=home,
        )  # fmt: skip

        assert_error(result, "password", "not correct")

    def test_an_unknown_e_mail_is_refused(self, env: dict[str, str], home: Path) -> None:
        result = run_cli(
            "bootstrap", "--email", email(), "--workspace", "W", "--existing-user", "--password", PASSWORD,
            env=env, cwd=home,
        )  # fmt: skip

        assert_error(result, "no user with e-mail")


def json_line(stdout: str) -> dict[str, Any]:
    """The one JSON object. CliRunner's stand-in for getpass writes a blank line to stdout for each hidden
    prompt (getpass itself writes to the terminal, or stderr), so blank lines are left out here."""
    [line] = [text for text in stdout.splitlines() if text.strip()]
    payload = json.loads(line)
    assert isinstance(payload, dict)
    return payload


class TestBootstrapPrompts:
    def test_asks_for_the_password_hidden_with_confirmation(self, env: dict[str, str], server: Server) -> None:
        address = email()

        result = CliRunner().invoke(
            cli_app, bootstrap_args(address, password=None), input=f"{PASSWORD}\n{PASSWORD}\n", env=env
        )

        assert result.exit_code == 0, result.stderr
        assert PASSWORD not in result.output  # hidden: not echoed
        assert "Password" in result.stderr and "Repeat" in result.stderr
        token = json_line(result.stdout)["token"]
        assert api_get(server, "/workspaces", token).status_code == 200

    def test_a_confirmation_that_differs_is_asked_again(self, env: dict[str, str]) -> None:
        result = CliRunner().invoke(
            cli_app,
            bootstrap_args(email(), password=None),
            input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
            env=env,
        )

        assert result.exit_code == 0, result.stderr
        assert "do not match" in result.stderr.lower() or "don't match" in result.stderr.lower()

    def test_a_prompted_password_is_validated(self, env: dict[str, str]) -> None:
        result = CliRunner().invoke(cli_app, bootstrap_args(email(), password=None), input="short\nshort\n", env=env)

        assert result.exit_code != 0
        assert result.stdout.strip() == ""
        assert "at least 8 characters" in result.stderr

    def test_existing_user_asks_for_their_password(self, env: dict[str, str], home: Path) -> None:
        address = email()
        first = bootstrapped(env, home, address)

        result = CliRunner().invoke(
            cli_app,
            ["bootstrap", "--email", address, "--workspace", "Prompted", "--existing-user"],
            input=f"{PASSWORD}\n",
            env=env,
        )

        assert result.exit_code == 0, result.stderr
        assert json_line(result.stdout)["user_id"] == first["user_id"]
        assert PASSWORD not in result.output


class TestTokenList:
    def test_lists_the_tokens_without_the_token_or_its_hash(
        self, env: dict[str, str], home: Path, server: Server
    ) -> None:
        address = email()
        boot = bootstrapped(env, home, address)
        assert api_get(server, "/workspaces", str(boot["token"])).status_code == 200  # sets last_used_at
        read_only = run_cli(
            "token", "create", "--email", address, "--name", "ro", "--scopes", "read", env=env, cwd=home
        )
        revoked = run_cli("token", "create", "--email", address, "--name", "gone", env=env, cwd=home).json()["token"]
        assert run_cli("token", "revoke", str(revoked), env=env, cwd=home).returncode == 0

        result = run_cli("token", "list", "--email", address, env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        tokens = result.json()["tokens"]
        assert [(t["name"], t["scopes"], t["revoked"]) for t in tokens] == [
            ("bootstrap", ["read", "write"], False),
            ("ro", ["read"], False),
            ("gone", ["read", "write"], True),
        ]
        assert set(tokens[0]) == {
            "id", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked", "revoked_at",
        }  # fmt: skip
        assert tokens[0]["last_used_at"] is not None and tokens[1]["last_used_at"] is None
        assert tokens[2]["revoked_at"] is not None
        for secret in (str(boot["token"]), str(read_only.json()["token"]), str(revoked)):
            assert secret not in result.stdout and secret.removeprefix("wtp_") not in result.stdout

    def test_an_unknown_e_mail_is_one_line(self, env: dict[str, str], home: Path) -> None:
        assert_error(run_cli("token", "list", "--email", email(), env=env, cwd=home), "no user with e-mail")


def create_client(
    env: dict[str, str], home: Path, address: str, *redirect_uris: str, public: bool = False, name: str = "App"
) -> CliResult:
    args = ["oauth-client", "create", "--email", address, "--name", name]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    return run_cli(*args, *(["--public"] if public else []), env=env, cwd=home)


class TestOAuthClientCreate:
    @pytest.mark.parametrize(
        "uri",
        [
            "/callback",
            "payroll.example/callback",
            "ftp://payroll.example/callback",
            "javascript:alert(1)",
            "https://payroll.example/callback#fragment",
            "https://user:pw@payroll.example/callback",
            "https:///callback",
            "https://payroll.example/call back",
            "http://127.0.0.1:notaport/cb",
        ],
    )
    def test_refuses_a_redirect_uri_that_is_not_an_absolute_http_url(
        self, env: dict[str, str], home: Path, uri: str
    ) -> None:
        address = email()
        bootstrapped(env, home, address)

        result = create_client(env, home, address, uri)

        assert_error(result, "redirect URI")

    @pytest.mark.parametrize("uri", ["myapp://callback", "com.example.app:/callback"])
    def test_a_public_client_still_needs_http(self, env: dict[str, str], home: Path, uri: str) -> None:
        address = email()
        bootstrapped(env, home, address)

        assert_error(create_client(env, home, address, uri, public=True), "redirect URI")

    @pytest.mark.parametrize(
        "uri", ["http://127.0.0.1:8765/callback", "http://[::1]:8765/callback", "http://localhost/callback"]
    )
    def test_a_public_client_may_use_a_loopback_redirect(self, env: dict[str, str], home: Path, uri: str) -> None:
        address = email()
        bootstrapped(env, home, address)

        result = create_client(env, home, address, uri, public=True)

        assert result.returncode == 0, result.stderr
        assert result.json()["client_secret"] is None

    def test_several_redirect_uris(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrapped(env, home, address)
        uris = ["https://a.example/cb", "https://b.example/cb"]

        assert create_client(env, home, address, *uris).returncode == 0

        [client] = run_cli("oauth-client", "list", "--email", address, env=env, cwd=home).json()["clients"]
        assert client["redirect_uris"] == uris


def client_credentials(server: Server, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read"},
        auth=(client_id, secret),
        timeout=10,
    )


class TestOAuthClientList:
    def test_lists_a_users_clients_without_secrets(self, env: dict[str, str], home: Path) -> None:
        address, other = email(), email()
        bootstrapped(env, home, address)
        bootstrapped(env, home, other)
        confidential = create_client(env, home, address, "https://a.example/cb", name="Payroll").json()
        public = create_client(env, home, address, "http://127.0.0.1:9/cb", public=True, name="CLI").json()
        create_client(env, home, other, "https://other.example/cb")

        result = run_cli("oauth-client", "list", "--email", address, env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        clients = result.json()["clients"]
        assert [(c["client_id"], c["name"], c["public"], c["owner_email"]) for c in clients] == [
            (confidential["client_id"], "Payroll", False, address),
            (public["client_id"], "CLI", True, address),
        ]
        assert clients[1]["grant_types"] == ["authorization_code", "refresh_token"]
        assert not clients[0]["revoked"] and clients[0]["revoked_at"] is None
        assert str(confidential["client_secret"]) not in result.stdout

    def test_without_an_e_mail_lists_every_client(self, env: dict[str, str], home: Path) -> None:
        address, other = email(), email()
        bootstrapped(env, home, address)
        bootstrapped(env, home, other)
        mine = create_client(env, home, address, "https://a.example/cb").json()["client_id"]
        theirs = create_client(env, home, other, "https://b.example/cb").json()["client_id"]

        listed = run_cli("oauth-client", "list", env=env, cwd=home).json()["clients"]

        assert {mine, theirs} <= {c["client_id"] for c in listed}

    def test_an_unknown_e_mail_is_one_line(self, env: dict[str, str], home: Path) -> None:
        assert_error(run_cli("oauth-client", "list", "--email", email(), env=env, cwd=home), "no user with e-mail")


class TestOAuthClientRevoke:
    def test_revokes_the_client_and_its_tokens(self, env: dict[str, str], home: Path, server: Server) -> None:
        address = email()
        bootstrapped(env, home, address)
        created = create_client(env, home, address, "https://a.example/cb").json()
        client_id, secret = str(created["client_id"]), str(created["client_secret"])
        issued = client_credentials(server, client_id, secret)
        assert issued.status_code == 200, issued.text
        access_token = issued.json()["access_token"]
        assert api_get(server, "/workspaces", access_token).status_code == 200

        result = run_cli("oauth-client", "revoke", client_id, env=env, cwd=home)

        assert result.returncode == 0, result.stderr
        assert result.json() == {"revoked": True, "tokens_revoked": 1}
        refused = api_get(server, "/workspaces", access_token)
        assert_error_code(refused, 401, "unauthenticated")
        assert refused.json()["success"] is False
        again = client_credentials(server, client_id, secret)
        assert again.status_code == 401
        assert again.json()["error"] == "invalid_client"
        [listed] = run_cli("oauth-client", "list", "--email", address, env=env, cwd=home).json()["clients"]
        assert listed["revoked"] is True and listed["revoked_at"] is not None

    def test_an_unknown_or_revoked_client_is_one_line(self, env: dict[str, str], home: Path) -> None:
        address = email()
        bootstrapped(env, home, address)
        client_id = str(create_client(env, home, address, "https://a.example/cb").json()["client_id"])
        assert run_cli("oauth-client", "revoke", client_id, env=env, cwd=home).returncode == 0

        assert_error(run_cli("oauth-client", "revoke", client_id, env=env, cwd=home), "no active OAuth client")
        assert_error(run_cli("oauth-client", "revoke", "wtc_nope", env=env, cwd=home), "no active OAuth client")
