from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import Id, NoNul
from worktally.project.schemas import Notes, WorkspaceInBody
from worktally.task.rules import TaskPriority, TaskStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul]
Assignees = Annotated[
    list[Id], Field(max_length=100, description="User ids; each must hold a contract on the project.")
]


class TaskCreate(WorkspaceInBody):
    project_id: Id
    title: Title
    description: Notes | None = None
    status: TaskStatus = TaskStatus.INCOMPLETE
    priority: TaskPriority = TaskPriority.NORMAL
    start_date: date | None = None
    end_date: date | None = Field(default=None, description="On or after start_date.")
    assignees: Assignees = Field(default_factory=list)
    parent_id: Id | None = Field(default=None, description="A task of the same project.")

    model_config = ConfigDict(extra="ignore")


class TaskUpdate(WorkspaceInBody):
    """Every field optional; ``project_id``, when given, must be the task's project."""

    project_id: Id | None = None
    title: Title | None = None
    description: Notes | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    start_date: date | None = None
    end_date: date | None = None
    parent_id: Id | None = None
    assignees: Assignees | None = Field(default=None, description="Replaces the assignees.")

    model_config = ConfigDict(extra="ignore")


class TaskScope(WorkspaceInBody):
    """The body of task actions: ``workspace_id`` and the task's ``project_id``."""

    project_id: Id | None = None

    model_config = ConfigDict(extra="ignore")


class TaskAssigneeRead(BaseModel):
    id: int
    firstname: str | None
    lastname: str | None
    email: str | None


class TaskAssignmentRead(BaseModel):
    id: int
    task_id: int
    user_id: int


class TaskRead(BaseModel):
    id: int
    title: str
    description: str | None
    project_id: int
    owner_id: int
    creator_id: int
    parent_id: int | None
    status: int
    status_name: str
    priority: int
    priority_name: str
    start_date: date | None
    end_date: date | None
    completed_at: UTCDatetime | None
    assignees: list[TaskAssigneeRead]
    created_at: UTCDatetime | None
    updated_at: UTCDatetime | None
    deleted_at: UTCDatetime | None


@dataclass(frozen=True, slots=True)
class TaskFilters:
    project_id: int | None = None
    status: int | None = None
    priority: int | None = None
    parent_id: int | None = None
