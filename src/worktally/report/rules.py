"""Pure report rules: attendance statuses. No I/O. Minutes, rates and amounts: core/billing.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from worktally.core.timezones import minute_of_day, parse_hhmm
from worktally.report.schemas import AttendanceStatus

STATUS_ORDER: tuple[AttendanceStatus, ...] = (
    "Present",
    "Late",
    "Left early",
    "Tracked less",
    "Absent",
    "On leave",
    "Holiday",
)
# ``status`` filter values (catalogue) → the statuses they select.
STATUS_FILTERS: dict[str, AttendanceStatus] = {
    "present": "Present",
    "late": "Late",
    "left_early": "Left early",
    "tracked_less": "Tracked less",
    "absent": "Absent",
    "on_leave": "On leave",
    "holiday": "Holiday",
}


# --- attendance ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendanceSettings:
    workday_start_time: str  # "HH:MM", the member's local time
    expected_daily_minutes: int
    late_grace_minutes: int
    weekend_days: frozenset[int]  # Monday = 0


@dataclass(frozen=True, slots=True)
class LeaveOnDay:
    policy_name: str
    leave_period: int  # 0 full day, 1 first half, 2 second half (D10)
    start_time: str | None
    end_time: str | None


@dataclass(frozen=True, slots=True)
class Attendance:
    statuses: list[AttendanceStatus]
    is_working_day: bool
    expected_minutes: int
    late_minutes: int
    left_early_minutes: int


def leave_minutes(leave: LeaveOnDay, expected: int) -> int:
    """Minutes of the expected day that leave covers: all of it, half of it, or the leave's own hours."""
    start, end = parse_hhmm(leave.start_time), parse_hhmm(leave.end_time)
    if start is not None and end is not None and end > start:
        span = minute_of_day(end) - minute_of_day(start)
        return min(span, expected)
    if leave.leave_period in (1, 2):
        return expected // 2
    return expected


def attendance(
    day: date,
    tz: ZoneInfo,
    settings: AttendanceSettings,
    *,
    tracked_minutes: int,
    first_start: datetime | None,
    last_end: datetime | None,
    leave: LeaveOnDay | None,
    holiday: str | None,
) -> Attendance:
    """A member's statuses for one of their days, from the workspace's attendance settings."""
    statuses: set[AttendanceStatus] = set()
    working_day = day.weekday() not in settings.weekend_days and holiday is None
    expected = settings.expected_daily_minutes if working_day else 0
    covered = leave_minutes(leave, expected) if leave is not None else 0
    expected = max(0, expected - covered)
    if holiday is not None:
        statuses.add("Holiday")
    if leave is not None:
        statuses.add("On leave")
    if tracked_minutes > 0:
        statuses.add("Present")
    late = left_early = 0
    start = parse_hhmm(settings.workday_start_time) or time(9, 0)
    day_start = datetime.combine(day, start, tzinfo=tz)  # wall-clock: the workday is local hours
    if working_day and tracked_minutes > 0 and first_start is not None and last_end is not None:
        first_local = first_start.astimezone(tz)
        morning_leave = leave is not None and (leave.leave_period == 1 or covered >= settings.expected_daily_minutes)
        if not morning_leave and first_local > day_start + timedelta(minutes=settings.late_grace_minutes):
            late = int((first_local - day_start).total_seconds() // 60)
            statuses.add("Late")
        day_end = day_start + timedelta(minutes=settings.expected_daily_minutes)
        afternoon_leave = leave is not None and (leave.leave_period == 2 or covered >= settings.expected_daily_minutes)
        last_local = last_end.astimezone(tz)
        if not afternoon_leave and last_local < day_end:
            left_early = int((day_end - last_local).total_seconds() // 60)
            statuses.add("Left early")
        if tracked_minutes < expected:
            statuses.add("Tracked less")
    if working_day and tracked_minutes == 0 and expected > 0:
        statuses.add("Absent")
    return Attendance(
        statuses=[s for s in STATUS_ORDER if s in statuses],
        is_working_day=working_day,
        expected_minutes=expected,
        late_minutes=late,
        left_early_minutes=left_early,
    )


def break_label(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    return f"{starts_at.astimezone(tz):%H:%M} - {ends_at.astimezone(tz):%H:%M}"
