"""Who sees whom in /members (D6, catalogue §1.8): one workspace, one test per role."""

from __future__ import annotations

from dataclasses import dataclass

from tests.errors import assert_error_code
from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_team


@dataclass
class Staff:
    ws: WorkspaceFixture
    executive: Member
    project_manager: Member
    team_manager: Member
    on_managed_project: Member
    in_managed_team: Member
    elsewhere: Member
    viewer: Member


async def staff(tenants: Tenants) -> Staff:
    ws = await tenants.workspace()
    executive = await ws.member(role="Executive manager")
    project_manager = await ws.member(role="Project manager")
    team_manager = await ws.member(role="Team manager")
    on_managed_project = await ws.member()
    in_managed_team = await ws.member()
    elsewhere = await ws.member()
    viewer = await ws.member(role="Project viewer")
    managed = await make_project(ws, name="Managed")
    other = await make_project(ws, name="Other")
    await make_contract(ws, project_manager, managed)
    await make_contract(ws, on_managed_project, managed)
    await make_contract(ws, elsewhere, other)
    await make_team(ws, members=[in_managed_team], managers=[team_manager])
    return Staff(ws, executive, project_manager, team_manager, on_managed_project, in_managed_team, elsewhere, viewer)


async def listed(member: Member, **params: str) -> list[int]:
    response = await member.api.get("/members", params={"per_page": 100, **params})
    assert response.status_code == 200
    return [m["id"] for m in response.json()["data"]]


def everyone_but_the_viewer(s: Staff) -> list[int]:
    return sorted(
        [
            s.ws.owner.user_id,
            s.executive.user_id,
            s.project_manager.user_id,
            s.team_manager.user_id,
            s.on_managed_project.user_id,
            s.in_managed_team.user_id,
            s.elsewhere.user_id,
        ]
    )


class TestMemberVisibilityByRole:
    async def test_the_owner_sees_every_member(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.ws.owner) == everyone_but_the_viewer(s)

    async def test_an_executive_manager_sees_every_member(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.executive) == everyone_but_the_viewer(s)

    async def test_a_project_manager_sees_members_on_their_projects_and_themself(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.project_manager) == sorted([s.project_manager.user_id, s.on_managed_project.user_id])

    async def test_a_team_manager_sees_their_teams_members_and_themself(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.team_manager) == sorted([s.team_manager.user_id, s.in_managed_team.user_id])

    async def test_a_regular_user_sees_only_themself(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.elsewhere) == [s.elsewhere.user_id]

    async def test_a_project_viewer_sees_only_themself(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        assert await listed(s.viewer) == []
        assert await listed(s.viewer, role="Project viewer") == [s.viewer.user_id]

    async def test_a_project_manager_without_projects_still_sees_themself(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        await ws.member()

        assert await listed(manager) == [manager.user_id]

    async def test_a_member_outside_your_reach_is_404(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        response = await s.team_manager.api.get(f"/members/{s.elsewhere.user_id}")

        assert_error_code(response, 404, "member_not_found")

    async def test_a_member_within_your_reach_can_be_read(self, tenants: Tenants) -> None:
        s = await staff(tenants)

        response = await s.project_manager.api.get(f"/members/{s.on_managed_project.user_id}")

        assert response.status_code == 200
        assert response.json()["data"]["id"] == s.on_managed_project.user_id
