from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from worktally.api.envelope import MoneyByCurrency, UTCDatetime
from worktally.api.fields import Text

# Money per currency, as JSON numbers (D1: never added across currencies; D14 keeps it exact until here).

TimesheetStatus = Literal["pending", "submitted", "approved", "rejected"]


class TimesheetMember(BaseModel):
    id: int
    firstname: str
    lastname: str
    email: str


class DailyProjectMinutes(BaseModel):
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    total_minutes: int
    total_amount: MoneyByCurrency | None = Field(
        default=None, description='Per currency (`{"USD": 12.5}`); only when the caller may see rates (D6).'
    )


class TimesheetRead(BaseModel):
    id: str
    user_id: int
    date_from: date
    date_to: date
    status: TimesheetStatus
    total_hours: float
    total_minutes: int
    total_amount: MoneyByCurrency | None = Field(
        description='Per currency (`{"USD": 12.5, "EUR": 10}`), never summed across currencies (D1); '
        "only when the caller may see this member's rates (D6)."
    )
    submitted_on: UTCDatetime | None
    reject_reason: str | None
    member: TimesheetMember
    daily_breakdown: dict[str, list[DailyProjectMinutes]]
    approved_by: int | None
    approved_at: UTCDatetime | None
    rejected_by: int | None
    rejected_at: UTCDatetime | None
    updated_by: int | None
    created_at: UTCDatetime
    updated_at: UTCDatetime


class TimesheetAction(BaseModel):
    workspace_id: int | None = None


class TimesheetReject(BaseModel):
    workspace_id: int | None = None
    reason: Text = Field(min_length=1, max_length=1000)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The reason field is required.")
        return value.strip()
