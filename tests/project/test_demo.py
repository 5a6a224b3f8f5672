from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import Tenants, WorkspaceFixture
from worktally.db.models import Contract, Project, Task, TaskAssignee
from worktally.demo import DemoContext
from worktally.demo.projects import PROJECTS, seed


async def run_seed(ws: WorkspaceFixture, member_ids: list[int]) -> DemoContext:
    context = DemoContext(workspace_id=ws.id, owner_id=ws.owner.user_id, member_ids=member_ids)
    async with ws.tenants.sessionmaker() as session, session.begin():
        await seed(session, context)
    return context


class TestDemoProjects:
    async def test_seeds_projects_contracts_and_assigned_tasks(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        members = [(await ws.member()).user_id for _ in range(4)]

        context = await run_seed(ws, members)

        assert len(context.project_ids) == len(PROJECTS)
        assert context.contract_ids and context.task_ids
        async with tenants.sessionmaker() as session:
            contract_users = set(
                (await session.execute(select(Contract.user_id).where(Contract.id.in_(context.contract_ids)))).scalars()
            )
            assigned = (
                await session.execute(
                    select(func.count(func.distinct(TaskAssignee.task_id))).where(
                        TaskAssignee.task_id.in_(context.task_ids)
                    )
                )
            ).scalar_one()
        assert contract_users <= set(members)
        assert assigned == len(context.task_ids)

    async def test_uses_the_owner_when_there_are_no_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        context = await run_seed(ws, [])

        async with tenants.sessionmaker() as session:
            users = set(
                (await session.execute(select(Contract.user_id).where(Contract.id.in_(context.contract_ids)))).scalars()
            )
        assert users == {ws.owner.user_id}

    async def test_is_deterministic(self, tenants: Tenants) -> None:
        first, second = await tenants.workspace(), await tenants.workspace()

        a = await run_seed(first, [])
        b = await run_seed(second, [])

        async with tenants.sessionmaker() as session:
            titles = [
                (await session.execute(select(Task.title).where(Task.id.in_(c.task_ids)).order_by(Task.id)))
                .scalars()
                .all()
                for c in (a, b)
            ]
            names = [
                (await session.execute(select(Project.name).where(Project.id.in_(c.project_ids)).order_by(Project.id)))
                .scalars()
                .all()
                for c in (a, b)
            ]
        assert titles[0] == titles[1]
        assert names[0] == names[1]
        assert len(a.contract_ids) == len(b.contract_ids)

    async def test_the_api_lists_the_demo_projects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await run_seed(ws, [])

        response = await ws.owner.api.get("/projects")

        assert [p["name"] for p in response.json()["data"]] == [p[0] for p in PROJECTS]
        assert all(p["tags"] for p in response.json()["data"])
