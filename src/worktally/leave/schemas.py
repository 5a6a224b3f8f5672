from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from worktally.api.envelope import JsonNumber, UTCDatetime
from worktally.api.fields import Id, NoNul
from worktally.core.timezones import parse_hhmm

# Decimal in, JSON number out (never a string, never a binary float in storage).


def _hhmm(value: str) -> str:
    if parse_hhmm(value) is None:
        raise ValueError("The time must be in HH:mm format")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Text = Annotated[str, StringConstraints(max_length=2000), NoNul]
PublicId = Annotated[str, StringConstraints(max_length=64), NoNul]
HHMM = Annotated[str, AfterValidator(_hhmm)]
HoursPerDay = Annotated[Decimal, Field(gt=0, le=24, max_digits=4, decimal_places=2)]
Allowance = Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)]
Unit = Literal["days", "hours"]
LeaveStatus = Literal["pending", "approved", "rejected"]
YesNo = Literal["yes", "no"]


class LeavePolicyCreate(BaseModel):
    workspace_id: int | None = Field(default=None, description="May be given here or in the query (D3).")
    name: Name
    unit: Unit = Field(description="days or hours; fixed once the policy is created.")
    hours_per_day: HoursPerDay = Decimal(8)
    is_paid: bool = True
    allowance: Allowance = Field(default=Decimal(0), description="Per calendar year, in the policy's unit.")
    allow_negative_balance: bool = False
    reason_required: bool = False
    member_ids: list[Id] | None = Field(
        default=None,
        max_length=10_000,
        description="The members the policy applies to; omitted or null: every member, now and later.",
    )


class LeavePolicyUpdate(BaseModel):
    workspace_id: int | None = None
    name: Name | None = None
    unit: Unit | None = Field(default=None, description="Must equal the current unit (it cannot change).")
    hours_per_day: HoursPerDay | None = None
    is_paid: bool | None = None
    allowance: Allowance | None = None
    allow_negative_balance: bool | None = None
    reason_required: bool | None = None
    member_ids: list[Id] | None = Field(
        default=None, max_length=10_000, description="Omitted: unchanged; null: every member; a list: those members."
    )


class LeavePolicyRead(BaseModel):
    id: int
    name: str
    unit: Unit
    hours_per_day: JsonNumber
    is_paid: bool
    allowance: JsonNumber
    allow_negative_balance: bool
    reason_required: bool
    applies_to_all: bool
    member_ids: list[int] | None = Field(description="null when the policy applies to every member.")
    created_at: UTCDatetime
    updated_at: UTCDatetime


class LeaveCreate(BaseModel):
    workspace_id: int | None = None
    policy_id: Id
    start: date
    end: date
    user_id: Id | None = Field(default=None, description="The member on leave; the caller when omitted.")
    start_time: HHMM | None = Field(default=None, description="HH:mm, hour-based policies.")
    end_time: HHMM | None = Field(default=None, description="HH:mm, hour-based policies.")
    hours_per_day: HoursPerDay | None = Field(default=None, description="Hour-based policies, instead of times.")
    leave_period: Literal[0, 1, 2] = Field(
        default=0,
        description=(
            "0 full day, 1 first half, 2 second half, on every working day of the range (D10). On an hour-based "
            "policy a half day is half the policy's hours_per_day and gives neither times nor hours_per_day."
        ),
    )
    reason: Text | None = None


class LeaveApprove(BaseModel):
    workspace_id: int | None = None


class LeaveReject(BaseModel):
    workspace_id: int | None = None
    reason: Annotated[str, StringConstraints(max_length=1000), NoNul] | None = None


class LeaveFilters(BaseModel):
    id: PublicId | None = None
    user_id: Id | None = None
    policy_id: Id | None = None
    is_paid: YesNo | None = None
    status: LeaveStatus | None = None
    date_from: date | None = None
    date_to: date | None = None


class LeaveTotal(BaseModel):
    days: JsonNumber
    hours: JsonNumber


class LeaveRead(BaseModel):
    id: str
    user_id: int
    user_name: str
    status: LeaveStatus
    note: str | None
    is_paid: YesNo
    created_by: int | None
    approved_by: int | None
    rejected_by: int | None
    reject_reason: str | None
    start_date: date
    end_date: date
    created_on: UTCDatetime
    total: LeaveTotal
    policy_id: int
    policy_name: str
    unit: Unit
    leave_period: int
    start_time: str | None
    end_time: str | None
    approved_at: UTCDatetime | None
    rejected_at: UTCDatetime | None


class LeaveBalanceItem(BaseModel):
    leave_type: str = Field(description="The policy's name.")
    balance: str = Field(description='"10 days", "6.5 hours".')
    policy_id: int
    unit: Unit
    allowance: JsonNumber = Field(description="The yearly allowance times the calendar years the range touches.")
    used: JsonNumber = Field(description="Approved leave inside the range.")
    balance_value: JsonNumber


class LeaveBalanceRead(BaseModel):
    user_id: int
    user_name: str
    leave_information: list[LeaveBalanceItem]
    total_balance: str | None = Field(description="The sum of the balances when all share one unit, else null.")
