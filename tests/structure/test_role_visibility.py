"""D6 / catalogue §1.8: what each of the six roles reads of projects, contracts and tasks, and rates.

One workspace, built the same way for every role:
- P1 is managed by the project manager (their contract) and has a colleague's contract; the viewer is assigned to it.
- P2 is worked on by the team manager's team member.
- P3 has the regular user's contract (with ``rate_status`` 1) and a colleague's.
- Each project has one task; another workspace's project, contract and task must never show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.errors import assert_error_code
from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_task, make_team
from worktally.db.models import ProjectViewerAssignment


@dataclass
class Scene:
    ws: WorkspaceFixture
    executive: Member
    project_manager: Member
    team_manager: Member
    regular: Member
    viewer: Member
    projects: dict[str, int]
    contracts: dict[str, int]
    tasks: dict[str, int]


async def build(tenants: Tenants) -> Scene:
    ws = await tenants.workspace()
    other = await tenants.workspace()
    executive = await ws.member(role="Executive manager")
    project_manager = await ws.member(role="Project manager")
    team_manager = await ws.member(role="Team manager")
    regular = await ws.member(role="Regular User", rate_status=1)
    viewer = await ws.member(role="Project viewer")
    colleague = await ws.member(role="Regular User")
    team_member = await ws.member(role="Regular User")
    await make_team(ws, members=[team_member], managers=[team_manager])

    projects = {name: await make_project(ws, name=name, rate=Decimal("90")) for name in ("P1", "P2", "P3")}
    rate = Decimal("50")
    contracts = {
        "pm_p1": await make_contract(ws, project_manager, projects["P1"], rate=rate),
        "colleague_p1": await make_contract(ws, colleague, projects["P1"], rate=rate),
        "team_member_p2": await make_contract(ws, team_member, projects["P2"], rate=rate),
        "regular_p3": await make_contract(ws, regular, projects["P3"], rate=rate),
        "colleague_p3": await make_contract(ws, colleague, projects["P3"], rate=rate),
    }
    tasks = {name: await make_task(ws, project_id, title=name) for name, project_id in projects.items()}
    async with tenants.sessionmaker() as session, session.begin():
        session.add(ProjectViewerAssignment(user_id=viewer.user_id, project_id=projects["P1"], workspace_id=ws.id))

    elsewhere = await make_project(other, name="Elsewhere")
    await make_contract(other, other.owner, elsewhere)
    await make_task(other, elsewhere)
    return Scene(ws, executive, project_manager, team_manager, regular, viewer, projects, contracts, tasks)


async def read_all(member: Member, path: str) -> list[dict[str, Any]]:
    response = await member.api.get(path, params={"per_page": 100})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def assert_reads(
    member: Member,
    scene: Scene,
    *,
    projects: set[str],
    contracts: set[str] | None,
    tasks: set[str],
) -> None:
    seen_projects = await read_all(member, "/projects")
    assert {p["id"] for p in seen_projects} == {scene.projects[n] for n in projects}
    seen_tasks = await read_all(member, "/tasks")
    assert {t["id"] for t in seen_tasks} == {scene.tasks[n] for n in tasks}
    for name, project_id in scene.projects.items():
        single = await member.api.get(f"/projects/{project_id}")
        assert single.status_code == (200 if name in projects else 404), name
    for name, task_id in scene.tasks.items():
        single = await member.api.get(f"/tasks/{task_id}")
        assert single.status_code == (200 if name in tasks else 404), name
    if contracts is None:
        assert_error_code(await member.api.get("/contracts"), 403, "role_forbidden")
        return
    seen_contracts = await read_all(member, "/contracts")
    assert {c["id"] for c in seen_contracts} == {scene.contracts[n] for n in contracts}
    for name, contract_id in scene.contracts.items():
        single = await member.api.get(f"/contracts/{contract_id}")
        assert single.status_code == (200 if name in contracts else 404), name


def rates_by_contract(scene: Scene, contracts: list[dict[str, Any]]) -> dict[str, Any]:
    names = {contract_id: name for name, contract_id in scene.contracts.items()}
    return {names[c["id"]]: c["rate"] for c in contracts}


class TestRoleVisibility:
    async def test_owner_reads_everything_with_rates(self, tenants: Tenants) -> None:
        scene = await build(tenants)
        everything = set(scene.contracts)

        await assert_reads(
            scene.ws.owner, scene, projects={"P1", "P2", "P3"}, contracts=everything, tasks={"P1", "P2", "P3"}
        )

        contracts = await read_all(scene.ws.owner, "/contracts")
        assert set(rates_by_contract(scene, contracts).values()) == {50}
        assert {p["rate"] for p in await read_all(scene.ws.owner, "/projects")} == {90}

    async def test_executive_manager_reads_everything_with_rates(self, tenants: Tenants) -> None:
        scene = await build(tenants)

        await assert_reads(
            scene.executive,
            scene,
            projects={"P1", "P2", "P3"},
            contracts=set(scene.contracts),
            tasks={"P1", "P2", "P3"},
        )

        contracts = await read_all(scene.executive, "/contracts")
        assert set(rates_by_contract(scene, contracts).values()) == {50}
        assert {p["rate"] for p in await read_all(scene.executive, "/projects")} == {90}

    async def test_project_manager_reads_managed_projects_their_contracts_and_tasks(self, tenants: Tenants) -> None:
        scene = await build(tenants)

        await assert_reads(
            scene.project_manager, scene, projects={"P1"}, contracts={"pm_p1", "colleague_p1"}, tasks={"P1"}
        )

        contracts = await read_all(scene.project_manager, "/contracts")
        assert rates_by_contract(scene, contracts) == {"pm_p1": None, "colleague_p1": None}
        assert [p["rate"] for p in await read_all(scene.project_manager, "/projects")] == [None]

    async def test_team_manager_reads_their_teams_projects_contracts_and_tasks(self, tenants: Tenants) -> None:
        scene = await build(tenants)

        await assert_reads(scene.team_manager, scene, projects={"P2"}, contracts={"team_member_p2"}, tasks={"P2"})

        contracts = await read_all(scene.team_manager, "/contracts")
        assert rates_by_contract(scene, contracts) == {"team_member_p2": None}
        assert [p["rate"] for p in await read_all(scene.team_manager, "/projects")] == [None]

    async def test_regular_user_reads_assigned_projects_own_contracts_and_their_tasks(self, tenants: Tenants) -> None:
        scene = await build(tenants)

        await assert_reads(scene.regular, scene, projects={"P3"}, contracts={"regular_p3"}, tasks={"P3"})

        # rate_status 1: their own contract's rate shows; project rates stay hidden.
        contracts = await read_all(scene.regular, "/contracts")
        assert rates_by_contract(scene, contracts) == {"regular_p3": 50}
        assert [p["rate"] for p in await read_all(scene.regular, "/projects")] == [None]

    async def test_project_viewer_reads_assigned_projects_and_their_tasks_only(self, tenants: Tenants) -> None:
        scene = await build(tenants)

        await assert_reads(scene.viewer, scene, projects={"P1"}, contracts=None, tasks={"P1"})

        assert [p["rate"] for p in await read_all(scene.viewer, "/projects")] == [None]
