from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, field_validator

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import Text
from worktally.time_entry.rules import FIRST_DAY, LAST_DAY, in_calendar

TimeRequestStatus = Literal["pending", "approved", "rejected"]


class TimeRequestRead(BaseModel):
    id: str
    status: TimeRequestStatus
    user_id: int
    user_name: str | None
    user_email: str | None
    contract_id: int | None
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    start: UTCDatetime
    end: UTCDatetime
    activity_description: str | None
    notes: str | None = Field(description="Same as activity_description (edition B's name).")
    comment: str | None
    updated_by: int | None
    time_entry_id: str | None
    created_at: UTCDatetime
    updated_at: UTCDatetime


class TimeRequestCreate(BaseModel):
    workspace_id: int | None = None
    user_id: int | None = Field(default=None, description="Defaults to the caller; others need Owner/EM.")
    contract_id: int | None = Field(default=None, description="Null: time without a project.")
    task_id: int | None = None
    start: datetime = Field(description="ISO 8601; without an offset it is read in the member's timezone (D9).")
    end: datetime = Field(description="ISO 8601, after start, at most 24 hours later.")
    activity_description: Text | None = Field(
        default=None, max_length=5000, validation_alias=AliasChoices("activity_description", "notes")
    )

    @field_validator("start", "end")
    @classmethod
    def _in_calendar(cls, value: datetime) -> datetime:
        if not in_calendar(value.date()):
            raise ValueError(f"The date must be between {FIRST_DAY} and {LAST_DAY}.")
        return value


class TimeRequestAction(BaseModel):
    workspace_id: int | None = None


class TimeRequestReject(BaseModel):
    workspace_id: int | None = None
    comment: Text = Field(min_length=1, max_length=1000)

    @field_validator("comment")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The comment field is required.")
        return value.strip()
