"""Time entries, activity slots, leave and holidays straight into the database (for report tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from tests.factories.workspace import Member, WorkspaceFixture
from worktally.core import billing
from worktally.db.models import ActivitySlot, Holiday, LeavePolicy, LeaveRequest, Membership, TimeEntry, Workspace


async def make_entry(
    ws: WorkspaceFixture,
    member: Member,
    started_at: datetime,
    ended_at: datetime,
    *,
    project_id: int | None = None,
    contract_id: int | None = None,
    task_id: int | None = None,
    description: str | None = None,
    method: str = "Desktop tracker",
) -> str:
    async with ws.tenants.sessionmaker() as session, session.begin():
        entry = TimeEntry(
            workspace_id=ws.id,
            user_id=member.user_id,
            project_id=project_id,
            contract_id=contract_id,
            task_id=task_id,
            activity_description=description,
            method=method,
            started_at=started_at,
            ended_at=ended_at,
            duration_minutes=billing.interval_minutes(started_at, ended_at),
        )
        session.add(entry)
        await session.flush()
        return entry.id


async def make_slots(ws: WorkspaceFixture, member: Member, first_slot: datetime, levels: list[int]) -> None:
    """Consecutive 10-minute activity slots from ``first_slot`` (D15)."""
    async with ws.tenants.sessionmaker() as session, session.begin():
        for index, level in enumerate(levels):
            session.add(
                ActivitySlot(
                    workspace_id=ws.id,
                    user_id=member.user_id,
                    slot_start=first_slot + timedelta(minutes=10 * index),
                    activity_level=level,
                )
            )


async def make_leave(
    ws: WorkspaceFixture,
    member: Member,
    start_date: date,
    end_date: date | None = None,
    *,
    policy_name: str = "Vacation",
    status: str = "approved",
    leave_period: int = 0,
) -> str:
    async with ws.tenants.sessionmaker() as session, session.begin():
        policy = LeavePolicy(workspace_id=ws.id, name=policy_name, unit="days")
        session.add(policy)
        await session.flush()
        leave = LeaveRequest(
            workspace_id=ws.id,
            user_id=member.user_id,
            policy_id=policy.id,
            start_date=start_date,
            end_date=end_date or start_date,
            leave_period=leave_period,
            status=status,
            is_paid=True,
            days=Decimal("1"),
            hours=Decimal("8"),
        )
        session.add(leave)
        await session.flush()
        return leave.id


async def make_holiday(ws: WorkspaceFixture, day: date, name: str = "Holiday") -> None:
    async with ws.tenants.sessionmaker() as session, session.begin():
        session.add(Holiday(workspace_id=ws.id, holiday_date=day, name=name))


async def set_member(ws: WorkspaceFixture, member: Member, **values: object) -> None:
    """Change a membership's columns (``timezone``, ``rate``, ``currency``, ``title`` ...)."""
    async with ws.tenants.sessionmaker() as session, session.begin():
        await session.execute(
            update(Membership)
            .where(Membership.workspace_id == ws.id, Membership.user_id == member.user_id)
            .values(**values)
        )


async def set_workspace(ws: WorkspaceFixture, **values: object) -> None:
    """Change workspace settings (``workday_start_time``, ``expected_daily_minutes`` ...)."""
    async with ws.tenants.sessionmaker() as session, session.begin():
        await session.execute(update(Workspace).where(Workspace.id == ws.id).values(**values))
