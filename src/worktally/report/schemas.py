"""Report response shapes (D16): defined once, minutes always integers, amounts as numbers per currency (D1).

``total_amount`` is ``null`` when the caller may not see the rates behind it (D6), else an object keyed by
currency code (``{"USD": 12.5}``; ``{}`` when nothing billable was tracked), never summed across currencies.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from worktally.api.envelope import LocalDatetime, MoneyByCurrency

Amounts = MoneyByCurrency

AttendanceStatus = Literal["Present", "Late", "Left early", "Tracked less", "Absent", "On leave", "Holiday"]


# --- tracked hours ---------------------------------------------------------------------------------


class TrackedProject(BaseModel):
    project_id: int | None
    project_name: str | None
    contract_id: int | None
    total_minutes: int
    total_amount: Amounts | None = Field(description="Per currency; null unless the caller may see rates (D6).")


class TrackedUser(BaseModel):
    user_id: int
    user_name: str
    total_minutes: int
    total_amount: Amounts | None
    projects: list[TrackedProject]


class TrackedDay(BaseModel):
    total_minutes: int
    users: list[TrackedUser]


class TrackedTotal(BaseModel):
    total_minutes: int
    total_amount: Amounts | None


class TrackedHoursReport(BaseModel):
    report_type: Literal["tracked_hours"] = "tracked_hours"
    start_date: date
    end_date: date
    total: TrackedTotal
    days: dict[str, TrackedDay] = Field(description="Every date of the range (YYYY-MM-DD), in order.")


# --- daily timeline --------------------------------------------------------------------------------


class TimelineEntry(BaseModel):
    id: str
    start_time: LocalDatetime = Field(description="ISO 8601 with the workspace owner's UTC offset (D1).")
    end_time: LocalDatetime = Field(description="ISO 8601 with the workspace owner's UTC offset (D1).")
    duration_minutes: int = Field(description="The part of the entry inside the member's day (D9).")
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None
    method: str
    activity_level: int | None = Field(description="Average of the activity slots in the entry, 0..100 (D15).")


class TimelineUser(BaseModel):
    user_id: int
    user_name: str
    timezone: str
    total_minutes: int
    entries: list[TimelineEntry]


class DailyTimelineReport(BaseModel):
    report_type: Literal["daily_timeline"] = "daily_timeline"
    date: date
    users: list[TimelineUser]


# --- daily attendance ------------------------------------------------------------------------------


class AttendanceUser(BaseModel):
    user_id: int
    user_name: str
    timezone: str
    statuses: list[AttendanceStatus]
    is_working_day: bool
    first_start: LocalDatetime | None = Field(description="The day's first start, with the member's UTC offset (D1).")
    last_end: LocalDatetime | None = Field(description="The day's last end, with the member's UTC offset (D1).")
    tracked_minutes: int
    expected_minutes: int = Field(description="Expected minutes, less leave taken that day.")
    late_minutes: int
    left_early_minutes: int
    break_minutes: int
    breaks: list[str] = Field(description='Gaps between entries, local "HH:MM - HH:MM".')
    leave_policy: str | None
    holiday: str | None


class DailyAttendanceReport(BaseModel):
    report_type: Literal["daily_attendance"] = "daily_attendance"
    date: date
    workday_start_time: str
    expected_daily_minutes: int
    late_grace_minutes: int
    users: list[AttendanceUser]


# --- activity level --------------------------------------------------------------------------------


class ActivityDay(BaseModel):
    date: date
    activity_level: int | None = Field(description="Average over the day's 10-minute slots, 0..100.")
    slots: int


class ActivityUser(BaseModel):
    user_id: int
    user_name: str
    activity_level: int | None
    slots: int
    days: list[ActivityDay]


class ActivityOverall(BaseModel):
    activity_level: int | None = Field(description="Average over every slot of every user in the filter.")
    slots: int
    users_with_activity: int


class ActivityLevelReport(BaseModel):
    report_type: Literal["activity_level"] = "activity_level"
    start_date: date
    end_date: date
    overall: ActivityOverall
    users: list[ActivityUser]


# --- task report -----------------------------------------------------------------------------------


class TaskDay(BaseModel):
    date: date
    total_minutes: int


class UserTask(BaseModel):
    task_id: int | None = Field(description="null: time tracked without a task.")
    task_title: str | None
    project_id: int | None
    project_name: str | None
    total_minutes: int
    daily_breakdown: list[TaskDay]


class TaskReportUser(BaseModel):
    user_id: int
    user_name: str
    total_minutes: int
    tasks: list[UserTask]


class TaskTotal(BaseModel):
    task_id: int | None
    task_title: str | None
    project_id: int | None
    project_name: str | None
    total_minutes: int


class TaskReport(BaseModel):
    report_type: Literal["task_report"] = "task_report"
    start_date: date
    end_date: date
    tasks_breakdown: list[TaskTotal] = Field(description="Every user in the filter, not only this page.")
    users: list[TaskReportUser]


# --- activity descriptions -------------------------------------------------------------------------


class DescriptionTotal(BaseModel):
    activity_description: str | None
    total_minutes: int


class DescriptionUser(BaseModel):
    user_id: int
    user_name: str
    total_minutes: int
    descriptions: list[DescriptionTotal]


class ActivityDescriptionsReport(BaseModel):
    report_type: Literal["activity_descriptions"] = "activity_descriptions"
    start_date: date
    end_date: date
    users: list[DescriptionUser]
