"""A form value with a NUL is refused the same way on SQLite and PostgreSQL (D2): the form cannot be read."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.auth.kit import csrf_of, invite_member
from tests.factories import Tenants
from worktally.db.models import Membership, User


async def test_a_nul_in_an_invitation_form_is_a_400_page_and_nothing_changes(
    tenants: Tenants, browser: httpx.AsyncClient
) -> None:
    ws = await tenants.workspace()
    invited = await invite_member(tenants.sessionmaker, ws.id)
    page = await browser.get(f"/accept-invitation/{invited.token}")

    response = await browser.post(
        f"/accept-invitation/{invited.token}",
        data={"csrf_token": csrf_of(page.text), "password": "s3cret-pass", "firstname": "Iva\x00na"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "The form could not be read." in response.text
    async with tenants.sessionmaker() as session:
        membership = (
            await session.execute(
                select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == invited.user_id)
            )
        ).scalar_one()
        user = await session.get(User, invited.user_id)
    assert membership.status != "active"
    assert user is not None and "\x00" not in (user.firstname or "")
