from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.api.pagination import AnySelect
from worktally.db.models import Membership, Team, TeamMember
from worktally.db.repository import get_in_workspace


def _managed_by(statement: AnySelect, user_id: int | None) -> AnySelect:
    if user_id is None:
        return statement
    return statement.where(_managed_teams(user_id))


def _managed_teams(user_id: int) -> ColumnElement[bool]:
    managed = select(TeamMember.team_id).where(TeamMember.user_id == user_id, TeamMember.is_manager.is_(True))
    return Team.id.in_(managed)


def team_ids(workspace_id: int, *, managed_by: int | None) -> AnySelect:
    """The ids of the teams ``list_teams`` lists (the changes feed, D19)."""
    return _managed_by(select(Team.id).where(Team.workspace_id == workspace_id), managed_by)


def list_teams(workspace_id: int, *, managed_by: int | None) -> AnySelect:
    """The workspace's teams, or only those ``managed_by`` manages."""
    return _managed_by(select(Team).where(Team.workspace_id == workspace_id), managed_by).order_by(Team.id)


async def get_team(session: AsyncSession, workspace_id: int, team_id: int, *, managed_by: int | None) -> Team | None:
    managed = () if managed_by is None else (_managed_teams(managed_by),)
    return await get_in_workspace(session, Team, workspace_id, team_id, where=managed)


async def people_of(session: AsyncSession, team_ids: list[int]) -> dict[int, tuple[list[int], list[int]]]:
    """For each team: (member ids, manager ids), both sorted."""
    people: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    if not team_ids:
        return people
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.user_id, TeamMember.is_manager)
        .where(TeamMember.team_id.in_(team_ids))
        .order_by(TeamMember.team_id, TeamMember.user_id)
    )
    for team_id, user_id, is_manager in rows:
        people[team_id][1 if is_manager else 0].append(user_id)
    return people


async def active_member_ids(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> set[int]:
    wanted = [i for i in set(user_ids) if valid_id(i)]
    if not wanted:
        return set()
    rows = await session.execute(
        select(Membership.user_id).where(
            Membership.workspace_id == workspace_id,
            Membership.user_id.in_(wanted),
            Membership.status == "active",
        )
    )
    return set(rows.scalars())


async def add_team(session: AsyncSession, workspace_id: int, name: str) -> Team:
    team = Team(workspace_id=workspace_id, name=name)
    session.add(team)
    await session.flush()
    return team


async def replace_people(session: AsyncSession, team_id: int, user_ids: Iterable[int], *, managers: bool) -> None:
    await session.execute(
        delete(TeamMember)
        .where(TeamMember.team_id == team_id, TeamMember.is_manager.is_(managers))
        .execution_options(synchronize_session=False)
    )
    session.add_all(TeamMember(team_id=team_id, user_id=u, is_manager=managers) for u in sorted(set(user_ids)))
    await session.flush()


async def delete_team(session: AsyncSession, team_id: int) -> None:
    await session.execute(
        delete(TeamMember).where(TeamMember.team_id == team_id).execution_options(synchronize_session=False)
    )
    await session.execute(delete(Team).where(Team.id == team_id).execution_options(synchronize_session=False))
