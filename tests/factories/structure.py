"""Projects, contracts, tasks and teams straight into the database (for tests of other domains)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.factories.workspace import Member, WorkspaceFixture
from worktally.core.clock import utc_now
from worktally.db.models import Contract, Project, Task, TaskAssignee, Team, TeamMember


async def make_project(
    ws: WorkspaceFixture,
    *,
    name: str = "Project",
    is_billable: bool = True,
    rate: Decimal | None = None,
    currency: str = "USD",
    start_date: date | None = None,
) -> int:
    async with ws.tenants.sessionmaker() as session, session.begin():
        project = Project(
            workspace_id=ws.id, name=name, is_billable=is_billable, rate=rate, currency=currency, start_date=start_date
        )
        session.add(project)
        await session.flush()
        return project.id


async def make_contract(
    ws: WorkspaceFixture,
    member: Member,
    project_id: int,
    *,
    rate: Decimal | None = None,
    currency: str = "USD",
    weekly_hours_limit: int = 168,
    status: str = "active",
) -> int:
    async with ws.tenants.sessionmaker() as session, session.begin():
        contract = Contract(
            workspace_id=ws.id,
            project_id=project_id,
            user_id=member.user_id,
            rate=rate,
            currency=currency,
            weekly_hours_limit=weekly_hours_limit,
            status=status,
        )
        session.add(contract)
        await session.flush()
        return contract.id


async def make_task(
    ws: WorkspaceFixture, project_id: int, *, title: str = "Task", assignees: list[Member] | None = None
) -> int:
    async with ws.tenants.sessionmaker() as session, session.begin():
        task = Task(
            workspace_id=ws.id,
            project_id=project_id,
            title=title,
            owner_id=ws.owner.user_id,
            creator_id=ws.owner.user_id,
        )
        session.add(task)
        await session.flush()
        for member in assignees or []:
            session.add(TaskAssignee(task_id=task.id, user_id=member.user_id, created_at=utc_now()))
        return task.id


async def make_team(
    ws: WorkspaceFixture,
    *,
    name: str = "Team",
    members: list[Member] = (),
    managers: list[Member] = (),  # type: ignore[assignment]
) -> int:
    async with ws.tenants.sessionmaker() as session, session.begin():
        team = Team(workspace_id=ws.id, name=name)
        session.add(team)
        await session.flush()
        for member in members:
            session.add(TeamMember(team_id=team.id, user_id=member.user_id, is_manager=False))
        for manager in managers:
            session.add(TeamMember(team_id=team.id, user_id=manager.user_id, is_manager=True))
        return team.id
