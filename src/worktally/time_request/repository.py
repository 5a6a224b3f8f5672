from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from worktally.api.pagination import AnySelect
from worktally.auth.visibility import IdSubquery
from worktally.db.models import Project, Task, TimeRequest, User


def with_names() -> AnySelect:
    return (
        select(
            TimeRequest,
            User.firstname,
            User.lastname,
            User.email,
            Project.name.label("project_name"),
            Task.title.label("task_title"),
        )
        .join(User, User.id == TimeRequest.user_id)
        .outerjoin(Project, Project.id == TimeRequest.project_id)
        .outerjoin(Task, Task.id == TimeRequest.task_id)
    )


def one_statement(workspace_id: int, request_id: str, visible: IdSubquery | None) -> AnySelect:
    statement = with_names().where(TimeRequest.workspace_id == workspace_id, TimeRequest.id == request_id)
    if visible is not None:
        statement = statement.where(TimeRequest.user_id.in_(visible))
    return statement


def list_statement(
    workspace_id: int,
    *,
    visible: IdSubquery | None,
    start: datetime,
    end: datetime,
    status: str | None,
    user_id: int | None,
    project_id: int | None,
    request_id: str | None,
) -> AnySelect:
    statement = with_names().where(
        TimeRequest.workspace_id == workspace_id, TimeRequest.started_at >= start, TimeRequest.started_at < end
    )
    filters: list[Any] = []
    if visible is not None:
        filters.append(TimeRequest.user_id.in_(visible))
    if status is not None:
        filters.append(TimeRequest.status == status)
    if user_id is not None:
        filters.append(TimeRequest.user_id == user_id)
    if project_id is not None:
        filters.append(TimeRequest.project_id == project_id)
    if request_id is not None:
        filters.append(TimeRequest.id == request_id)
    return statement.where(*filters).order_by(TimeRequest.started_at, TimeRequest.id)
