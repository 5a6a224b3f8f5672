"""One member-local day: the timeline's and the attendance report's queries, with the day's leave and holiday
(see ``report/queries.py`` for how time is read and split into members' days)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Subquery,
    and_,
    func,
    select,
)

from worktally.db.functions import (
    day_buckets,
    greatest,
    least,
    seconds_between,
)
from worktally.db.models import (
    ActivitySlot,
    Holiday,
    LeavePolicy,
    LeaveRequest,
    Membership,
    Project,
    Task,
    TimeEntry,
)
from worktally.report.queries import (
    ABSENCE_METHODS,
    AnySelect,
    Days,
    Reach,
    sum_seconds,
    whole_minutes,
)
from worktally.time_entry.rules import MAX_ENTRY_SPAN

# --- one day: timeline and attendance -----------------------------------------------------------


def _one_day_entries(reach: Reach, days: Days, user_ids: Sequence[int]) -> tuple[Subquery, Any]:
    """Entries of these users overlapping their own day, clipped to it (``days`` holds a single date)."""
    buckets = day_buckets(days.rows, days.dialect)
    low, high = days.utc_bounds
    clipped_start = greatest(TimeEntry.started_at, buckets.c.starts_at)
    clipped_end = least(TimeEntry.ended_at, buckets.c.ends_at)
    stmt = (
        select(
            TimeEntry.id,
            TimeEntry.user_id,
            TimeEntry.project_id,
            TimeEntry.task_id,
            TimeEntry.activity_description,
            TimeEntry.method,
            TimeEntry.leave_request_id,
            clipped_start.label("starts_at"),
            clipped_end.label("ends_at"),
            whole_minutes(seconds_between(clipped_end, clipped_start)).label("seconds"),
        )
        .select_from(TimeEntry)
        .join(
            Membership,
            and_(Membership.workspace_id == TimeEntry.workspace_id, Membership.user_id == TimeEntry.user_id),
        )
        .join(
            buckets,
            and_(
                buckets.c.timezone == days.tz_key,
                TimeEntry.started_at < buckets.c.ends_at,
                TimeEntry.ended_at > buckets.c.starts_at,
            ),
        )
        .where(
            TimeEntry.workspace_id == reach.workspace_id,
            TimeEntry.user_id.in_(user_ids),
            TimeEntry.started_at >= low - MAX_ENTRY_SPAN,
            TimeEntry.started_at < high,
            TimeEntry.ended_at > low,
            *reach.entry_filter(),
        )
    )
    return stmt.subquery("day_entries"), buckets


def timeline_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Each entry of the day (clipped to the member's day) with its names and average activity (D15)."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    activity = (
        select(func.avg(ActivitySlot.activity_level))
        .where(
            ActivitySlot.workspace_id == reach.workspace_id,
            ActivitySlot.user_id == entries.c.user_id,
            ActivitySlot.slot_start >= entries.c.starts_at,
            ActivitySlot.slot_start < entries.c.ends_at,
        )
        .scalar_subquery()
    )
    return (
        select(
            entries,
            Project.name.label("project_name"),
            Task.title.label("task_title"),
            activity.label("activity_level"),
        )
        .outerjoin(Project, Project.id == entries.c.project_id)
        .outerjoin(Task, Task.id == entries.c.task_id)
        .order_by(entries.c.user_id, entries.c.starts_at, entries.c.id)
    )


def attendance_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Per user: first start, last end and seconds worked in their day (leave and holiday time excluded)."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    return (
        select(
            entries.c.user_id,
            func.min(entries.c.starts_at).label("first_start"),
            func.max(entries.c.ends_at).label("last_end"),
            sum_seconds(entries.c.seconds).label("seconds"),
        )
        .where(entries.c.leave_request_id.is_(None), entries.c.method.not_in(ABSENCE_METHODS))
        .group_by(entries.c.user_id)
    )


def breaks_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Gaps between a member's consecutive entries of the day: ``user_id, starts_at, ends_at``."""
    entries, _ = _one_day_entries(reach, days, user_ids)
    worked = (
        select(
            entries.c.user_id,
            entries.c.starts_at,
            func.max(entries.c.ends_at)
            .over(
                partition_by=entries.c.user_id,
                order_by=(entries.c.starts_at, entries.c.id),
                rows=(None, -1),
            )
            .label("previous_end"),
        )
        .where(entries.c.leave_request_id.is_(None), entries.c.method.not_in(ABSENCE_METHODS))
        .subquery("worked")
    )
    return (
        select(worked.c.user_id, worked.c.previous_end.label("starts_at"), worked.c.starts_at.label("ends_at"))
        .where(worked.c.previous_end < worked.c.starts_at)
        .order_by(worked.c.user_id, worked.c.starts_at)
    )


def leaves_statement(workspace_id: int, day: date, user_ids: Sequence[int]) -> AnySelect:
    """Approved leave of these users covering ``day`` (dates are the member's own, D9)."""
    return (
        select(
            LeaveRequest.user_id,
            LeaveRequest.leave_period,
            LeaveRequest.start_time,
            LeaveRequest.end_time,
            LeaveRequest.hours_per_day,
            LeavePolicy.name.label("policy_name"),
            LeavePolicy.unit,
        )
        .join(LeavePolicy, LeavePolicy.id == LeaveRequest.policy_id)
        .where(
            LeaveRequest.workspace_id == workspace_id,
            LeaveRequest.user_id.in_(user_ids),
            LeaveRequest.status == "approved",
            LeaveRequest.start_date <= day,
            LeaveRequest.end_date >= day,
        )
        .order_by(LeaveRequest.user_id, LeaveRequest.start_date, LeaveRequest.id)
    )


def holiday_statement(workspace_id: int, day: date) -> AnySelect:
    return select(Holiday.name).where(Holiday.workspace_id == workspace_id, Holiday.holiday_date == day)
