from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.fields import MAX_ID, id_query
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import TASKS_READ, TASKS_WRITE
from worktally.auth.principal import Principal
from worktally.task import service
from worktally.task.errors import TaskNotFoundError
from worktally.task.rules import TaskPriority, TaskStatus
from worktally.task.schemas import (
    TaskAssigneeRead,
    TaskAssignmentRead,
    TaskCreate,
    TaskFilters,
    TaskRead,
    TaskScope,
    TaskUpdate,
)

router = api_router("/tasks", tags=["Tasks"])

TasksRead = Annotated[Principal, require(*TASKS_READ)]
TasksWrite = Annotated[Principal, require(*TASKS_WRITE)]
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]
ProjectIdQuery = Annotated[int | None, id_query("The task's project; must match it when given.")]
UserIdPath = Annotated[int, Path(ge=1, le=MAX_ID)]


def _scope(query_project_id: int | None, body: TaskScope | None) -> int | None:
    """The ``project_id`` of an action, from the body or the query; two different values cannot both match."""
    from_body = body.project_id if body is not None else None
    if query_project_id is not None and from_body is not None and query_project_id != from_body:
        raise TaskNotFoundError()
    return from_body if from_body is not None else query_project_id


@router.get("", response_model=Envelope[list[TaskRead]])
async def list_tasks(
    principal: TasksRead,
    session: SessionDep,
    page: Page,
    project_id: ProjectIdQuery = None,
    status: Annotated[TaskStatus | None, Query(description="0 Incomplete, 10 Doing, 20 Done, 30 Completed.")] = None,
    priority: Annotated[TaskPriority | None, Query(description="10 Urgent, 20 High, 30 Normal, 40 Low.")] = None,
    parent_id: Annotated[int | None, id_query()] = None,
) -> Envelope[list[TaskRead]]:
    """List the tasks the caller may see."""
    filters = TaskFilters(
        project_id=project_id,
        status=int(status) if status is not None else None,
        priority=int(priority) if priority is not None else None,
        parent_id=parent_id,
    )
    items, meta = await service.list_tasks(session, principal, filters, page)
    return paginated(items, meta, message="Tasks retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[TaskRead])
async def create_task(principal: TasksWrite, body: TaskCreate, session: SessionDep) -> Envelope[TaskRead]:
    """Create a task (Owner, Executive manager, or a manager of the project)."""
    task = await service.create_task(session, principal, body)
    return ok(task, message="Task created successfully")


@router.get("/{task_id}", response_model=Envelope[TaskRead])
async def get_task(
    principal: TasksRead, task_id: int, session: SessionDep, project_id: ProjectIdQuery = None
) -> Envelope[TaskRead]:
    """Get one task."""
    task = await service.get_task(session, principal, task_id, project_id)
    return ok(task, message="Task retrieved successfully")


@router.put("/{task_id}", response_model=Envelope[TaskRead])
async def update_task(
    principal: TasksWrite, task_id: int, body: TaskUpdate, session: SessionDep, project_id: ProjectIdQuery = None
) -> Envelope[TaskRead]:
    """Update a task."""
    scoped = body.model_copy(update={"project_id": _scope(project_id, TaskScope(project_id=body.project_id))})
    task = await service.update_task(session, principal, task_id, scoped)
    return ok(task, message="Task updated successfully")


@router.delete("/{task_id}", response_model=Envelope[None])
async def delete_task(
    principal: TasksWrite,
    task_id: int,
    session: SessionDep,
    body: TaskScope | None = None,
    project_id: ProjectIdQuery = None,
) -> Envelope[None]:
    """Delete a task (soft)."""
    await service.delete_task(session, principal, task_id, _scope(project_id, body))
    return ok(None, message="Task deleted successfully")


@router.get("/{task_id}/assignees", response_model=Envelope[list[TaskAssigneeRead]])
async def list_task_assignees(
    principal: TasksRead, task_id: int, session: SessionDep, project_id: ProjectIdQuery = None
) -> Envelope[list[TaskAssigneeRead]]:
    """List a task's assignees."""
    assignees = await service.list_assignees(session, principal, task_id, project_id)
    return ok(assignees, message="Task assignees retrieved successfully")


@router.post("/{task_id}/assign/{user_id}", status_code=201, response_model=Envelope[TaskAssignmentRead])
async def assign_task(
    principal: TasksWrite,
    task_id: int,
    user_id: UserIdPath,
    session: SessionDep,
    body: TaskScope | None = None,
    project_id: ProjectIdQuery = None,
) -> Envelope[TaskAssignmentRead]:
    """Assign a user who holds a contract on the task's project."""
    assignment = await service.assign(session, principal, task_id, user_id, _scope(project_id, body))
    return ok(assignment, message="User assigned to task successfully")


@router.delete("/{task_id}/unassign/{user_id}", response_model=Envelope[None])
async def unassign_task(
    principal: TasksWrite,
    task_id: int,
    user_id: UserIdPath,
    session: SessionDep,
    body: TaskScope | None = None,
    project_id: ProjectIdQuery = None,
) -> Envelope[None]:
    """Remove a user from a task's assignees."""
    await service.unassign(session, principal, task_id, user_id, _scope(project_id, body))
    return ok(None, message="User unassigned from task successfully")
