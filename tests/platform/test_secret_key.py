"""D7: the key that signs browser sessions is per installation, never in the repository (issue 12).

It comes from ``WORKTALLY_SECRET_KEY`` or a file generated on first start beside the SQLite database with
mode 0600; a file that group or others can read is refused; a cookie signed with any other key signs nobody in.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from itsdangerous import TimestampSigner

from tests.auth.kit import sign_in
from tests.factories import Tenants
from tests.platform.processes import cli_env, run_cli, serving
from worktally.config import Settings
from worktally.core.secrets import SecretKeyFileError

REPOSITORY = Path(__file__).resolve().parents[2]
SESSION_COOKIE = "worktally_session"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def without_key(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != "WORKTALLY_SECRET_KEY"}


class TestTheRepository:
    def test_tracks_no_key_file_nor_the_demo_token(self) -> None:
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=REPOSITORY, capture_output=True, text=True, check=True
        ).stdout.splitlines()

        assert [name for name in tracked if name.endswith(".secret") or name.endswith(".demo.json")] == []

    def test_ignores_the_generated_key_and_the_demo_token(self) -> None:
        names = ["worktally.secret", ".demo.json", "data/worktally.secret"]

        ignored = subprocess.run(
            ["git", "check-ignore", "--no-index", *names], cwd=REPOSITORY, capture_output=True, text=True, check=False
        ).stdout.splitlines()

        assert ignored == names

    def test_a_fresh_clone_has_no_key_file(self, tmp_path: Path) -> None:
        clone = tmp_path / "clone"

        subprocess.run(["git", "clone", "--quiet", str(REPOSITORY), str(clone)], check=True, capture_output=True)

        assert (clone / "pyproject.toml").is_file()
        assert list(clone.rglob("*.secret")) == []


class TestResolvedSecretKey:
    def test_the_setting_wins_and_no_file_is_written(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/data.sqlite3", secret_key="from-the-environment")

        assert settings.resolved_secret_key() == "from-the-environment"
        assert list(tmp_path.iterdir()) == []

    def test_generated_once_beside_the_sqlite_database_with_mode_0600(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/data/worktally.sqlite3", secret_key="")
        (tmp_path / "data").mkdir()
        previous = os.umask(0)  # the file's mode must not depend on the umask
        try:
            first = settings.resolved_secret_key()
        finally:
            os.umask(previous)

        key_file = tmp_path / "data" / "worktally.secret"
        assert mode_of(key_file) == 0o600
        assert len(first) >= 48
        assert settings.resolved_secret_key() == first

    def test_processes_starting_together_agree_on_one_key(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/db.sqlite3", secret_key="")

        with ThreadPoolExecutor(max_workers=8) as pool:
            keys = set(pool.map(lambda _: settings.resolved_secret_key(), range(32)))

        assert keys == {(tmp_path / "worktally.secret").read_text().strip()}
        assert [p.name for p in tmp_path.iterdir()] == ["worktally.secret"]  # no temporary file left

    def test_postgresql_keeps_it_in_the_working_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        settings = Settings(database_url="postgresql://user@db.example/worktally", secret_key="")

        key = settings.resolved_secret_key()

        assert (tmp_path / "worktally.secret").read_text().strip() == key
        assert mode_of(tmp_path / "worktally.secret") == 0o600

    def test_the_file_setting_names_another_place(self, tmp_path: Path) -> None:
        settings = Settings(database_url="postgresql://u@h/d", secret_key="", secret_key_file=str(tmp_path / "k"))

        key = settings.resolved_secret_key()

        assert (tmp_path / "k").read_text().strip() == key
        assert mode_of(tmp_path / "k") == 0o600

    @pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
    def test_a_file_open_to_group_or_others_is_refused(self, tmp_path: Path, mode: int) -> None:
        key_file = tmp_path / "worktally.secret"
        key_file.write_text("a-key-someone-else-may-have-read")
        key_file.chmod(mode)
        settings = Settings(database_url=f"sqlite:///{tmp_path}/db.sqlite3", secret_key="")

        with pytest.raises(SecretKeyFileError) as refused:
            settings.resolved_secret_key()

        message = str(refused.value)
        assert "\n" not in message
        assert str(key_file) in message and f"{mode:04o}" in message and "chmod 600" in message

    def test_an_empty_file_is_refused(self, tmp_path: Path) -> None:
        key_file = tmp_path / "worktally.secret"
        key_file.write_text("\n")
        key_file.chmod(0o600)

        with pytest.raises(SecretKeyFileError):
            Settings(database_url=f"sqlite:///{tmp_path}/db.sqlite3", secret_key="").resolved_secret_key()


@pytest.mark.slow
class TestServe:
    def test_make_runs_path_creates_the_key_beside_the_default_database_with_mode_0600(self, tmp_path: Path) -> None:
        # `make run` is `worktally demo` then `worktally serve`, with the default settings in the checkout.
        env = without_key(cli_env("unused"))
        del env["WORKTALLY_DATABASE_URL"]

        assert run_cli("demo", env=env, cwd=tmp_path).returncode == 0
        with serving(env, tmp_path) as running:
            answer = httpx.get(f"{running.base_url}/sign-in", timeout=10)

        assert answer.status_code == 200
        assert (tmp_path / "worktally.sqlite3").is_file()
        assert mode_of(tmp_path / "worktally.secret") == 0o600

    def test_refuses_to_start_with_a_key_file_others_can_read(self, tmp_path: Path) -> None:
        env = without_key(cli_env(f"sqlite:///{tmp_path}/worktally.sqlite3"))
        key_file = tmp_path / "worktally.secret"
        key_file.write_text("readable-by-everyone")
        key_file.chmod(0o644)

        result = run_cli("serve", "--port", "9", env=env, cwd=tmp_path)

        assert result.returncode != 0
        assert result.stdout == ""
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and str(key_file) in line and "0644" in line


@pytest.fixture
async def browser(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


def session_data(cookie: str) -> dict[str, object]:
    encoded = cookie.rsplit(".", 2)[0]
    decoded = json.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert isinstance(decoded, dict)
    return decoded


def signed(data: dict[str, object], key: str) -> str:
    """Session data signed as Starlette's session middleware signs it, with ``key``."""
    return TimestampSigner(key).sign(base64.b64encode(json.dumps(data).encode())).decode()


async def page_with_cookie(browser: httpx.AsyncClient, cookie: str) -> httpx.Response:
    browser.cookies.clear()
    return await browser.get("/settings/tokens", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})


class TestSessionCookie:
    async def test_a_cookie_signed_with_any_other_key_signs_nobody_in(
        self, tenants: Tenants, browser: httpx.AsyncClient, settings: Settings
    ) -> None:
        ws = await tenants.workspace()
        assert (await sign_in(browser, ws.owner.email)).status_code == 303
        data = session_data(browser.cookies[SESSION_COOKIE])
        assert data["user_id"] == ws.owner.user_id
        # The same data signed with the installation's key is a session (so the forgery below is faithful).
        assert (await page_with_cookie(browser, signed(data, settings.resolved_secret_key()))).status_code == 200

        for key in ("any-other-key", "", "test-secret-key-but-longer"):
            response = await page_with_cookie(browser, signed(data, key))

            assert response.status_code == 303, key
            assert response.headers["location"].startswith("/sign-in")
