"""Which rows a role reaches (D6, catalogue §1.8), as SQL subqueries for WHERE ... IN (...).

``None`` means "everything in the workspace" (Owner and Executive manager). Every list and single
read filters through these, so that what a role sees is decided here and only here.

- Project manager: manages the projects where they hold a live contract; reaches those projects'
  contracts, tasks, members and time.
- Team manager: manages the teams where they are a manager (D17); reaches those teams' members,
  their contracts and time, and the projects those members work on.
- Regular User: their own contracts, the projects and tasks they are assigned to, their own time.
- Project viewer: the projects assigned to them and those projects' tasks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Integer, Select, bindparam, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.db.models import Contract, Project, ProjectViewerAssignment, Team, TeamMember

IdSubquery = Select[Any]


def _workspace(principal: Principal) -> BindParameter[int]:
    # Named parameters, not literals: the statement's shape then depends only on the role, so that a
    # prepared read (db/prepared.py) compiled for one caller serves every caller of that role.
    return bindparam("vis_workspace_id", principal.workspace_id, type_=Integer)


def _me(principal: Principal) -> BindParameter[int]:
    return bindparam("vis_user_id", principal.user_id, type_=Integer)


def parameters(principal: Principal) -> dict[str, int]:
    """The values of the parameters these subqueries use, for a prepared read."""
    return {"vis_workspace_id": principal.workspace_id, "vis_user_id": principal.user_id}


def _live_contract_projects(principal: Principal, user_ids: Select[Any] | list[BindParameter[int]]) -> IdSubquery:
    return select(Contract.project_id).where(
        Contract.workspace_id == _workspace(principal),
        Contract.deleted_at.is_(None),
        Contract.user_id.in_(user_ids),
    )


def managed_team_member_ids(principal: Principal) -> IdSubquery:
    """Members of the teams ``principal`` manages, and the manager themself."""
    managed_teams = (
        select(TeamMember.team_id)
        .join(Team, Team.id == TeamMember.team_id)
        .where(
            Team.workspace_id == _workspace(principal),
            TeamMember.user_id == _me(principal),
            TeamMember.is_manager.is_(True),
        )
    )
    members = select(TeamMember.user_id).where(TeamMember.team_id.in_(managed_teams))
    return select(union(members, select(_me(principal))).subquery().c[0])


def project_ids(principal: Principal) -> IdSubquery | None:
    """Projects the caller may read; None for all."""
    if principal.can(P.PROJECTS_READ_ALL):
        return None
    if principal.can(P.PROJECTS_READ_VIEWER):
        return select(ProjectViewerAssignment.project_id).where(
            ProjectViewerAssignment.workspace_id == _workspace(principal),
            ProjectViewerAssignment.user_id == _me(principal),
        )
    if principal.can(P.PROJECTS_READ_TEAM):
        return _live_contract_projects(principal, managed_team_member_ids(principal))
    # Project managers manage, and regular users are assigned to, the projects of their own contracts.
    return _live_contract_projects(principal, [_me(principal)])


def managed_project_ids(principal: Principal) -> IdSubquery | None:
    """Projects whose tasks the caller may manage; None for all."""
    if principal.can(P.TASKS_WRITE_ALL):
        return None
    if principal.can(P.TASKS_WRITE_TEAM):
        return _live_contract_projects(principal, managed_team_member_ids(principal))
    if principal.can(P.TASKS_WRITE_MANAGED):
        return _live_contract_projects(principal, [_me(principal)])
    return select(Project.id).where(literal(False))


def user_ids(principal: Principal) -> IdSubquery | None:
    """Members whose contracts, time and details the caller may read; None for all."""
    if principal.can(P.TIME_READ_ALL):
        return None
    if principal.can(P.TIME_READ_TEAM):
        return managed_team_member_ids(principal)
    if principal.can(P.TIME_READ_MANAGED):
        managed = _live_contract_projects(principal, [_me(principal)])
        return select(Contract.user_id).where(
            Contract.workspace_id == _workspace(principal),
            Contract.deleted_at.is_(None),
            Contract.project_id.in_(managed),
        )
    return select(_me(principal))


def sees_user_at_once(principal: Principal, user_id: int) -> bool | None:
    """``sees_user`` where no query is needed: a caller who reads everyone's time, or only their own."""
    if principal.can(P.TIME_READ_ALL):
        return True
    if not principal.can(P.TIME_READ_TEAM) and not principal.can(P.TIME_READ_MANAGED):
        return user_id == principal.user_id
    return None


async def sees_user(session: AsyncSession, principal: Principal, user_id: int) -> bool:
    """D6: may the caller read this member's time?"""
    known = sees_user_at_once(principal, user_id)
    if known is not None:
        return known
    visible = user_ids(principal)
    assert visible is not None
    found = (await session.execute(select(literal(1)).where(literal(user_id).in_(visible)))).first()
    return found is not None
