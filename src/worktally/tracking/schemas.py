from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import Text


class TrackerStart(BaseModel):
    workspace_id: int | None = None
    user_id: int | None = Field(default=None, description="Defaults to the caller; others need Owner/EM.")
    contract_id: int | None = Field(default=None, description="Omitted or null: time without a project.")
    task_id: int | None = Field(default=None, description="Only with contract_id; a task of the contract's project.")
    activity_description: Text | None = Field(default=None, max_length=5000)


class TrackerStop(BaseModel):
    workspace_id: int | None = None
    user_id: int | None = Field(default=None, description="Defaults to the caller; others need Owner/EM.")


class TrackerStarted(BaseModel):
    message: str
    start_time: UTCDatetime
    user_id: int
    user_name: str
    user_email: str
    contract_id: int | None
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None


class TrackerStopped(BaseModel):
    message: str
    stopped_at: UTCDatetime
    started_at: UTCDatetime
    user_id: int
    saved_minutes: int = Field(description="Minutes saved as time entries (D9 may save less than was tracked).")
    time_entry_ids: list[str]


class CurrentTrackerData(BaseModel):
    user_id: int
    is_tracking: bool
    started_at: UTCDatetime | None
    contract_id: int | None
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None
    total_seconds: int = Field(description="Seconds of the running tracker beyond its whole minutes.")
    total_minutes: int = Field(description="The day's saved minutes plus the running tracker's minutes.")
    date: dt.date = Field(description="Today in the member's timezone (D9).")
