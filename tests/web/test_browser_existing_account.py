"""Issue #12 end to end, in real Chromium (Playwright) against a real uvicorn server: another workspace's
owner invites an existing account; the link cannot set its password, the inviter cannot use it, and the
account's owner joins by signing in as themselves."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import Tenants
from tests.factories.workspace import TEST_PASSWORD
from tests.member.helpers import membership
from tests.web.browsers import can_sign_in, invite_by_api
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

ATTACKER_PASSWORD = "attacker-chosen-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in_in_browser(page: Any, email: str, password: str) -> None:
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


class TestExistingAccountInvitationInBrowser:
    async def test_the_owner_joins_by_signing_in_and_the_link_sets_no_password(
        self,
        tenants: Tenants,
        app: Any,
        live_server: LiveServer,
        chromium: Any,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        home = await tenants.workspace(name="Home Co")
        partner = await tenants.workspace(name="Partner Co")
        response, token = await invite_by_api(partner.owner.api, caplog, home.owner.email)
        assert response.json()["data"]["invitation_link"] is None
        link = f"{live_server.url}/accept-invitation/{token}"

        # The inviter, signed in as themselves, cannot use the invitation.
        inviter = await chromium.new_context()
        inviter_page = await inviter.new_page()
        await inviter_page.goto(f"{live_server.url}/sign-in")
        await sign_in_in_browser(inviter_page, partner.owner.email, TEST_PASSWORD)
        await inviter_page.wait_for_url(f"{live_server.url}/")  # sign-in lands on the day
        refused = await inviter_page.goto(link)
        inviter_refused = refused.status
        inviter_text = await inviter_page.content()
        inviter_password_fields = await inviter_page.locator("input[type=password]").count()
        await inviter.close()

        # An anonymous browser holding the link sees no password field, and posting one changes nothing.
        context = await chromium.new_context()
        page = await context.new_page()
        await page.goto(link)
        assert await page.get_by_role("heading", name="Join Partner Co").is_visible()
        anonymous_password_fields = await page.locator("input[type=password]").count()
        csrf = CSRF.search(await (await page.request.get(f"{live_server.url}/sign-in")).text())
        assert csrf is not None
        forced = await page.request.post(link, form={"csrf_token": csrf.group(1), "password": ATTACKER_PASSWORD})
        forced_status = forced.status

        # The account's owner signs in from the invitation and joins.
        await page.goto(link)
        await page.get_by_role("link", name="Sign in to accept").click()
        await page.wait_for_url(re.compile(r".*/sign-in\?next=.*"))
        await sign_in_in_browser(page, home.owner.email, TEST_PASSWORD)
        await page.wait_for_url(f"**/accept-invitation/{token}")
        await page.get_by_role("button", name="Join Partner Co").click()
        await page.get_by_role("heading", name="Welcome to Worktally").wait_for()
        welcome = await page.content()
        await context.close()

        assert inviter_refused == 403
        assert "This invitation is for another account" in inviter_text
        assert inviter_password_fields == 0
        assert anonymous_password_fields == 0
        assert forced_status == 401
        assert "You have joined Partner Co" in welcome
        row = await membership(partner, home.owner.user_id)
        assert row is not None and row.status == "active"
        assert await can_sign_in(app, home.owner.email, TEST_PASSWORD)
        assert not await can_sign_in(app, home.owner.email, ATTACKER_PASSWORD)
        listed = await home.owner.api.get("/workspaces", with_workspace=False)
        assert {w["id"] for w in listed.json()["data"]} == {home.id, partner.id}
