from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate_scalars
from worktally.auth import visibility
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.updates import given_fields
from worktally.db.models import Task, TaskAssignee
from worktally.project import repository as project_repository
from worktally.project.service import ProjectNotFoundError
from worktally.task import repository
from worktally.task.errors import (
    AlreadyAssignedError,
    AssigneeNotFoundError,
    TaskManagementForbiddenError,
    TaskNotFoundError,
)
from worktally.task.rules import PRIORITY_NAMES, STATUS_NAMES, completed_at_after
from worktally.task.schemas import (
    TaskAssigneeRead,
    TaskAssignmentRead,
    TaskCreate,
    TaskFilters,
    TaskRead,
    TaskUpdate,
)
from worktally.webhook.events import record_event

# Deeper parent chains than this are refused rather than walked.
MAX_TASK_DEPTH = 50


async def read_many(session: AsyncSession, tasks: Sequence[Task]) -> list[TaskRead]:
    """Tasks as the API returns them, with every page's assignees in one query."""
    assignees = await repository.assignees_by_task(session, [t.id for t in tasks])
    return [
        TaskRead(
            id=t.id,
            title=t.title,
            description=t.description,
            project_id=t.project_id,
            owner_id=t.owner_id,
            creator_id=t.creator_id,
            parent_id=t.parent_id,
            status=t.status,
            status_name=STATUS_NAMES.get(t.status, str(t.status)),
            priority=t.priority,
            priority_name=PRIORITY_NAMES.get(t.priority, str(t.priority)),
            start_date=t.start_date,
            end_date=t.end_date,
            completed_at=t.completed_at,
            assignees=assignees.get(t.id, []),
            created_at=t.created_at,
            updated_at=t.updated_at,
            deleted_at=t.deleted_at,
        )
        for t in tasks
    ]


async def _read_one(session: AsyncSession, task: Task) -> TaskRead:
    [read] = await read_many(session, [task])
    return read


async def _find_visible(session: AsyncSession, principal: Principal, task_id: int, project_id: int | None) -> Task:
    """The task if the caller sees its project; a ``project_id`` given with it must be its project (else 404)."""
    task = await repository.get(session, principal.workspace_id, task_id, visibility.project_ids(principal))
    if task is None or (project_id is not None and project_id != task.project_id):
        raise TaskNotFoundError()
    return task


async def _ensure_manages(session: AsyncSession, principal: Principal, project_id: int) -> None:
    managed = visibility.managed_project_ids(principal)
    if managed is not None and not await repository.project_in(session, project_id, managed):
        raise TaskManagementForbiddenError()


async def _find_managed(session: AsyncSession, principal: Principal, task_id: int, project_id: int | None) -> Task:
    task = await _find_visible(session, principal, task_id, project_id)
    await _ensure_manages(session, principal, task.project_id)
    return task


async def _check_assignees(session: AsyncSession, project_id: int, user_ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(user_ids))
    missing = set(wanted) - await repository.contracted_user_ids(session, project_id, wanted)
    if missing:
        listed = ", ".join(str(u) for u in sorted(missing))
        raise ValidationError({"assignees": [f"These users hold no contract on this project: {listed}."]})
    return wanted


async def _check_parent(session: AsyncSession, principal: Principal, task: Task, parent_id: int) -> None:
    parent = await repository.get(session, principal.workspace_id, parent_id, None)
    if parent is None or parent.project_id != task.project_id:
        raise ValidationError({"parent_id": ["The parent must be a task of the same project."]})
    # Walk up from the new parent: meeting the task itself would make a cycle.
    node: int | None = parent.id
    for _ in range(MAX_TASK_DEPTH):
        if node is None:
            return
        if task.id is not None and node == task.id:
            raise ValidationError({"parent_id": ["A task cannot be its own ancestor."]})
        node = await repository.parent_id_of(session, node)
    raise ValidationError({"parent_id": [f"Tasks may be nested at most {MAX_TASK_DEPTH} levels deep."]})


def _check_dates(task: Task) -> None:
    if task.start_date and task.end_date and task.end_date < task.start_date:
        raise ValidationError({"end_date": ["The end_date must be a date after or equal to start_date."]})


async def _add_assignees(session: AsyncSession, task_id: int, user_ids: list[int]) -> None:
    now = utc_now()
    session.add_all(TaskAssignee(task_id=task_id, user_id=user_id, created_at=now) for user_id in user_ids)
    await session.flush()


async def list_tasks(
    session: AsyncSession, principal: Principal, filters: TaskFilters, page: PageParams
) -> tuple[list[TaskRead], Pagination]:
    statement = repository.listing(principal.workspace_id, filters, visibility.project_ids(principal))
    tasks, meta = await paginate_scalars(session, statement, page)
    return await read_many(session, tasks), meta


async def get_task(session: AsyncSession, principal: Principal, task_id: int, project_id: int | None) -> TaskRead:
    return await _read_one(session, await _find_visible(session, principal, task_id, project_id))


