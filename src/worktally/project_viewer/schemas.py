from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from worktally.api.envelope import UTCDatetime
from worktally.member.schemas import Email, Name, WorkspaceIdField


class ViewerProject(BaseModel):
    project_id: int
    project_name: str


class ProjectViewerRead(BaseModel):
    id: int
    email: str
    firstname: str
    lastname: str
    status: Literal["active", "inactive", "left"] | None
    member_since: UTCDatetime | None
    projects: list[ViewerProject]


class ProjectViewerCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    email: Email
    firstname: Name
    lastname: Name


class ProjectAssignment(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    project_id: int
