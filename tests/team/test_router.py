from __future__ import annotations

from sqlalchemy import select

from tests.errors import assert_error_code
from tests.factories import Tenants, WorkspaceFixture
from tests.factories.structure import make_team
from worktally.db.models import Team


async def team_name(ws: WorkspaceFixture, team_id: int) -> str | None:
    async with ws.tenants.sessionmaker() as session:
        return (await session.execute(select(Team.name).where(Team.id == team_id))).scalar_one_or_none()


class TestListTeams:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/teams", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get("/teams")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/teams")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_the_owner_sees_every_team_of_the_workspace(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await ws.member()
        manager = await ws.member(role="Team manager")
        first = await make_team(ws, name="One", members=[member], managers=[manager])
        second = await make_team(ws, name="Two")
        await make_team(other, name="Elsewhere")

        response = await ws.owner.api.get("/teams")

        assert response.status_code == 200
        assert response.json()["message"] == "Teams retrieved successfully"
        data = response.json()["data"]
        assert [t["id"] for t in data] == [first, second]
        assert data[0]["member_ids"] == [member.user_id]
        assert data[0]["manager_ids"] == [manager.user_id]
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_a_team_manager_sees_only_the_teams_they_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        managed = await make_team(ws, name="Mine", managers=[manager])
        await make_team(ws, name="Not mine", members=[manager])

        response = await manager.api.get("/teams")

        assert [t["id"] for t in response.json()["data"]] == [managed]

    async def test_bad_paging_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/teams", params={"per_page": 0})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"per_page"}

    async def test_is_tagged_as_an_extension_in_openapi(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/openapi.json")

        paths = response.json()["paths"]
        assert paths["/api/v2/teams"]["get"]["x-worktally-extension"] is True
        assert paths["/api/v2/teams/{teamId}"]["delete"]["x-worktally-extension"] is True


class TestCreateTeam:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/teams", params={"workspace_id": ws.id}, json={"name": "T"})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_team_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")

        response = await manager.api.post("/teams", json={"name": "T"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/teams", json={"name": "T"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_creates_a_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        manager = await ws.member(role="Team manager")

        response = await ws.owner.api.post(
            "/teams", json={"name": "  Platform  ", "member_ids": [member.user_id], "manager_ids": [manager.user_id]}
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Team created successfully"
        data = response.json()["data"]
        assert data["name"] == "Platform"
        assert (data["member_ids"], data["manager_ids"]) == ([member.user_id], [manager.user_id])

    async def test_the_team_becomes_the_members_team_name(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        await ws.owner.api.post("/teams", json={"name": "Support", "member_ids": [member.user_id]})

        response = await ws.owner.api.get(f"/members/{member.user_id}")
        assert response.json()["data"]["team_name"] == "Support"

    async def test_a_team_manager_then_sees_the_teams_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        manager = await ws.member(role="Team manager")

        await ws.owner.api.post(
            "/teams", json={"name": "T", "member_ids": [member.user_id], "manager_ids": [manager.user_id]}
        )

        response = await manager.api.get("/members")
        assert sorted(m["id"] for m in response.json()["data"]) == sorted([member.user_id, manager.user_id])

    async def test_a_missing_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/teams", json={"name": "   "})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"name"}

    async def test_members_of_another_workspace_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        stranger = await other.member()
        foreign_manager = await other.member(role="Team manager")

        response = await ws.owner.api.post(
            "/teams",
            json={"name": "T", "member_ids": [stranger.user_id], "manager_ids": [foreign_manager.user_id]},
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"member_ids", "manager_ids"}

    async def test_inactive_members_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        left = await ws.member(status="left")

        response = await ws.owner.api.post("/teams", json={"name": "T", "member_ids": [left.user_id]})

        assert_error_code(response, 422, "validation_failed")
        assert str(left.user_id) in response.json()["errors"]["member_ids"][0]

    async def test_absurd_ids_are_422_not_500(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/teams", json={"name": "T", "member_ids": [2**80, -1, 0]})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"member_ids"}

    async def test_a_non_list_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/teams", json={"name": "T", "member_ids": "1,2"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"member_ids"}


class TestGetTeam:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)

        response = await tenants.http.get(f"/api/v2/teams/{team_id}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        team_id = await make_team(ws, members=[member])

        response = await member.api.get(f"/teams/{team_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_returns_the_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws, name="Ops")

        response = await ws.owner.api.get(f"/teams/{team_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Team retrieved successfully"
        assert response.json()["data"]["name"] == "Ops"

    async def test_a_team_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        team_id = await make_team(other)

        response = await ws.owner.api.get(f"/teams/{team_id}")

        assert response.status_code == 404
        assert response.json()["error"] == "team_not_found"

    async def test_a_team_manager_cannot_read_a_team_they_do_not_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws)

        response = await manager.api.get(f"/teams/{team_id}")

        assert_error_code(response, 404, "team_not_found")

    async def test_a_team_manager_reads_a_team_they_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws, managers=[manager])

        response = await manager.api.get(f"/teams/{team_id}")

        assert response.status_code == 200
        assert response.json()["data"]["id"] == team_id
        assert manager.user_id in response.json()["data"]["manager_ids"]


class TestUpdateTeam:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)

        response = await tenants.http.put(
            f"/api/v2/teams/{team_id}", params={"workspace_id": ws.id}, json={"name": "X"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_team_manager_is_403_even_for_their_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws, managers=[manager])

        response = await manager.api.put(f"/teams/{team_id}", json={"name": "X"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.put(f"/teams/{team_id}", json={"name": "X"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_team_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        team_id = await make_team(other, name="Theirs")

        response = await ws.owner.api.put(f"/teams/{team_id}", json={"name": "Mine now"})

        assert_error_code(response, 404, "team_not_found")
        assert await team_name(other, team_id) == "Theirs"

    async def test_renames_and_replaces_the_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        old = await ws.member()
        new = await ws.member()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws, name="Old", members=[old], managers=[manager])

        response = await ws.owner.api.put(f"/teams/{team_id}", json={"name": "New", "member_ids": [new.user_id]})

        assert response.status_code == 200
        assert response.json()["message"] == "Team updated successfully"
        data = response.json()["data"]
        assert data["name"] == "New"
        assert data["member_ids"] == [new.user_id]
        assert data["manager_ids"] == [manager.user_id]

    async def test_an_empty_manager_list_removes_the_managers(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws, managers=[manager])

        response = await ws.owner.api.put(f"/teams/{team_id}", json={"manager_ids": []})

        assert response.json()["data"]["manager_ids"] == []

    async def test_unknown_members_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)

        response = await ws.owner.api.put(f"/teams/{team_id}", json={"manager_ids": [999999999]})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"manager_ids"}

    async def test_an_overlong_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)

        response = await ws.owner.api.put(f"/teams/{team_id}", json={"name": "x" * 201})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"name"}


class TestDeleteTeam:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)

        response = await tenants.http.delete(f"/api/v2/teams/{team_id}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_team_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        team_id = await make_team(ws, managers=[manager])

        response = await manager.api.delete(f"/teams/{team_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/teams/{team_id}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_team_of_another_workspace_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        team_id = await make_team(other, name="Theirs")

        response = await ws.owner.api.delete(f"/teams/{team_id}")

        assert_error_code(response, 404, "team_not_found")
        assert await team_name(other, team_id) == "Theirs"

    async def test_deletes_the_team_and_keeps_its_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        team_id = await make_team(ws, members=[member])

        response = await ws.owner.api.delete(f"/teams/{team_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Team deleted successfully"
        assert await team_name(ws, team_id) is None
        still = await ws.owner.api.get(f"/members/{member.user_id}")
        assert still.json()["data"]["team_name"] is None

    async def test_deleting_twice_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        team_id = await make_team(ws)
        await ws.owner.api.delete(f"/teams/{team_id}")

        response = await ws.owner.api.delete(f"/teams/{team_id}")

        assert_error_code(response, 404, "team_not_found")
