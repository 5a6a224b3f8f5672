"""The task report's, the activity descriptions' and the activity level's queries (see ``report/queries.py``
for how time is read and split into members' days)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Subquery,
    cast,
    exists,
    func,
    or_,
    select,
)

from worktally.db.functions import (
    local_date,
)
from worktally.db.models import (
    ActivitySlot,
    Membership,
    Project,
    Task,
    TimeEntry,
)
from worktally.report.queries import (
    AnySelect,
    Days,
    Reach,
    day_parts,
    reported_member,
    sum_seconds,
)

# --- task report and activity descriptions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskFilters:
    project_ids: Sequence[int] | None = None
    task_ids: Sequence[int] | None = None
    include_no_task: bool = True


def _task_where(filters: TaskFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.project_ids is not None:
        where.append(TimeEntry.project_id.in_(filters.project_ids))
    if filters.task_ids is not None:
        task_match = TimeEntry.task_id.in_(filters.task_ids)
        where.append(or_(task_match, TimeEntry.task_id.is_(None)) if filters.include_no_task else task_match)
    elif not filters.include_no_task:
        where.append(TimeEntry.task_id.is_not(None))
    return where


def task_days_statement(reach: Reach, days: Days, filters: TaskFilters, user_ids: Sequence[int]) -> AnySelect:
    """Seconds per user, task and day for one page of users."""
    parts = day_parts(
        reach,
        days,
        [TimeEntry.user_id, TimeEntry.task_id, TimeEntry.project_id],
        [*_task_where(filters), TimeEntry.user_id.in_(user_ids)],
    )
    grouped = (
        select(
            parts.c.user_id, parts.c.task_id, parts.c.project_id, parts.c.day, sum_seconds(parts.c.seconds).label("s")
        )
        .group_by(parts.c.user_id, parts.c.task_id, parts.c.project_id, parts.c.day)
        .subquery("grouped")
    )
    return (
        select(
            grouped.c.user_id,
            grouped.c.task_id,
            grouped.c.project_id,
            grouped.c.day,
            grouped.c.s.label("seconds"),
            Task.title.label("task_title"),
            Project.name.label("project_name"),
        )
        .outerjoin(Task, Task.id == grouped.c.task_id)
        .outerjoin(Project, Project.id == grouped.c.project_id)
        .order_by(
            grouped.c.user_id,
            grouped.c.project_id.is_(None),  # NULLs sort differently on SQLite and PostgreSQL: last, explicitly
            Project.name,
            grouped.c.project_id,
            grouped.c.task_id.is_(None),
            Task.title,
            grouped.c.task_id,
            grouped.c.day,
        )
    )


def task_totals_statement(reach: Reach, days: Days, filters: TaskFilters, user_ids: Sequence[int] | None) -> AnySelect:
    """Seconds per task over every user in the filter (the report's ``tasks_breakdown``)."""
    where = _task_where(filters)
    if user_ids is not None:
        where.append(TimeEntry.user_id.in_(user_ids))
    where.append(
        TimeEntry.user_id.in_(
            select(Membership.user_id).where(
                Membership.workspace_id == reach.workspace_id,
                *reported_member(),
            )
        )
    )
    parts = day_parts(reach, days, [TimeEntry.task_id, TimeEntry.project_id], where)
    grouped = (
        select(parts.c.task_id, parts.c.project_id, sum_seconds(parts.c.seconds).label("s"))
        .group_by(parts.c.task_id, parts.c.project_id)
        .subquery("grouped")
    )
    return (
        select(
            grouped.c.task_id,
            grouped.c.project_id,
            grouped.c.s.label("seconds"),
            Task.title.label("task_title"),
            Project.name.label("project_name"),
        )
        .outerjoin(Task, Task.id == grouped.c.task_id)
        .outerjoin(Project, Project.id == grouped.c.project_id)
        .order_by(
            grouped.c.project_id.is_(None),
            Project.name,
            grouped.c.project_id,
            grouped.c.task_id.is_(None),
            Task.title,
            grouped.c.task_id,
        )
    )


def descriptions_statement(reach: Reach, days: Days, user_ids: Sequence[int]) -> AnySelect:
    """Seconds per user and activity description for one page of users."""
    parts = day_parts(
        reach, days, [TimeEntry.user_id, TimeEntry.activity_description], [TimeEntry.user_id.in_(user_ids)]
    )
    total = sum_seconds(parts.c.seconds)
    return (
        select(parts.c.user_id, parts.c.activity_description, total.label("seconds"))
        .group_by(parts.c.user_id, parts.c.activity_description)
        .order_by(parts.c.user_id, total.desc(), parts.c.activity_description.is_(None), parts.c.activity_description)
    )


# --- activity level -------------------------------------------------------------------------------


def _slots(reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int] | None) -> Subquery:
    """The activity slots within each member's own days: ``user_id``, ``activity_level`` and the local ``day``.

    Each member's range is worked out once per member (OFFSET 0 keeps the members a subquery of their own on
    PostgreSQL) and the slots are compared with it: a month is hundreds of thousands of slots.
    """
    low, high = days.utc_bounds
    starts_at, ends_at = days.member_range()
    members = select(
        Membership.user_id, days.tz_safe.label("tz"), starts_at.label("starts_at"), ends_at.label("ends_at")
    ).where(Membership.workspace_id == reach.workspace_id, *reported_member(), *reach.member_filter())
    if user_ids is not None:
        members = members.where(Membership.user_id.in_(user_ids))
    member = members.offset(0).subquery("member")
    stmt = (
        select(
            ActivitySlot.user_id,
            ActivitySlot.activity_level,
            local_date(ActivitySlot.slot_start, member.c.tz).label("day"),
        )
        .join(member, member.c.user_id == ActivitySlot.user_id)
        .where(
            ActivitySlot.workspace_id == reach.workspace_id,
            ActivitySlot.slot_start >= low,
            ActivitySlot.slot_start < high,
            ActivitySlot.slot_start >= member.c.starts_at,
            ActivitySlot.slot_start < member.c.ends_at,
        )
    )
    if contract_id is not None:
        stmt = stmt.where(
            exists().where(
                TimeEntry.workspace_id == reach.workspace_id,
                TimeEntry.user_id == ActivitySlot.user_id,
                TimeEntry.contract_id == contract_id,
                TimeEntry.started_at <= ActivitySlot.slot_start,
                TimeEntry.ended_at > ActivitySlot.slot_start,
            )
        )
    return stmt.subquery("slots")


