"""``?format=csv`` (D16, extension): the same members and numbers as the JSON report, one line per innermost
item, and one line for a member the JSON lists with nothing inside (no entries, days, tasks or descriptions):
that line has the member's cells, empty item cells and 0 for the minutes or slots.

Columns (header line first; minutes are integers, amounts the JSON's number digits, empty cells for null;
datetimes as in the JSON, D1: UTC with ``Z``, or the member's offset where the field documents it):

- tracked-hours: date, user_id, user_name, project_id, project_name, contract_id, total_minutes, currency, total_amount
- daily-timeline: date, user_id, user_name, entry_id, start_time, end_time, duration_minutes, project_id,
  project_name, task_id, task_title, activity_description, method, activity_level
- daily-attendance: date, user_id, user_name, statuses (``;``-separated), first_start, last_end, tracked_minutes,
  expected_minutes, late_minutes, left_early_minutes, break_minutes, breaks (``;``-separated), leave_policy, holiday
- activity-level: user_id, user_name, date, activity_level, slots
- task-report: user_id, user_name, project_id, project_name, task_id, task_title, date, total_minutes
- activity-descriptions: user_id, user_name, activity_description, total_minutes

Text that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

from fastapi.responses import StreamingResponse

from worktally.core.clock import isoformat_offset, isoformat_z
from worktally.report.schemas import (
    ActivityDescriptionsReport,
    ActivityLevelReport,
    DailyAttendanceReport,
    DailyTimelineReport,
    TaskReport,
)

Row = Sequence[Any]

TRACKED_HOURS_COLUMNS = (
    "date",
    "user_id",
    "user_name",
    "project_id",
    "project_name",
    "contract_id",
    "total_minutes",
    "currency",
    "total_amount",
)
TIMELINE_COLUMNS = (
    "date",
    "user_id",
    "user_name",
    "entry_id",
    "start_time",
    "end_time",
    "duration_minutes",
    "project_id",
    "project_name",
    "task_id",
    "task_title",
    "activity_description",
    "method",
    "activity_level",
)
ATTENDANCE_COLUMNS = (
    "date",
    "user_id",
    "user_name",
    "statuses",
    "first_start",
    "last_end",
    "tracked_minutes",
    "expected_minutes",
    "late_minutes",
    "left_early_minutes",
    "break_minutes",
    "breaks",
    "leave_policy",
    "holiday",
)
ACTIVITY_LEVEL_COLUMNS = ("user_id", "user_name", "date", "activity_level", "slots")
TASK_REPORT_COLUMNS = (
    "user_id",
    "user_name",
    "project_id",
    "project_name",
    "task_id",
    "task_title",
    "date",
    "total_minutes",
)
ACTIVITY_DESCRIPTIONS_COLUMNS = ("user_id", "user_name", "activity_description", "total_minutes")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return isoformat_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: datetime | None) -> str | None:
    return None if value is None else isoformat_offset(value)


def timeline_rows(report: DailyTimelineReport) -> Iterable[Row]:
    for user in report.users:
        if not user.entries:
            yield (report.date, user.user_id, user.user_name, None, None, None, 0, *(None,) * 7)
        for entry in user.entries:
            yield (
                report.date,
                user.user_id,
                user.user_name,
                entry.id,
                _local(entry.start_time),
                _local(entry.end_time),
                entry.duration_minutes,
                entry.project_id,
                entry.project_name,
                entry.task_id,
                entry.task_title,
                entry.activity_description,
                entry.method,
                entry.activity_level,
            )


def attendance_rows(report: DailyAttendanceReport) -> Iterable[Row]:
    for user in report.users:
        yield (
            report.date,
            user.user_id,
            user.user_name,
            ";".join(user.statuses),
            _local(user.first_start),
            _local(user.last_end),
            user.tracked_minutes,
            user.expected_minutes,
            user.late_minutes,
            user.left_early_minutes,
            user.break_minutes,
            ";".join(user.breaks),
            user.leave_policy,
            user.holiday,
        )


def activity_level_rows(report: ActivityLevelReport) -> Iterable[Row]:
    for user in report.users:
        if not user.days:
            yield (user.user_id, user.user_name, None, None, 0)
        for day in user.days:
            yield (user.user_id, user.user_name, day.date, day.activity_level, day.slots)


def task_report_rows(report: TaskReport) -> Iterable[Row]:
    for user in report.users:
        if not user.tasks:
            yield (user.user_id, user.user_name, None, None, None, None, None, 0)
        for task in user.tasks:
            for day in task.daily_breakdown:
                yield (
                    user.user_id,
                    user.user_name,
                    task.project_id,
                    task.project_name,
                    task.task_id,
                    task.task_title,
                    day.date,
                    day.total_minutes,
                )


def activity_descriptions_rows(report: ActivityDescriptionsReport) -> Iterable[Row]:
    for user in report.users:
        if not user.descriptions:
            yield (user.user_id, user.user_name, None, 0)
        for item in user.descriptions:
            yield (user.user_id, user.user_name, item.activity_description, item.total_minutes)


async def _lines(columns: Sequence[str], rows: Iterable[Row], *, as_cells: bool) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    iterator = iter(rows)
    while batch := list(islice(iterator, 500)):
        writer.writerows(batch if as_cells else ([cell(value) for value in row] for row in batch))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(
    name: str, columns: Sequence[str], rows: Iterable[Row], *, as_cells: bool = False
) -> StreamingResponse:
    """``rows`` of values, or with ``as_cells`` of values already passed through ``cell`` (a large report's rows)."""
    return StreamingResponse(
        _lines(columns, rows, as_cells=as_cells),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def csv_openapi(columns: Sequence[str]) -> dict[int | str, dict[str, Any]]:
    """The 200 response of a report: JSON, or with ``format=csv`` these columns."""
    return {
        200: {
            "description": "The report; with `format=csv`, CSV with the columns: " + ", ".join(columns) + ".",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": ",".join(columns) + "\r\n"}},
        }
    }
