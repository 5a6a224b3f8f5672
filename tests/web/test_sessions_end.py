"""Issue #12: signing out, a password change and archiving the member end every browser session of the
user, not only the cookie of the browser that did it. Each test signs the same user in twice, in two
browsers with cookie jars of their own, and checks the second one afterwards."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from itsdangerous import TimestampSigner

from tests.auth.kit import csrf_of, sign_in
from tests.errors import assert_page_error
from tests.factories import Tenants
from tests.factories.workspace import TEST_PASSWORD
from tests.web.browsers import SIGNED_OUT, can_sign_in, new_browser, post_form, signed_in

NEW_PASSWORD = "a-brand-new-pass"


class TestSignOutEndsEverySession:
    async def test_signing_out_in_one_browser_signs_out_the_other(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        async with new_browser(app) as second:
            await sign_in(second, ws.owner.email)
            assert await signed_in(second)

            response = await post_form(browser, "/settings/tokens", "/sign-out")

            assert response.status_code == 303 and response.headers["location"] == "/sign-in"
            assert not await signed_in(browser)
            assert not await signed_in(second)
            # The refused cookie is dropped, and signing in again works.
            assert (await sign_in(second, ws.owner.email)).status_code == 303
            assert await signed_in(second)

    async def test_other_users_sessions_are_untouched(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        colleague = await ws.member()
        await sign_in(browser, ws.owner.email)
        async with new_browser(app) as second:
            await sign_in(second, colleague.email)

            await post_form(browser, "/settings/tokens", "/sign-out")

            assert await signed_in(second)

    async def test_sign_out_may_come_back_to_a_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)

        response = await post_form(browser, "/settings/tokens", "/sign-out", next="/accept-invitation/abc")

        assert response.headers["location"] == "/sign-in?next=%2Faccept-invitation%2Fabc"

    async def test_only_a_cookie_with_the_current_session_version_counts(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        """Cookies signed with the app's key by hand: the current version passes (so the forging works),
        one without a version (signed before versions existed) or with an old one does not."""
        ws = await tenants.workspace()  # a new user: session version 0

        def cookie(session: dict[str, object]) -> str:
            payload = base64.b64encode(json.dumps({"user_id": ws.owner.user_id, "csrf": "x", **session}).encode())
            return TimestampSigner("test-secret-key").sign(payload).decode()

        answers = []
        for session in ({"sv": 0}, {}, {"sv": -1}, {"sv": True}):
            browser.cookies.clear()
            browser.cookies.set("worktally_session", cookie(session))
            answers.append((await browser.get("/settings/tokens")).status_code)

        assert answers == [200, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT]


class TestPasswordChangeOnTheSettingsPage:
    async def test_ends_the_other_sessions_and_keeps_this_one(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await sign_in(browser, member.email)
        async with new_browser(app) as second:
            await sign_in(second, member.email)

            response = await post_form(
                browser,
                "/settings/tokens",
                "/settings/password",
                current_password=TEST_PASSWORD,
                new_password=NEW_PASSWORD,
                new_password_confirm=NEW_PASSWORD,
            )

            assert response.status_code == 200
            assert "Your password has been changed" in response.text
            assert await signed_in(browser)
            assert not await signed_in(second)
            assert not await can_sign_in(app, member.email, TEST_PASSWORD)
            assert await can_sign_in(app, member.email, NEW_PASSWORD)

    async def test_a_wrong_current_password_is_422_and_changes_nothing(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await sign_in(browser, member.email)
        async with new_browser(app) as second:
            await sign_in(second, member.email)

            response = await post_form(
                browser,
                "/settings/tokens",
                "/settings/password",
                current_password="not-my-password",
                new_password=NEW_PASSWORD,
                new_password_confirm=NEW_PASSWORD,
            )

            assert_page_error(response, 422, "validation_failed")
            assert "The current password is incorrect." in response.text
            assert await signed_in(second)
            assert await can_sign_in(app, member.email, TEST_PASSWORD)

    async def test_a_short_or_mismatched_new_password_is_422(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)

        short = await post_form(
            browser,
            "/settings/tokens",
            "/settings/password",
            current_password=TEST_PASSWORD,
            new_password="short",
            new_password_confirm="short",
        )
        mismatched = await post_form(
            browser,
            "/settings/tokens",
            "/settings/password",
            current_password=TEST_PASSWORD,
            new_password=NEW_PASSWORD,
            new_password_confirm=NEW_PASSWORD + "x",
        )

        assert short.status_code == 422 and "at least 8 characters" in short.text
        assert mismatched.status_code == 422 and "The new passwords do not match." in mismatched.text
        assert await signed_in(browser)

    async def test_without_the_csrf_token_is_403(self, tenants: Tenants, app: Any, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)

        response = await browser.post(
            "/settings/password",
            data={
                "current_password": TEST_PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )

        assert_page_error(response, 403, "csrf_failed")
        assert await can_sign_in(app, ws.owner.email, TEST_PASSWORD)

    async def test_guessing_the_current_password_is_rate_limited(
        self, tenants: Tenants, limited: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(limited, ws.owner.email)  # the first of the address's 3 form posts this minute
        page = await limited.get("/settings/tokens")
        guess = {"csrf_token": csrf_of(page.text), "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
        for attempt in ("guess-one", "guess-two"):
            wrong = await limited.post("/settings/password", data={**guess, "current_password": attempt})
            assert_page_error(wrong, 422, "validation_failed")

        response = await limited.post("/settings/password", data={**guess, "current_password": TEST_PASSWORD})

        assert_page_error(response, 429, "rate_limited")
        assert "Too many" in response.text

    async def test_signed_out_it_goes_to_sign_in(self, browser: httpx.AsyncClient) -> None:
        response = await post_form(browser, "/sign-in", "/settings/password", current_password="x")

        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")


class TestArchivingEndsEverySession:
    async def test_archived_members_browsers_are_signed_out(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await sign_in(browser, member.email)
        async with new_browser(app) as second:
            await sign_in(second, member.email)
            assert await signed_in(browser) and await signed_in(second)

            response = await ws.owner.api.delete(f"/members/{member.user_id}")

            assert response.status_code == 200
            assert not await signed_in(browser)
            assert not await signed_in(second)

    async def test_withdrawing_an_invitation_signs_nobody_out(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        """Another workspace invites, then archives, an account that never joined it: that account's
        sessions are not that workspace's to end."""
        home = await tenants.workspace()
        other = await tenants.workspace()
        await sign_in(browser, home.owner.email)
        invited = await other.owner.api.post(
            "/members",
            json={"email": home.owner.email, "firstname": "A", "lastname": "B", "role": "Regular User"},
        )

        response = await other.owner.api.delete(f"/members/{invited.json()['data']['user_id']}")

        assert response.status_code == 200
        assert await signed_in(browser)

    async def test_a_refused_archive_ends_nothing(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await sign_in(browser, ws.owner.email)

        response = await member.api.delete(f"/members/{ws.owner.user_id}")

        assert response.status_code == 403
        assert response.json()["error"] == "role_forbidden"
        assert await signed_in(browser)


class TestTheCheckIsOnEveryPage:
    async def test_a_form_posted_in_an_ended_session_is_refused(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await sign_in(browser, ws.owner.email)
        page = await browser.get("/settings/tokens")
        async with new_browser(app) as second:
            await sign_in(second, ws.owner.email)
            await post_form(second, "/settings/tokens", "/sign-out")

        # The old session's CSRF token no longer counts either: the session is gone.
        response = await browser.post("/settings/tokens", data={"csrf_token": csrf_of(page.text), "name": "x"})

        assert_page_error(response, 403, "csrf_failed")


class TestWhenTheCheckCannotBeMade:
    async def test_an_unreachable_database_is_a_503_not_a_session_let_through(self, tmp_path: Any) -> None:
        from tests.conftest import make_settings
        from worktally.main import create_app

        broken = create_app(make_settings(f"sqlite:///{tmp_path}/missing-directory/db.sqlite3"))
        payload = base64.b64encode(json.dumps({"user_id": 1, "sv": 0, "csrf": "x"}).encode())
        async with broken.router.lifespan_context(broken), new_browser(broken) as http:
            http.cookies.set("worktally_session", TimestampSigner("test-secret-key").sign(payload).decode())

            response = await http.get("/settings/tokens")

        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "1970" not in response.headers.get("set-cookie", "")  # the cookie is kept, not cleared
