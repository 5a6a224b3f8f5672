from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator

from worktally.api.envelope import UTCDatetime
from worktally.api.fields import Timezone
from worktally.core.timezones import parse_hhmm


class WorkspaceRead(BaseModel):
    id: int
    owner_id: int
    user_id: int
    workspace_name: str
    role: str
    status: str
    created_at: UTCDatetime
    # The catalogue shows "2025-02-19 19:24:55"; D1 writes it as every other datetime.
    activated_at: UTCDatetime | None


_WORKSPACE_DESCRIPTION = "The workspace; may be given in the query string instead (D3)."


class WorkspaceSettingsRead(BaseModel):
    """Extension: the workspace's settings (D10, D16). Weeks (and weekly timesheets) start on Monday (D10)."""

    workspace_id: int
    timezone: str = Field(description="The workspace's IANA zone; a member without their own zone uses it (D9).")
    auto_approve_time_requests: bool = Field(description="Time requests are approved as they are made (D10).")
    weekend_days: list[int] = Field(description="Days without attendance expectation: 0 = Monday … 6 = Sunday.")
    workday_start_time: str = Field(description="When the working day starts (HH:MM), for lateness (D16).")
    expected_daily_minutes: int = Field(description="Expected minutes per working day (D16's attendance).")
    late_grace_minutes: int = Field(description="Minutes after the start that are not yet late (D16).")


class WorkspaceSettingsUpdate(BaseModel):
    """Every field is unchanged when omitted."""

    workspace_id: int | None = Field(default=None, description=_WORKSPACE_DESCRIPTION)
    timezone: Timezone | None = None
    auto_approve_time_requests: bool | None = None
    weekend_days: list[Annotated[int, Field(ge=0, le=6)]] | None = Field(default=None, max_length=7)
    workday_start_time: Annotated[str, StringConstraints(max_length=5)] | None = Field(
        default=None, description="HH:MM, 24-hour.", examples=["09:00"]
    )
    expected_daily_minutes: int | None = Field(default=None, ge=0, le=1440)
    late_grace_minutes: int | None = Field(default=None, ge=0, le=1440)

    @field_validator("weekend_days")
    @classmethod
    def _distinct(cls, values: list[int] | None) -> list[int] | None:
        return None if values is None else sorted(set(values))

    @field_validator("workday_start_time")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and parse_hhmm(value) is None:
            raise ValueError("The workday start time must be a time of day as HH:MM, such as 09:00.")
        return value
