from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from worktally.api.envelope import Meta, UTCDatetime

ChangeType = Literal[
    "member",
    "team",
    "project",
    "contract",
    "task",
    "project_viewer",
    "time_entry",
    "tracking",
    "time_request",
    "timesheet",
    "leave",
    "leave_policy",
    "expense",
    "expense_category",
    "webhook",
]


class ChangeRead(BaseModel):
    cursor: str = Field(description="Opaque; resume after this change with ?cursor=.")
    type: ChangeType
    id: int | str = Field(description="The resource's id (D4: an integer or an opaque string, as its GET has it).")
    op: Literal["upsert", "delete"]
    changed_at: UTCDatetime
    data: dict[str, Any] | None = Field(description="The resource as it was after the change; null for a delete.")


class ChangesMeta(Meta):
    next_cursor: str | None = Field(description="Pass as ?cursor= for the changes after this page (null: none yet).")
    has_more: bool


class ChangesEnvelope(BaseModel):
    success: bool = True
    data: list[ChangeRead]
    meta: ChangesMeta
