from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.auth.visibility import IdSubquery
from worktally.db.models import Contract, Project, Task, TaskAssignee, User
from worktally.db.prepared import PreparedRead, Row
from worktally.db.repository import get_in_workspace
from worktally.task.schemas import TaskAssigneeRead, TaskFilters


def listing(workspace_id: int, filters: TaskFilters, visible_projects: IdSubquery | None) -> Select[Task]:
    """Visible live tasks of unarchived projects, by id."""
    live_projects = select(Project.id).where(Project.workspace_id == workspace_id, Project.deleted_at.is_(None))
    statement = select(Task).where(
        Task.workspace_id == workspace_id, Task.deleted_at.is_(None), Task.project_id.in_(live_projects)
    )
    if visible_projects is not None:
        statement = statement.where(Task.project_id.in_(visible_projects))
    if filters.project_id is not None:
        statement = statement.where(Task.project_id == filters.project_id)
    if filters.status is not None:
        statement = statement.where(Task.status == filters.status)
    if filters.priority is not None:
        statement = statement.where(Task.priority == filters.priority)
    if filters.parent_id is not None:
        statement = statement.where(Task.parent_id == filters.parent_id)
    return statement.order_by(Task.id)


async def get(
    session: AsyncSession, workspace_id: int, task_id: int, visible_projects: IdSubquery | None
) -> Task | None:
    """A live task of the workspace if the caller may see its project."""
    visible = () if visible_projects is None else (Task.project_id.in_(visible_projects),)
    return await get_in_workspace(session, Task, workspace_id, task_id, live=True, where=visible)


async def parent_id_of(session: AsyncSession, task_id: int) -> int | None:
    return (await session.execute(select(Task.parent_id).where(Task.id == task_id))).scalar_one_or_none()


async def project_in(session: AsyncSession, project_id: int, project_ids: IdSubquery) -> bool:
    statement = select(Project.id).where(Project.id == project_id, Project.id.in_(project_ids))
    return (await session.execute(statement)).first() is not None


async def contracted_user_ids(session: AsyncSession, project_id: int, user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` hold a live contract on the project (D13)."""
    if not user_ids:
        return set()
    statement = select(Contract.user_id).where(
        Contract.project_id == project_id, Contract.deleted_at.is_(None), Contract.user_id.in_(user_ids)
    )
    return set((await session.execute(statement)).scalars().all())


async def assignees_by_task(session: AsyncSession, task_ids: Collection[int]) -> dict[int, list[TaskAssigneeRead]]:
    if not task_ids:
        return {}
    rows = await session.execute(
        select(TaskAssignee.task_id, User.id, User.firstname, User.lastname, User.email)
        .join(User, User.id == TaskAssignee.user_id)
        .where(TaskAssignee.task_id.in_(task_ids))
        .order_by(TaskAssignee.task_id, TaskAssignee.id)
    )
    found: dict[int, list[TaskAssigneeRead]] = {}
    for task_id, user_id, firstname, lastname, email in rows:
        found.setdefault(task_id, []).append(
            TaskAssigneeRead(id=user_id, firstname=firstname, lastname=lastname, email=email)
        )
    return found


async def assignment(session: AsyncSession, task_id: int, user_id: int) -> TaskAssignee | None:
    if not valid_id(user_id):
        return None
    statement = select(TaskAssignee).where(TaskAssignee.task_id == task_id, TaskAssignee.user_id == user_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def assignee_ids(session: AsyncSession, task_id: int) -> set[int]:
    statement = select(TaskAssignee.user_id).where(TaskAssignee.task_id == task_id)
    return set((await session.execute(statement)).scalars().all())


async def remove_assignees(session: AsyncSession, task_id: int, user_ids: Collection[int]) -> None:
    if user_ids:
        await session.execute(
            delete(TaskAssignee).where(TaskAssignee.task_id == task_id, TaskAssignee.user_id.in_(user_ids))
        )


_LIVE_TASK_OF_PROJECT = PreparedRead(
    select(Task.id, Task.title).where(
        Task.id == bindparam("task_id"),
        Task.workspace_id == bindparam("workspace_id"),
        Task.project_id == bindparam("project_id"),
        Task.deleted_at.is_(None),
    )
)


async def live_task_of_project(session: AsyncSession, workspace_id: int, project_id: int, task_id: int) -> Row | None:
    """A live task of ``project_id`` (its ``id`` and ``title``), or None."""
    if not valid_id(task_id):
        return None
    return await _LIVE_TASK_OF_PROJECT.first_in(
        session, workspace_id=workspace_id, project_id=project_id, task_id=task_id
    )
