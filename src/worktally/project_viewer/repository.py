from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Row, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.api.pagination import AnySelect
from worktally.auth.permissions import Role
from worktally.db.models import Membership, Project, ProjectViewerAssignment, User


def _viewers(workspace_id: int, only_user: int | None) -> AnySelect:
    statement = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.role == Role.PROJECT_VIEWER.value)
    )
    if only_user is not None:
        statement = statement.where(Membership.user_id == only_user)
    return statement


def list_viewers(workspace_id: int, *, only_user: int | None, email: str | None = None) -> AnySelect:
    statement = _viewers(workspace_id, only_user)
    if email is not None:
        statement = statement.where(User.email == email.strip().lower())
    return statement.order_by(Membership.user_id)


async def get_viewer(
    session: AsyncSession, workspace_id: int, user_id: int, *, only_user: int | None
) -> Row[Any] | None:
    if not valid_id(user_id):
        return None
    statement = _viewers(workspace_id, only_user).where(Membership.user_id == user_id)
    row: Row[Any] | None = (await session.execute(statement)).first()
    return row


async def projects_of(
    session: AsyncSession, workspace_id: int, user_ids: list[int]
) -> dict[int, list[tuple[int, str]]]:
    """The live projects assigned to each viewer, by project id."""
    projects: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not user_ids:
        return projects
    rows = await session.execute(
        select(ProjectViewerAssignment.user_id, Project.id, Project.name)
        .join(Project, Project.id == ProjectViewerAssignment.project_id)
        .where(
            ProjectViewerAssignment.workspace_id == workspace_id,
            ProjectViewerAssignment.user_id.in_(user_ids),
            Project.deleted_at.is_(None),
        )
        .order_by(ProjectViewerAssignment.user_id, Project.id)
    )
    for user_id, project_id, name in rows:
        projects[user_id].append((project_id, name))
    return projects


async def project_exists(session: AsyncSession, workspace_id: int, project_id: int) -> bool:
    if not valid_id(project_id):
        return False
    statement = select(
        exists().where(Project.id == project_id, Project.workspace_id == workspace_id, Project.deleted_at.is_(None))
    )
    return bool((await session.execute(statement)).scalar_one())


async def is_assigned(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> bool:
    statement = select(
        exists().where(
            ProjectViewerAssignment.workspace_id == workspace_id,
            ProjectViewerAssignment.user_id == user_id,
            ProjectViewerAssignment.project_id == project_id,
        )
    )
    return bool((await session.execute(statement)).scalar_one())


async def assign(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> None:
    session.add(ProjectViewerAssignment(workspace_id=workspace_id, user_id=user_id, project_id=project_id))
    await session.flush()


async def unassign(session: AsyncSession, workspace_id: int, user_id: int, project_id: int) -> None:
    await session.execute(
        delete(ProjectViewerAssignment)
        .where(
            ProjectViewerAssignment.workspace_id == workspace_id,
            ProjectViewerAssignment.user_id == user_id,
            ProjectViewerAssignment.project_id == project_id,
        )
        .execution_options(synchronize_session=False)
    )
