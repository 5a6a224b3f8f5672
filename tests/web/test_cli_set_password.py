"""``worktally user set-password`` (issue #12): the real executable, on the test database. The new
password works, the old one no longer does, and every browser session of the user has ended."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.auth.kit import sign_in
from tests.factories import Tenants
from tests.factories.workspace import TEST_PASSWORD
from tests.platform.processes import WORKTALLY, CliResult, cli_env
from tests.web.browsers import can_sign_in, new_browser, signed_in

pytestmark = pytest.mark.slow

NEW_PASSWORD = "set-by-the-operator"


def set_password(database_url: str, cwd: Path, *args: str, stdin: str | None = None) -> CliResult:
    done = subprocess.run(
        [*WORKTALLY, "user", "set-password", *args],
        env=cli_env(database_url),
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


class TestSetPassword:
    async def test_sets_the_password_and_ends_every_session(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient, database_url: str, tmp_path: Path
    ) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await sign_in(browser, member.email)
        async with new_browser(app) as second:
            await sign_in(second, member.email)
            assert await signed_in(browser) and await signed_in(second)

            result = set_password(database_url, tmp_path, "--email", member.email.upper(), "--password", NEW_PASSWORD)

            assert result.returncode == 0, result.stderr
            assert result.json() == {"user_id": member.user_id, "sessions_ended": True}
            assert not await signed_in(browser)
            assert not await signed_in(second)
        assert await can_sign_in(app, member.email, NEW_PASSWORD)
        assert not await can_sign_in(app, member.email, TEST_PASSWORD)
        # Bearer tokens are another credential: they keep working (revoke them with `token revoke`).
        assert (await member.api.get("/workspaces", with_workspace=False)).status_code == 200

    async def test_prompts_twice_on_stderr_when_no_password_is_given(
        self, tenants: Tenants, app: Any, database_url: str, tmp_path: Path
    ) -> None:
        ws = await tenants.workspace()

        result = set_password(database_url, tmp_path, "--email", ws.owner.email, stdin=f"{NEW_PASSWORD}\n" * 2)

        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"user_id": ws.owner.user_id, "sessions_ended": True}
        assert "New password" in result.stderr
        assert NEW_PASSWORD not in result.stdout + result.stderr
        assert await can_sign_in(app, ws.owner.email, NEW_PASSWORD)

    async def test_two_different_answers_change_nothing(
        self, tenants: Tenants, app: Any, database_url: str, tmp_path: Path
    ) -> None:
        ws = await tenants.workspace()

        result = set_password(
            database_url, tmp_path, "--email", ws.owner.email, stdin=f"{NEW_PASSWORD}\n{NEW_PASSWORD}x\n"
        )

        assert result.returncode == 2
        assert result.stdout == ""
        assert "the two passwords differ" in result.stderr
        assert await can_sign_in(app, ws.owner.email, TEST_PASSWORD)

    async def test_a_short_password_is_refused(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient, database_url: str, tmp_path: Path
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)

        result = set_password(database_url, tmp_path, "--email", ws.owner.email, "--password", "short")

        assert result.returncode == 2
        assert result.stdout == ""
        assert "at least 8 characters" in result.stderr
        assert await signed_in(browser)
        assert await can_sign_in(app, ws.owner.email, TEST_PASSWORD)

    def test_an_unknown_email_is_refused(self, database_url: str, tmp_path: Path) -> None:
        result = set_password(database_url, tmp_path, "--email", "nobody@example.test", "--password", NEW_PASSWORD)

        assert result.returncode == 1
        assert result.stdout == ""
        assert "no user with e-mail nobody@example.test" in result.stderr
