"""Issue #12: inviting the e-mail of an existing account (here another workspace's owner) must never give
anybody a way to set its password. The inviter gets no link; the invitee accepts by signing in as
themselves; nobody else, signed in or not, can use the invitation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.auth.kit import csrf_of, sign_in
from tests.errors import assert_page_error
from tests.factories import Tenants
from tests.factories.workspace import TEST_PASSWORD, unique_email
from tests.member.helpers import events, membership
from tests.web.app_kit import signed_in
from tests.web.browsers import can_sign_in, invite_by_api, new_browser, post_form
from worktally.db.models import User

ATTACKER_PASSWORD = "attacker-chosen-1"


async def password_hash_of(tenants: Tenants, user_id: int) -> str | None:
    async with tenants.sessionmaker() as session:
        return (await session.execute(select(User.password_hash).where(User.id == user_id))).scalar_one()


class TestTheInviterGetsNoWayIn:
    async def test_inviting_another_workspaces_owner_gives_no_link(
        self, tenants: Tenants, caplog: pytest.LogCaptureFixture
    ) -> None:
        victim_ws = await tenants.workspace()
        attacker_ws = await tenants.workspace()
        before = await password_hash_of(tenants, victim_ws.owner.user_id)

        response, _ = await invite_by_api(attacker_ws.owner.api, caplog, victim_ws.owner.email.upper())

        data = response.json()["data"]
        assert data["invitation_link"] is None
        # D4: the member's id in the inviting workspace is the user's id; D12 needs it to give contracts.
        assert data["user_id"] == victim_ws.owner.user_id
        row = await membership(attacker_ws, victim_ws.owner.user_id)
        assert row is not None and row.status == "inactive"
        assert await password_hash_of(tenants, victim_ws.owner.user_id) == before

    async def test_a_new_email_still_gets_its_link(self, tenants: Tenants, caplog: pytest.LogCaptureFixture) -> None:
        ws = await tenants.workspace()

        response, token = await invite_by_api(ws.owner.api, caplog, unique_email("newcomer"))

        assert response.json()["data"]["invitation_link"] == f"http://testserver/accept-invitation/{token}"

    async def test_an_account_invited_elsewhere_gets_no_link_either(
        self, tenants: Tenants, caplog: pytest.LogCaptureFixture
    ) -> None:
        first = await tenants.workspace()
        second = await tenants.workspace()
        email = unique_email("twice")
        await invite_by_api(first.owner.api, caplog, email)

        response, _ = await invite_by_api(second.owner.api, caplog, email)

        assert response.json()["data"]["invitation_link"] is None

    async def test_a_project_viewer_invitation_of_an_owner_mails_a_sign_in_invitation(
        self, tenants: Tenants, app: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        victim_ws = await tenants.workspace()
        ws = await tenants.workspace(name="Viewer Co")
        sent: list[Any] = []
        monkeypatch.setattr("worktally.member.mail.send_smtp", lambda _t, message: sent.append(message))
        original = app.state.settings
        app.state.settings = original.model_copy(update={"smtp_url": "smtp://mail.example:2525"})
        try:
            response = await ws.owner.api.post(
                "/project-viewers",
                json={"workspace_id": ws.id, "email": victim_ws.owner.email, "firstname": "V", "lastname": "W"},
            )
        finally:
            app.state.settings = original

        assert response.status_code == 201, response.text
        assert "invitation_link" not in response.json()["data"]
        [message] = sent
        assert "Sign in with your Worktally account" in message.get_content()

    async def test_the_team_page_mails_an_existing_account_a_sign_in_invitation(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        invitee_ws = await tenants.workspace()
        ws = await tenants.workspace(name="Team Co")
        csrf = await signed_in(browser, ws.owner)
        sent: list[Any] = []
        monkeypatch.setattr("worktally.member.mail.send_smtp", lambda _t, message: sent.append(message))
        original = app.state.settings
        app.state.settings = original.model_copy(update={"smtp_url": "smtp://mail.example:2525"})
        try:
            response = await browser.post(
                "/team/invite",
                data={
                    "csrf_token": csrf,
                    "email": invitee_ws.owner.email,
                    "firstname": "I",
                    "lastname": "V",
                    "role": "Regular User",
                },
            )
        finally:
            app.state.settings = original

        assert response.status_code == 303, response.text
        [message] = sent  # the same e-mail the API's invitation sends (member.service.Invited.mail)
        assert message["To"] == invitee_ws.owner.email
        assert "Sign in with your Worktally account" in message.get_content()
        assert "Choose a password" not in message.get_content()


class TestTheLinkCannotSetThePassword:
    async def test_posting_a_password_to_the_link_changes_nothing(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        victim_ws = await tenants.workspace()
        attacker_ws = await tenants.workspace()
        _, token = await invite_by_api(attacker_ws.owner.api, caplog, victim_ws.owner.email)
        before = await password_hash_of(tenants, victim_ws.owner.user_id)

        # The page has no form to take a CSRF token from; the sign-in page gives this browser one.
        response = await post_form(browser, "/sign-in", f"/accept-invitation/{token}", password=ATTACKER_PASSWORD)

        assert_page_error(response, 401, "unauthenticated")
        assert "Sign in to accept" in response.text
        assert await password_hash_of(tenants, victim_ws.owner.user_id) == before
        assert not await can_sign_in(app, victim_ws.owner.email, ATTACKER_PASSWORD)
        assert await can_sign_in(app, victim_ws.owner.email, TEST_PASSWORD)
        row = await membership(attacker_ws, victim_ws.owner.user_id)
        assert row is not None and row.status == "inactive"
        assert (await browser.get(f"/accept-invitation/{token}")).status_code == 200  # still the invitee's

    async def test_the_page_asks_to_sign_in_and_has_no_password_field(
        self, tenants: Tenants, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        victim_ws = await tenants.workspace()
        ws = await tenants.workspace(name="Other Co")
        _, token = await invite_by_api(ws.owner.api, caplog, victim_ws.owner.email)

        page = await browser.get(f"/accept-invitation/{token}")

        assert page.status_code == 200
        assert "Join Other Co" in page.text
        assert 'type="password"' not in page.text
        assert f'href="/sign-in?next=/accept-invitation/{token}"' in page.text

    async def test_the_inviter_signed_in_cannot_accept_it(
        self, tenants: Tenants, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        victim_ws = await tenants.workspace()
        attacker_ws = await tenants.workspace()
        _, token = await invite_by_api(attacker_ws.owner.api, caplog, victim_ws.owner.email)
        await sign_in(browser, attacker_ws.owner.email)
        before = await password_hash_of(tenants, victim_ws.owner.user_id)

        page = await browser.get(f"/accept-invitation/{token}")
        response = await browser.post(
            f"/accept-invitation/{token}", data={"csrf_token": csrf_of(page.text), "password": ATTACKER_PASSWORD}
        )

        assert_page_error(page, 403, "forbidden")
        assert "This invitation is for another account" in page.text
        assert_page_error(response, 403, "forbidden")
        assert await password_hash_of(tenants, victim_ws.owner.user_id) == before
        row = await membership(attacker_ws, victim_ws.owner.user_id)
        assert row is not None and row.status == "inactive"


class TestTheInviteeJoinsBySigningIn:
    async def test_signed_in_as_themselves_they_join(
        self, tenants: Tenants, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        home = await tenants.workspace()
        ws = await tenants.workspace(name="Second Co")
        _, token = await invite_by_api(ws.owner.api, caplog, home.owner.email)
        before = await password_hash_of(tenants, home.owner.user_id)
        signing_in = await browser.get(f"/sign-in?next=/accept-invitation/{token}")
        await browser.post(
            "/sign-in",
            data={
                "csrf_token": csrf_of(signing_in.text),
                "email": home.owner.email,
                "password": TEST_PASSWORD,
                "next": f"/accept-invitation/{token}",
            },
        )

        page = await browser.get(f"/accept-invitation/{token}")
        joined = await browser.post(
            f"/accept-invitation/{token}", data={"csrf_token": csrf_of(page.text), "password": ATTACKER_PASSWORD}
        )

        assert page.status_code == 200 and "Join Second Co</button>" in page.text
        assert joined.status_code == 200
        assert "You have joined Second Co" in joined.text
        row = await membership(ws, home.owner.user_id)
        assert row is not None and row.status == "active"
        assert await password_hash_of(tenants, home.owner.user_id) == before  # the posted field is ignored
        listed = await home.owner.api.get("/workspaces", with_workspace=False)
        assert {w["id"] for w in listed.json()["data"]} >= {home.id, ws.id}
        [event] = await events(ws, "member.activated")
        assert event["data"]["id"] == home.owner.user_id
        assert_page_error(await browser.get(f"/accept-invitation/{token}"), 404, "not_found")  # used up

    async def test_an_account_invited_twice_sets_its_first_password_once(
        self, tenants: Tenants, app: Any, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        first = await tenants.workspace()
        second = await tenants.workspace()
        email = unique_email("twice")
        first_response, first_token = await invite_by_api(first.owner.api, caplog, email)
        _, second_token = await invite_by_api(second.owner.api, caplog, email)

        chosen = await post_form(
            browser,
            f"/accept-invitation/{second_token}",
            f"/accept-invitation/{second_token}",
            password="my-own-password",
        )
        async with new_browser(app) as other:
            replay = await post_form(other, "/sign-in", f"/accept-invitation/{first_token}", password=ATTACKER_PASSWORD)

        assert chosen.status_code == 200
        assert_page_error(replay, 401, "unauthenticated")  # the first inviter's link now asks for a sign-in
        assert await can_sign_in(app, email, "my-own-password")
        assert not await can_sign_in(app, email, ATTACKER_PASSWORD)
        user_id = first_response.json()["data"]["user_id"]
        assert (await membership(second, user_id)).status == "active"  # type: ignore[union-attr]
        assert (await membership(first, user_id)).status == "inactive"  # type: ignore[union-attr]


class TestAnArchivedInvitationCannotBeJoined:
    async def test_archived_before_accepting_the_link_is_gone(
        self, tenants: Tenants, browser: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        home = await tenants.workspace()
        ws = await tenants.workspace()
        _, token = await invite_by_api(ws.owner.api, caplog, home.owner.email)
        archived = await ws.owner.api.delete(f"/members/{home.owner.user_id}")
        assert archived.status_code == 200
        await sign_in(browser, home.owner.email)

        page = await browser.get(f"/accept-invitation/{token}")
        joined = await browser.post(f"/accept-invitation/{token}", data={"csrf_token": csrf_of(page.text)})

        assert_page_error(joined, 404, "not_found")
        assert "Invitation not found" in joined.text
        row = await membership(ws, home.owner.user_id)
        assert row is not None and row.status == "left"
        assert (await browser.get(f"/accept-invitation/{token}")).status_code == 200  # not used up either


class TestInvitationMailText:
    def test_an_existing_account_is_told_to_sign_in(self) -> None:
        from worktally.member.mail import InvitationMail, build_message

        mail = InvitationMail(
            to="a@example.com", firstname="A", workspace_name="W", link="http://x/t", existing_account=True
        )

        assert "Sign in with your Worktally account" in build_message(mail, "wt@example.com").get_content()
