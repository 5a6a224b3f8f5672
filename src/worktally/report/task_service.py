"""The activity level, task and activity-description reports (at most 31 days each; queries in
``task_queries.py``), on the reach and member pages of ``report/service.py``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams
from worktally.auth.principal import Principal
from worktally.core import billing
from worktally.report import task_queries
from worktally.report.params import DateRange
from worktally.report.schemas import (
    ActivityDay,
    ActivityDescriptionsReport,
    ActivityLevelReport,
    ActivityOverall,
    ActivityUser,
    DescriptionTotal,
    DescriptionUser,
    TaskReport,
)
from worktally.report.service import activity_percent, days_for, member_page, reach_for

# --- activity level -------------------------------------------------------------------------------


async def activity_level(
    session: AsyncSession,
    principal: Principal,
    *,
    period: DateRange,
    contract_id: int | None,
    user_ids: Sequence[int] | None,
    page: PageParams,
) -> tuple[ActivityLevelReport, Pagination]:
    reach = reach_for(principal)
    _, days = await days_for(session, principal, period.start_date, period.end_date)
    members, meta = await member_page(session, reach, days, page, user_ids)
    per_user: dict[int, list[ActivityDay]] = defaultdict(list)
    sums: dict[int, tuple[float, int]] = {}
    if members:
        statement = task_queries.activity_days_statement(reach, days, contract_id, [m.user_id for m in members])
        for row in (await session.execute(statement)).all():
            per_user[row.user_id].append(
                ActivityDay(date=row.day, activity_level=activity_percent(row.activity_level), slots=row.slots)
            )
            total, count = sums.get(row.user_id, (0.0, 0))
            sums[row.user_id] = (total + float(row.activity_level) * row.slots, count + row.slots)
    overall = (await session.execute(task_queries.activity_overall_statement(reach, days, contract_id, user_ids))).one()
    users = [
        ActivityUser(
            user_id=m.user_id,
            user_name=m.name,
            activity_level=activity_percent(sums[m.user_id][0] / sums[m.user_id][1]) if m.user_id in sums else None,
            slots=sums[m.user_id][1] if m.user_id in sums else 0,
            days=per_user.get(m.user_id, []),
        )
        for m in members
    ]
    report = ActivityLevelReport(
        start_date=period.start_date,
        end_date=period.end_date,
        overall=ActivityOverall(
            activity_level=activity_percent(overall.activity_level),
            slots=overall.slots,
            users_with_activity=overall.users,
        ),
        users=users,
    )
    return report, meta


# --- task report ----------------------------------------------------------------------------------


async def task_report(
    session: AsyncSession,
    principal: Principal,
    *,
    period: DateRange,
    filters: task_queries.TaskFilters,
    user_ids: Sequence[int] | None,
    page: PageParams,
) -> tuple[TaskReport, Pagination]:
    reach = reach_for(principal)
    _, days = await days_for(session, principal, period.start_date, period.end_date)
    members, meta = await member_page(session, reach, days, page, user_ids)
    # Plain dicts, validated into the model in one call at the end: a month of 100 members is tens of thousands of
    # daily lines, and building each as a model from Python costs several times more.
    tasks: dict[int, dict[tuple[int | None, int | None], dict[str, Any]]] = defaultdict(dict)
    if members:
        statement = task_queries.task_days_statement(reach, days, filters, [m.user_id for m in members])
        for row in (await session.execute(statement)).all():
            minutes = billing.minutes(row.seconds)
            if minutes == 0:
                continue
            key = (row.project_id, row.task_id)
            task = tasks[row.user_id].get(key)
            if task is None:
                task = tasks[row.user_id][key] = {
                    "task_id": row.task_id,
                    "task_title": row.task_title,
                    "project_id": row.project_id,
                    "project_name": row.project_name,
                    "total_minutes": 0,
                    "daily_breakdown": [],
                }
            task["total_minutes"] += minutes
            task["daily_breakdown"].append({"date": row.day, "total_minutes": minutes})
    totals = [
        {
            "task_id": row.task_id,
            "task_title": row.task_title,
            "project_id": row.project_id,
            "project_name": row.project_name,
            "total_minutes": minutes,
        }
        for row in (await session.execute(task_queries.task_totals_statement(reach, days, filters, user_ids))).all()
        if (minutes := billing.minutes(row.seconds)) > 0
    ]
    users = [
        {
            "user_id": m.user_id,
            "user_name": m.name,
            "total_minutes": sum(t["total_minutes"] for t in tasks.get(m.user_id, {}).values()),
            "tasks": list(tasks.get(m.user_id, {}).values()),
        }
        for m in members
    ]
    report = TaskReport.model_validate(
        {"start_date": period.start_date, "end_date": period.end_date, "tasks_breakdown": totals, "users": users}
    )
    return report, meta


# --- activity descriptions ------------------------------------------------------------------------


async def activity_descriptions(
    session: AsyncSession,
    principal: Principal,
    *,
    period: DateRange,
    user_ids: Sequence[int] | None,
    page: PageParams,
) -> tuple[ActivityDescriptionsReport, Pagination]:
    reach = reach_for(principal)
    _, days = await days_for(session, principal, period.start_date, period.end_date)
    members, meta = await member_page(session, reach, days, page, user_ids)
    per_user: dict[int, list[DescriptionTotal]] = defaultdict(list)
    if members:
        statement = task_queries.descriptions_statement(reach, days, [m.user_id for m in members])
        for row in (await session.execute(statement)).all():
            minutes = billing.minutes(row.seconds)
            if minutes:
                per_user[row.user_id].append(
                    DescriptionTotal(activity_description=row.activity_description, total_minutes=minutes)
                )
    users = [
        DescriptionUser(
            user_id=m.user_id,
            user_name=m.name,
            total_minutes=sum(d.total_minutes for d in per_user.get(m.user_id, [])),
            descriptions=per_user.get(m.user_id, []),
        )
        for m in members
    ]
    return (
        ActivityDescriptionsReport(start_date=period.start_date, end_date=period.end_date, users=users),
        meta,
    )
