from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.auth.kit import csrf_of, expire_invitations, invite_member, sign_in
from tests.errors import assert_page_error
from tests.factories import Tenants
from worktally.db.models import Membership, User, WebhookEvent


async def _accept(browser: httpx.AsyncClient, token: str, **fields: str) -> httpx.Response:
    page = await browser.get(f"/accept-invitation/{token}")
    return await browser.post(f"/accept-invitation/{token}", data={"csrf_token": csrf_of(page.text), **fields})


class TestInvitationPage:
    async def test_shows_the_form_for_a_pending_invitation(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace(name="Acme Studio")
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await browser.get(f"/accept-invitation/{invited.token}")

        assert response.status_code == 200
        assert "Join Acme Studio" in response.text
        assert invited.email in response.text
        assert '<label for="password">' in response.text

    async def test_an_unknown_token_is_a_404_page(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/accept-invitation/not-a-token")

        assert_page_error(response, 404, "not_found")
        assert "Invitation not found" in response.text
        assert response.headers["content-type"].startswith("text/html")

    async def test_an_expired_token_is_a_404_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)
        await expire_invitations(tenants.sessionmaker, invited.user_id)

        response = await browser.get(f"/accept-invitation/{invited.token}")

        assert_page_error(response, 404, "not_found")


class TestAcceptInvitation:
    async def test_activates_the_member_with_the_password_and_names(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await _accept(browser, invited.token, password="s3cret-pass", firstname="Ivana", lastname="Ivic")

        assert response.status_code == 200
        assert 'href="/sign-in"' in response.text
        async with tenants.sessionmaker() as session:
            membership = (
                await session.execute(
                    select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == invited.user_id)
                )
            ).scalar_one()
            user = await session.get(User, invited.user_id)
        assert membership.status == "active" and membership.activated_at is not None
        assert user is not None and (user.firstname, user.lastname) == ("Ivana", "Ivic")

    async def test_the_member_can_then_sign_in(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)
        await _accept(browser, invited.token, password="s3cret-pass")

        response = await sign_in(browser, invited.email, password="s3cret-pass")

        assert response.status_code == 303

    async def test_records_the_member_activated_event(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        await _accept(browser, invited.token, password="s3cret-pass")

        async with tenants.sessionmaker() as session:
            events = (
                (
                    await session.execute(
                        select(WebhookEvent).where(
                            WebhookEvent.workspace_id == ws.id, WebhookEvent.type == "member.activated"
                        )
                    )
                )
                .scalars()
                .all()
            )
        [event] = events
        assert event.payload["data"]["id"] == invited.user_id
        assert event.payload["data"]["email"] == invited.email
        assert event.payload["data"]["status"] == "active"

    async def test_the_token_works_only_once(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)
        await _accept(browser, invited.token, password="s3cret-pass")

        response = await browser.get(f"/accept-invitation/{invited.token}")

        assert_page_error(response, 404, "not_found")

    async def test_a_short_password_is_422_and_nothing_changes(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await _accept(browser, invited.token, password="short")

        assert_page_error(response, 422, "validation_failed")
        assert "at least 8 characters" in response.text
        assert (await browser.get(f"/accept-invitation/{invited.token}")).status_code == 200

    async def test_without_the_csrf_token_is_403(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await browser.post(f"/accept-invitation/{invited.token}", data={"password": "s3cret-pass"})

        assert_page_error(response, 403, "csrf_failed")
        assert (await browser.get(f"/accept-invitation/{invited.token}")).status_code == 200

    async def test_control_characters_in_names_are_422(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        invited = await invite_member(tenants.sessionmaker, ws.id)

        response = await _accept(browser, invited.token, password="s3cret-pass", firstname="Iv\x00y")

        assert_page_error(response, 422, "validation_failed")
