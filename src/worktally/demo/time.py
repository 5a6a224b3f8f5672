"""Demo time: three weeks (and this week so far) of weekday entries on the demo contracts, some time requests, and timesheets
in every state (approved, submitted, rejected, pending). Deterministic for a given day."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.core.timezones import local_date, local_to_utc, week_start
from worktally.db.models import Contract, Task, TimeEntry, TimeRequest, Timesheet
from worktally.demo import DemoContext
from worktally.time_entry.targets import find_member

WEEKS = 3
_STATES = ("approved", "submitted", "rejected", "pending")


async def seed(session: AsyncSession, context: DemoContext) -> None:
    """Entries for the demo contracts (``context.contract_ids``), then requests and timesheets."""
    if not context.contract_ids:
        return
    rng = random.Random(4)
    contracts = (
        (await session.execute(select(Contract).where(Contract.id.in_(context.contract_ids)).order_by(Contract.id)))
        .scalars()
        .all()
    )
    tasks_by_project: dict[int, list[int]] = defaultdict(list)
    if context.task_ids:
        for task in (
            await session.execute(select(Task).where(Task.id.in_(context.task_ids)).order_by(Task.id))
        ).scalars():
            tasks_by_project[task.project_id].append(task.id)
    by_user: dict[int, list[Contract]] = defaultdict(list)
    for contract in contracts:
        by_user[contract.user_id].append(contract)

    now = utc_now()
    for user_id, user_contracts in sorted(by_user.items()):
        member = await find_member(session, context.workspace_id, user_id)
        if member is None:
            continue
        today = local_date(now, member.tz)
        this_monday = week_start(today)
        first_monday = this_monday - timedelta(weeks=WEEKS)
        # The weeks before this one, and this week's days before today (the web app's Today and week show them).
        for offset in range((today - first_monday).days):
            day = first_monday + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            _seed_day(session, context, rng, day, member.tz, user_contracts, tasks_by_project)
        if today.weekday() < 5:  # today's morning, as far as it has gone
            _seed_day(session, context, rng, today, member.tz, user_contracts, tasks_by_project, until=now)
        for week in range(WEEKS):
            monday = first_monday + timedelta(weeks=week)
            status = _STATES[(week + user_id) % len(_STATES)]
            session.add(_timesheet(context, user_id, monday, status, now))
        _seed_requests(session, context, rng, user_id, this_monday - timedelta(days=3), member.tz, user_contracts[0])
    await session.flush()


def _seed_day(
    session: AsyncSession,
    context: DemoContext,
    rng: random.Random,
    day: date,
    tz: ZoneInfo,
    contracts: list[Contract],
    tasks_by_project: dict[int, list[int]],
    *,
    until: datetime | None = None,
) -> None:
    minute = 8 * 60 + rng.choice((30, 45, 60, 75, 90))
    for contract in contracts:
        length = rng.choice((60, 90, 120, 150, 180, 240))
        tasks: list[int | None] = [*tasks_by_project.get(contract.project_id, [])] or [None]
        start = local_to_utc(day, time(minute // 60, minute % 60), tz)
        if until is not None and start + timedelta(minutes=length) > until:
            break
        session.add(
            TimeEntry(
                workspace_id=context.workspace_id,
                user_id=contract.user_id,
                contract_id=contract.id,
                project_id=contract.project_id,
                task_id=rng.choice(tasks),
                activity_description=rng.choice(("Implementation", "Code review", "Meetings", "Planning", None)),
                method=rng.choice(("Desktop tracker", "Web tracker", "Manually added time")),
                started_at=start,
                ended_at=start + timedelta(minutes=length),
                duration_minutes=length,
                created_by=contract.user_id,
            )
        )
        minute += length + rng.choice((0, 15, 30))
        if minute >= 20 * 60:
            break


def _timesheet(context: DemoContext, user_id: int, monday: date, status: str, now: datetime) -> Timesheet:
    sheet = Timesheet(
        workspace_id=context.workspace_id, user_id=user_id, date_from=monday, date_to=monday + timedelta(days=6)
    )
    sheet.status = status
    if status in ("submitted", "approved", "rejected"):
        sheet.submitted_at = now
    if status == "approved":
        sheet.approved_at, sheet.approved_by = now, context.owner_id
    if status == "rejected":
        sheet.rejected_at, sheet.rejected_by = now, context.owner_id
        sheet.reject_reason = "Please split Monday's time by task."
    sheet.updated_by = context.owner_id if status in ("approved", "rejected") else user_id
    return sheet


def _seed_requests(
    session: AsyncSession,
    context: DemoContext,
    rng: random.Random,
    user_id: int,
    day: date,
    tz: ZoneInfo,
    contract: Contract,
) -> None:
    """An evening request in each state on a day whose daytime already has entries."""
    for index, status in enumerate(("pending", "rejected", "pending")):
        start = local_to_utc(day - timedelta(days=index), time(20, 0), tz)
        session.add(
            TimeRequest(
                workspace_id=context.workspace_id,
                user_id=user_id,
                contract_id=contract.id,
                project_id=contract.project_id,
                started_at=start,
                ended_at=start + timedelta(minutes=rng.choice((30, 60, 90))),
                notes="Forgot to start the tracker",
                status=status,
                comment="Not agreed in advance." if status == "rejected" else None,
                created_by=user_id,
                updated_by=context.owner_id if status == "rejected" else None,
            )
        )
