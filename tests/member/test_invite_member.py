from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.factories import Tenants
from tests.factories.workspace import unique_email
from tests.member.helpers import events, membership, user
from worktally.member import invitations
from worktally.member.mail import InvitationMail, SmtpTarget


def invitee(**overrides: Any) -> dict[str, Any]:
    """A new person each call: an e-mail that already has an account is invited differently (issue #12)."""
    email = unique_email("ivy.invitee")
    return {"email": email, "firstname": "Ivy", "lastname": "Invitee", "role": "Regular User"} | overrides


class TestInviteMember:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/members", params={"workspace_id": ws.id}, json=invitee())

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.post("/members", json=invitee())

        assert response.status_code == 403
        assert response.json()["error"] == "role_forbidden"

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")

        response = await manager.api.post("/members", json=invitee())

        assert response.status_code == 403
        assert response.json()["error"] == "role_forbidden"

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/members", json=invitee())

        assert response.status_code == 403
        assert response.json()["error"] == "insufficient_scope"

    async def test_another_workspace_is_403_and_invites_nobody(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        body = invitee()

        response = await ws.owner.api.post("/members", params={"workspace_id": other.id}, json=body)

        assert response.status_code == 403
        assert response.json()["error"] == "not_a_member"
        listed = await other.owner.api.get("/members", params={"email": body["email"]})
        assert listed.json()["data"] == []

    async def test_missing_fields_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json={})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"email", "firstname", "lastname", "role"}

    async def test_an_invalid_email_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(email="not-an-address"))

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"email"}

    async def test_the_owner_role_cannot_be_given(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(role="Owner"))

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"role"}

    async def test_overlong_and_blank_names_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(firstname="x" * 101, lastname="   "))

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"firstname", "lastname"}

    async def test_wrong_types_are_422_not_500(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(email=["a"], firstname=1, role=None))

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"email", "firstname", "role"}

    async def test_invites_an_inactive_member_with_a_link(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        address = unique_email("ivy.invitee")

        response = await ws.owner.api.post(
            "/members", json=invitee(email=address.replace("ivy.invitee", "Ivy.Invitee"))
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Member invited successfully"
        assert body["data"]["invitation_link"].startswith("http://testserver/accept-invitation/")
        row = await membership(ws, body["data"]["user_id"])
        assert row is not None
        assert row.status == "inactive"
        assert row.role == "Regular User"
        created = await user(ws, body["data"]["user_id"])
        assert created.email == address
        assert created.password_hash is None

    async def test_the_body_may_carry_the_workspace_id(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(workspace_id=ws.id), with_workspace=False)

        assert response.status_code == 201
        invited = response.json()["data"]["user_id"]
        assert (await ws.owner.api.get(f"/members/{invited}")).json()["data"]["status"] == "inactive"

    async def test_an_executive_manager_may_invite(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.post("/members", json=invitee())

        assert response.status_code == 201
        invited = response.json()["data"]["user_id"]
        assert (await ws.owner.api.get(f"/members/{invited}")).json()["data"]["status"] == "inactive"

    async def test_a_project_viewer_may_be_invited(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee(role="Project viewer"))

        assert response.status_code == 201
        row = await membership(ws, response.json()["data"]["user_id"])
        assert row is not None and row.role == "Project viewer"

    async def test_an_existing_user_keeps_their_account(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        elsewhere = await other.member()

        response = await ws.owner.api.post("/members", json=invitee(email=elsewhere.email))

        assert response.status_code == 201
        assert response.json()["data"]["user_id"] == elsewhere.user_id

    async def test_a_duplicate_email_in_the_workspace_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.post("/members", json=invitee(email=member.email.upper()))

        assert response.status_code == 409
        assert response.json()["error"] == "member_exists"

    async def test_inviting_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        body = invitee()
        await ws.owner.api.post("/members", json=body)

        response = await ws.owner.api.post("/members", json=body)

        assert response.status_code == 409
        assert response.json()["error"] == "member_exists"

    async def test_records_a_member_invited_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/members", json=invitee())

        [payload] = await events(ws, "member.invited")
        assert payload["data"]["id"] == response.json()["data"]["user_id"]
        assert payload["data"]["status"] == "inactive"

    async def test_the_link_accepts_the_invitation_once(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        response = await ws.owner.api.post("/members", json=invitee())
        token = response.json()["data"]["invitation_link"].rsplit("/", 1)[1]

        async with tenants.sessionmaker() as session, session.begin():
            pending = await invitations.find_pending(session, token)
            assert pending is not None
            await invitations.accept(session, pending, password="a-good-password")
        async with tenants.sessionmaker() as session:
            again = await invitations.find_pending(session, token)

        assert again is None
        row = await membership(ws, response.json()["data"]["user_id"])
        assert row is not None and row.status == "active"

    async def test_without_smtp_the_link_is_logged(self, tenants: Tenants, caplog: pytest.LogCaptureFixture) -> None:
        ws = await tenants.workspace()

        with caplog.at_level(logging.INFO, logger="worktally.member.mail"):
            response = await ws.owner.api.post("/members", json=invitee())

        assert response.json()["data"]["invitation_link"] in caplog.text

    async def test_with_smtp_the_invitation_is_mailed(
        self, tenants: Tenants, app: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ws = await tenants.workspace(name="Acme")
        sent: list[tuple[SmtpTarget, Any]] = []
        monkeypatch.setattr("worktally.member.mail.send_smtp", lambda target, message: sent.append((target, message)))
        original = app.state.settings
        # Not monkeypatch.setattr: Starlette's State loses the attribute on undo.
        app.state.settings = original.model_copy(update={"smtp_url": "smtp://mailer:secret@mail.example:2525"})
        try:
            body = invitee()
            response = await ws.owner.api.post("/members", json=body)
        finally:
            app.state.settings = original

        [(target, message)] = sent
        assert (target.host, target.port, target.username) == ("mail.example", 2525, "mailer")
        assert message["To"] == body["email"]
        assert "Acme" in message["Subject"]
        assert response.json()["data"]["invitation_link"] in message.get_content()


class TestInvitationMail:
    def test_parses_smtp_urls(self) -> None:
        from worktally.member.mail import parse_smtp_url

        plain = parse_smtp_url("smtp://mail.example")
        starttls = parse_smtp_url("smtp://u%40x:p%2Fw@mail.example:587?starttls=true")
        tls = parse_smtp_url("smtps://mail.example")

        assert (plain.port, plain.use_tls, plain.starttls, plain.username) == (25, False, False, None)
        assert (starttls.port, starttls.starttls, starttls.username, starttls.password) == (587, True, "u@x", "p/w")
        assert (tls.port, tls.use_tls) == (465, True)

    def test_rejects_other_schemes(self) -> None:
        from worktally.member.mail import parse_smtp_url

        with pytest.raises(ValueError):
            parse_smtp_url("http://mail.example")

    async def test_a_failing_server_is_logged_not_raised(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        from worktally.config import Settings
        from worktally.member.mail import deliver_invitation

        def refuse(_target: SmtpTarget, _message: Any) -> None:
            raise ConnectionRefusedError("no server")

        monkeypatch.setattr("worktally.member.mail.send_smtp", refuse)
        mail = InvitationMail(
            to="a@example.com", firstname="A", workspace_name="W", link="http://x/accept-invitation/t"
        )

        with caplog.at_level(logging.INFO, logger="worktally.member.mail"):
            await deliver_invitation(Settings(smtp_url="smtp://127.0.0.1:1"), mail)

        assert "Could not send" in caplog.text
        assert mail.link not in caplog.text