async def create_task(session: AsyncSession, principal: Principal, body: TaskCreate) -> TaskRead:
    project = await project_repository.get(
        session, principal.workspace_id, body.project_id, visibility.project_ids(principal)
    )
    if project is None:
        raise ProjectNotFoundError()
    await _ensure_manages(session, principal, project.id)
    if project.deleted_at is not None:
        raise ValidationError({"project_id": ["The selected project is archived."]})
    now = utc_now()
    task = Task(
        workspace_id=principal.workspace_id,
        project_id=project.id,
        title=body.title,
        description=body.description,
        status=int(body.status),
        priority=int(body.priority),
        start_date=body.start_date,
        end_date=body.end_date,
        completed_at=completed_at_after(old_status=None, new_status=body.status, completed_at=None, now=now),
        owner_id=principal.workspace_owner_id,
        creator_id=principal.user_id,
        created_at=now,
        updated_at=now,
    )
    _check_dates(task)
    if body.parent_id is not None:
        await _check_parent(session, principal, task, body.parent_id)
        task.parent_id = body.parent_id
    assignees = await _check_assignees(session, project.id, body.assignees)
    session.add(task)
    await session.flush()
    await _add_assignees(session, task.id, assignees)
    read = await _read_one(session, task)
    await record_event(session, workspace_id=principal.workspace_id, type="task.created", data=read)
    return read


async def update_task(session: AsyncSession, principal: Principal, task_id: int, body: TaskUpdate) -> TaskRead:
    task = await _find_managed(session, principal, task_id, body.project_id)
    given = given_fields(body, "title", "status", "priority", "assignees")
    now = utc_now()
    if body.title is not None:
        task.title = body.title
    if "description" in given:
        task.description = body.description
    if body.priority is not None:
        task.priority = int(body.priority)
    if body.status is not None:
        task.completed_at = completed_at_after(
            old_status=task.status, new_status=body.status, completed_at=task.completed_at, now=now
        )
        task.status = int(body.status)
    if "start_date" in given:
        task.start_date = body.start_date
    if "end_date" in given:
        task.end_date = body.end_date
    _check_dates(task)
    if "parent_id" in given:
        if body.parent_id is not None:
            await _check_parent(session, principal, task, body.parent_id)
        task.parent_id = body.parent_id
    if body.assignees is not None:
        wanted = await _check_assignees(session, task.project_id, body.assignees)
        current = await repository.assignee_ids(session, task.id)
        await repository.remove_assignees(session, task.id, current - set(wanted))
        await _add_assignees(session, task.id, [u for u in wanted if u not in current])
    task.updated_at = now
    await session.flush()
    read = await _read_one(session, task)
    await record_event(session, workspace_id=principal.workspace_id, type="task.updated", data=read)
    return read


async def delete_task(session: AsyncSession, principal: Principal, task_id: int, project_id: int | None) -> None:
    task = await _find_managed(session, principal, task_id, project_id)
    now = utc_now()
    task.deleted_at = now
    task.updated_at = now
    await session.flush()
    read = await _read_one(session, task)
    await record_event(session, workspace_id=principal.workspace_id, type="task.deleted", data=read)


async def list_assignees(
    session: AsyncSession, principal: Principal, task_id: int, project_id: int | None
) -> list[TaskAssigneeRead]:
    task = await _find_visible(session, principal, task_id, project_id)
    return (await repository.assignees_by_task(session, [task.id])).get(task.id, [])


async def assign(
    session: AsyncSession, principal: Principal, task_id: int, user_id: int, project_id: int | None
) -> TaskAssignmentRead:
    task = await _find_managed(session, principal, task_id, project_id)
    if not await repository.contracted_user_ids(session, task.project_id, [user_id]):
        raise ValidationError({"user_id": ["The user holds no contract on this task's project."]})
    if await repository.assignment(session, task.id, user_id) is not None:
        raise AlreadyAssignedError()
    assignment = TaskAssignee(task_id=task.id, user_id=user_id, created_at=utc_now())
    try:
        async with session.begin_nested():
            session.add(assignment)
    except IntegrityError as exc:
        raise AlreadyAssignedError() from exc
    task.updated_at = utc_now()
    await session.flush()
    await record_event(
        session, workspace_id=principal.workspace_id, type="task.updated", data=await _read_one(session, task)
    )
    return TaskAssignmentRead(id=assignment.id, task_id=task.id, user_id=user_id)


async def unassign(
    session: AsyncSession, principal: Principal, task_id: int, user_id: int, project_id: int | None
) -> None:
    task = await _find_managed(session, principal, task_id, project_id)
    assignment = await repository.assignment(session, task.id, user_id)
    if assignment is None:
        raise AssigneeNotFoundError()
    await session.delete(assignment)
    task.updated_at = utc_now()
    await session.flush()
    await record_event(
        session, workspace_id=principal.workspace_id, type="task.updated", data=await _read_one(session, task)
    )
