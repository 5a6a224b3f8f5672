from __future__ import annotations

from sqlalchemy import update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_team
from tests.member.helpers import events, membership, user
from worktally.db.models import User


class TestUpdateMember:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await tenants.http.put(
            f"/api/v2/members/{member.user_id}", params={"workspace_id": ws.id}, json={"firstname": "X"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403_even_for_themself(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.put(f"/members/{member.user_id}", json={"firstname": "X"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_team_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        member = await ws.member()
        await make_team(ws, members=[member], managers=[manager])

        response = await manager.api.put(f"/members/{member.user_id}", json={"firstname": "X"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.put(f"/members/{member.user_id}", json={"firstname": "X"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_member_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        stranger = await other.member(firstname="Stan")

        response = await ws.owner.api.put(f"/members/{stranger.user_id}", json={"firstname": "X"})

        assert_error_code(response, 404, "member_not_found")
        assert (await user(ws, stranger.user_id)).firstname == "Stan"

    async def test_updates_profile_role_and_limits(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(
            f"/members/{member.user_id}",
            json={
                "firstname": "Ada",
                "lastname": "Lovelace",
                "timezone": "America/New_York",
                "role": "Project manager",
                "rate_status": 1,
                "weekly_hours_limit": 40,
                "title": "Analyst",
                "rate": 55.25,
            },
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Member updated successfully"
        data = response.json()["data"]
        assert (data["firstname"], data["lastname"]) == ("Ada", "Lovelace")
        assert data["timezone"] == "America/New_York"
        assert data["current_role"] == "Project manager"
        assert (data["rate_status"], data["weekly_hours_limit"]) == (1, 40)
        assert (data["title"], data["rate"]) == ("Analyst", 55.25)

    async def test_fields_not_given_stay_as_they_were(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(timezone="Europe/Rome", firstname="Keep")

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"lastname": "Changed"})

        data = response.json()["data"]
        assert (data["firstname"], data["timezone"], data["current_role"]) == ("Keep", "Europe/Rome", "Regular User")

    async def test_a_null_timezone_falls_back_to_the_workspaces(self, tenants: Tenants) -> None:
        ws = await tenants.workspace(timezone="Asia/Dubai")
        member = await ws.member(timezone="Europe/Rome")

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"timezone": None})

        assert response.json()["data"]["timezone"] == "Asia/Dubai"

    async def test_records_a_member_updated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        await ws.owner.api.put(f"/members/{member.user_id}", json={"title": "Lead"})

        [payload] = await events(ws, "member.updated")
        assert payload["data"]["id"] == member.user_id
        assert payload["data"]["title"] == "Lead"

    async def test_only_iana_time_zones_are_accepted(self, tenants: Tenants) -> None:
        # D9: zoneinfo would load these from the host's /usr/share/zoneinfo, but none is an IANA zone.
        ws = await tenants.workspace()
        member = await ws.member()

        for name in ("localtime", "posixrules", "Factory", "posix/Europe/Oslo", "right/UTC", "europe/oslo"):
            response = await ws.owner.api.put(f"/members/{member.user_id}", json={"timezone": name})

            assert response.status_code == 422, name
            assert response.json()["error"] == "validation_failed"
            assert response.json()["errors"]["timezone"] == [
                "The timezone must be a valid IANA time zone, such as America/New_York."
            ]
        shown = await ws.owner.api.get(f"/members/{member.user_id}")
        assert shown.json()["data"]["timezone"] == "UTC"  # the workspace's, unchanged

    async def test_iana_names_of_every_kind_are_accepted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        for name in ("UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "EST5EDT"):
            response = await ws.owner.api.put(f"/members/{member.user_id}", json={"timezone": name})

            assert response.status_code == 200, name
            assert response.json()["data"]["timezone"] == name

    async def test_invalid_fields_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(
            f"/members/{member.user_id}",
            json={
                "email": "nope",
                "firstname": "",
                "timezone": "Mars/Olympus",
                "role": "Owner",
                "rate_status": 2,
                "weekly_hours_limit": 169,
                "remove_avatar": 5,
                "rate": -1,
            },
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {
            "email",
            "firstname",
            "timezone",
            "role",
            "rate_status",
            "weekly_hours_limit",
            "remove_avatar",
            "rate",
        }

    async def test_a_rate_with_more_than_two_decimals_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"rate": 1.005})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"rate"}

    async def test_a_team_of_another_workspace_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await ws.member()
        foreign_team = await make_team(other)

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"team_id": foreign_team})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"team_id"}

    async def test_team_id_puts_the_member_in_that_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        first = await make_team(ws, name="First", members=[member])
        second = await make_team(ws, name="Second")

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"team_id": second})

        data = response.json()["data"]
        assert (data["team_id"], data["team_name"]) == (second, "Second")
        assert first != second

    async def test_a_null_team_id_takes_the_member_out_of_their_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await make_team(ws, members=[member])

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"team_id": None})

        assert response.json()["data"]["team_name"] is None

    async def test_remove_avatar_clears_it(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(update(User).where(User.id == member.user_id).values(avatar="me.jpg"))

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"remove_avatar": 1})

        assert response.json()["data"]["avatar"] is None

    async def test_changes_the_email_of_a_member_of_this_workspace_only(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"email": "New.Address@Example.com"})

        assert response.status_code == 200
        assert response.json()["data"]["email"] == "new.address@example.com"

    async def test_an_email_already_used_by_another_user_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        colleague = await ws.member()

        response = await ws.owner.api.put(f"/members/{member.user_id}", json={"email": colleague.email})

        assert response.status_code == 409
        assert response.json()["error"] == "email_taken"

    async def test_the_email_of_someone_in_other_workspaces_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        shared = await ws.member()
        await other.owner.api.post(
            "/members",
            json={"email": shared.email, "firstname": "S", "lastname": "H", "role": "Regular User"},
        )

        response = await ws.owner.api.put(f"/members/{shared.user_id}", json={"email": "elsewhere@example.com"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"email"}

    async def test_nobody_may_change_the_owner(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.put(f"/members/{ws.owner.user_id}", json={"firstname": "X"})

        assert response.status_code == 403
        assert response.json()["error"] == "owner_protected"

    async def test_the_owner_may_not_change_themself_through_the_api(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put(f"/members/{ws.owner.user_id}", json={"role": "Regular User"})

        assert_error_code(response, 403, "owner_protected")

    async def test_an_executive_manager_may_not_change_another(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")
        colleague = await ws.member(role="Executive manager")

        response = await executive.api.put(f"/members/{colleague.user_id}", json={"role": "Regular User"})

        assert response.status_code == 403
        assert response.json()["error"] == "executive_manager_protected"
        row = await membership(ws, colleague.user_id)
        assert row is not None and row.role == "Executive manager"

    async def test_the_owner_may_change_an_executive_manager(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await ws.owner.api.put(f"/members/{executive.user_id}", json={"role": "Regular User"})

        assert response.status_code == 200
        assert response.json()["data"]["current_role"] == "Regular User"

    async def test_an_executive_manager_may_edit_their_own_profile(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.put(f"/members/{executive.user_id}", json={"timezone": "Europe/Oslo"})

        assert response.status_code == 200
        assert response.json()["data"]["timezone"] == "Europe/Oslo"
        read = await ws.owner.api.get(f"/members/{executive.user_id}")
        assert read.json()["data"]["timezone"] == "Europe/Oslo"

    async def test_an_executive_manager_may_not_change_their_own_role(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.put(f"/members/{executive.user_id}", json={"role": "Regular User"})

        assert_error_code(response, 403, "executive_manager_protected")

    async def test_an_executive_manager_may_promote_a_regular_user(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")
        member = await ws.member()

        response = await executive.api.put(f"/members/{member.user_id}", json={"role": "Team manager"})

        assert response.json()["data"]["current_role"] == "Team manager"