def activity_days_statement(reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int]) -> AnySelect:
    """Average activity and slot count per user per local day, for one page of users."""
    slots = _slots(reach, days, contract_id, user_ids)
    return (
        select(
            slots.c.user_id,
            slots.c.day,
            func.avg(slots.c.activity_level).label("activity_level"),
            func.count().label("slots"),
        )
        .group_by(slots.c.user_id, slots.c.day)
        .order_by(slots.c.user_id, slots.c.day)
    )


def activity_overall_statement(
    reach: Reach, days: Days, contract_id: int | None, user_ids: Sequence[int] | None
) -> AnySelect:
    """Average activity over every slot of every user in the filter.

    Summed per user first: a month of slots is hundreds of thousands of rows, and COUNT(DISTINCT) would sort them.
    """
    slots = _slots(reach, days, contract_id, user_ids)
    per_user = (
        select(
            cast(func.sum(slots.c.activity_level), BigInteger).label("levels"),
            func.count().label("slots"),
        )
        .group_by(slots.c.user_id)
        .subquery("per_user")
    )
    total_slots = cast(func.sum(per_user.c.slots), BigInteger)
    return select(
        (cast(func.sum(per_user.c.levels), Float()) / func.nullif(total_slots, 0)).label("activity_level"),
        func.coalesce(total_slots, 0).label("slots"),
        func.count().label("users"),
    )
