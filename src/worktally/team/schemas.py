from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import no_nul
from worktally.member.schemas import WorkspaceIdField

TeamName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(no_nul)
]
MemberIds = Annotated[list[int], Field(max_length=1000, description="Active members of the workspace (user ids).")]


class TeamRead(BaseModel):
    id: int
    name: str
    member_ids: list[int]
    manager_ids: list[int]
    created_at: UTCDatetime
    updated_at: UTCDatetime


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    name: TeamName
    member_ids: MemberIds = []
    manager_ids: MemberIds = []


class TeamUpdate(BaseModel):
    """Only the fields given change; ``member_ids`` and ``manager_ids`` replace the lists."""

    model_config = ConfigDict(extra="ignore")

    workspace_id: WorkspaceIdField = None
    name: TeamName | None = None
    member_ids: MemberIds | None = None
    manager_ids: MemberIds | None = None
