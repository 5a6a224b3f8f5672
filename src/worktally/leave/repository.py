from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, delete, extract, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.functions import exact_sum_hundredths, from_hundredths
from worktally.db.models import (
    Holiday,
    LeavePolicy,
    LeavePolicyMember,
    LeaveRequest,
    LeaveRequestDay,
    Membership,
    TimeEntry,
    User,
    Workspace,
)
from worktally.db.repository import get_in_workspace
from worktally.leave.schemas import LeaveFilters

LIVE_STATUSES = ("pending", "approved")
# Members who take leave: everyone but project viewers (clients), and not those who left (D12).
_LEAVE_TAKING_STATUSES = ("active", "inactive")


# --- workspace and members -------------------------------------------------------------------------


async def get_workspace(session: AsyncSession, workspace_id: int) -> Workspace:
    return (await session.execute(select(Workspace).where(Workspace.id == workspace_id))).scalar_one()


async def takes_leave(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    """The user is a member who may take leave in the workspace: staff, invited or active (D10, D12)."""
    found = await session.execute(
        select(Membership.id).where(
            Membership.workspace_id == workspace_id,
            Membership.user_id == user_id,
            Membership.status.in_(_LEAVE_TAKING_STATUSES),
            Membership.is_staff,
        )
    )
    return found.first() is not None


async def lock_member(session: AsyncSession, workspace_id: int, user_id: int) -> None:
    """Serialise leave requests of one member (PostgreSQL row lock; SQLite's writer lock already does),
    so that two concurrent requests cannot both pass the overlap and balance checks."""
    await session.execute(
        select(Membership.id)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
        .with_for_update()
    )


async def existing_member_ids(session: AsyncSession, workspace_id: int, user_ids: Collection[int]) -> set[int]:
    if not user_ids:
        return set()
    rows = await session.execute(
        select(Membership.user_id).where(
            Membership.workspace_id == workspace_id,
            Membership.user_id.in_(user_ids),
            Membership.status.in_(_LEAVE_TAKING_STATUSES),
            Membership.is_staff,
        )
    )
    return set(rows.scalars())


def leave_takers(workspace_id: int, user_id: int | None) -> Select[int, str, str]:
    """Members who take leave, by id (for the balances list)."""
    statement = (
        select(User.id, User.firstname, User.lastname)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.workspace_id == workspace_id,
            Membership.status.in_(_LEAVE_TAKING_STATUSES),
            Membership.is_staff,
        )
    )
    if user_id is not None:
        statement = statement.where(User.id == user_id)
    return statement.order_by(User.id)


async def user_names(session: AsyncSession, user_ids: Collection[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.firstname, User.lastname).where(User.id.in_(user_ids)))
    return {uid: f"{first} {last}".strip() for uid, first, last in rows}


async def holidays(session: AsyncSession, workspace_id: int, start: date, end: date) -> set[date]:
    rows = await session.execute(
        select(Holiday.holiday_date).where(
            Holiday.workspace_id == workspace_id, Holiday.holiday_date >= start, Holiday.holiday_date <= end
        )
    )
    return set(rows.scalars())


# --- policies ------------------------------------------------------------------------------------


def _applies_to(user_id: int) -> ColumnElement[bool]:
    return or_(
        LeavePolicy.applies_to_all.is_(True),
        LeavePolicy.id.in_(select(LeavePolicyMember.policy_id).where(LeavePolicyMember.user_id == user_id)),
    )


def policy_ids_applying_to(workspace_id: int, user_id: int) -> Select[int]:
    """The ids of the workspace's policies (deleted ones too) that apply to ``user_id`` (the changes feed, D19)."""
    return select(LeavePolicy.id).where(LeavePolicy.workspace_id == workspace_id, _applies_to(user_id))


def live_policies(workspace_id: int, for_user: int | None) -> Select[LeavePolicy]:
    """Undeleted policies of the workspace, those applying to ``for_user`` when given, by id."""
    statement = select(LeavePolicy).where(LeavePolicy.workspace_id == workspace_id, LeavePolicy.deleted_at.is_(None))
    if for_user is not None:
        statement = statement.where(_applies_to(for_user))
    return statement.order_by(LeavePolicy.id)


async def policies_for_users(
    session: AsyncSession, workspace_id: int, user_ids: Collection[int]
) -> dict[int, list[LeavePolicy]]:
    """For each member, the live policies that apply to them, by id."""
    policies = list((await session.execute(live_policies(workspace_id, None))).scalars())
    members = await member_ids_by_policy(session, [p.id for p in policies if not p.applies_to_all])
    return {uid: [p for p in policies if p.applies_to_all or uid in members.get(p.id, ())] for uid in user_ids}


async def get_policy(session: AsyncSession, workspace_id: int, policy_id: int) -> LeavePolicy | None:
    return await get_in_workspace(session, LeavePolicy, workspace_id, policy_id, live=True)


async def policy_applies(session: AsyncSession, policy: LeavePolicy, user_id: int) -> bool:
    if policy.applies_to_all:
        return True
    found = await session.execute(
        select(LeavePolicyMember.user_id).where(
            LeavePolicyMember.policy_id == policy.id, LeavePolicyMember.user_id == user_id
        )
    )
    return found.first() is not None


async def member_ids_by_policy(session: AsyncSession, policy_ids: Collection[int]) -> dict[int, list[int]]:
    if not policy_ids:
        return {}
    rows = await session.execute(
        select(LeavePolicyMember.policy_id, LeavePolicyMember.user_id)
        .where(LeavePolicyMember.policy_id.in_(policy_ids))
        .order_by(LeavePolicyMember.policy_id, LeavePolicyMember.user_id)
    )
    found: dict[int, list[int]] = {pid: [] for pid in policy_ids}
    for policy_id, user_id in rows:
        found[policy_id].append(user_id)
    return found


async def workspace_member_ids(session: AsyncSession, workspace_id: int) -> set[int]:
    """Everyone of the workspace, whatever their status (who might have read a policy, D19)."""
    rows = await session.execute(select(Membership.user_id).where(Membership.workspace_id == workspace_id))
    return set(rows.scalars())


async def set_policy_members(session: AsyncSession, policy_id: int, user_ids: Collection[int]) -> None:
    await session.execute(delete(LeavePolicyMember).where(LeavePolicyMember.policy_id == policy_id))
    session.add_all(LeavePolicyMember(policy_id=policy_id, user_id=uid) for uid in sorted(set(user_ids)))
    await session.flush()


# --- requests ------------------------------------------------------------------------------------


def requests(workspace_id: int, filters: LeaveFilters, only_user: int | None) -> Select[LeaveRequest]:
    """Leave requests matching ``filters`` (a date range matches requests overlapping it), newest first."""
    statement = select(LeaveRequest).where(LeaveRequest.workspace_id == workspace_id)
    if only_user is not None:
        statement = statement.where(LeaveRequest.user_id == only_user)
    if filters.id is not None:
        statement = statement.where(LeaveRequest.id == filters.id)
    if filters.user_id is not None:
        statement = statement.where(LeaveRequest.user_id == filters.user_id)
    if filters.policy_id is not None:
        statement = statement.where(LeaveRequest.policy_id == filters.policy_id)
    if filters.is_paid is not None:
        statement = statement.where(LeaveRequest.is_paid.is_(filters.is_paid == "yes"))
    if filters.status is not None:
        statement = statement.where(LeaveRequest.status == filters.status)
    if filters.date_from is not None:
        statement = statement.where(LeaveRequest.end_date >= filters.date_from)
    if filters.date_to is not None:
        statement = statement.where(LeaveRequest.start_date <= filters.date_to)
    return statement.order_by(LeaveRequest.start_date.desc(), LeaveRequest.id)


async def get_request(session: AsyncSession, workspace_id: int, request_id: str) -> LeaveRequest | None:
    return await get_in_workspace(session, LeaveRequest, workspace_id, request_id)


async def policy_names(session: AsyncSession, policy_ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """Name and unit of each policy, deleted ones too."""
    if not policy_ids:
        return {}
    rows = await session.execute(
        select(LeavePolicy.id, LeavePolicy.name, LeavePolicy.unit).where(LeavePolicy.id.in_(policy_ids))
    )
    return {pid: (name, unit) for pid, name, unit in rows}


async def live_requests_on(
    session: AsyncSession, workspace_id: int, user_id: int, days: Collection[date]
) -> Sequence[LeaveRequest]:
    """The member's pending and approved requests that cover any of ``days``."""
    if not days:
        return []
    covering = select(LeaveRequestDay.request_id).where(
        LeaveRequestDay.workspace_id == workspace_id,
        LeaveRequestDay.user_id == user_id,
        LeaveRequestDay.leave_date.in_(days),
    )
    statement = (
        select(LeaveRequest)
        .where(LeaveRequest.id.in_(covering), LeaveRequest.status.in_(LIVE_STATUSES))
        .order_by(LeaveRequest.start_date, LeaveRequest.id)
    )
    return (await session.execute(statement)).scalars().all()


async def days_of(session: AsyncSession, request_id: str) -> list[LeaveRequestDay]:
    statement = select(LeaveRequestDay).where(LeaveRequestDay.request_id == request_id)
    return list((await session.execute(statement.order_by(LeaveRequestDay.leave_date))).scalars())


async def use_by_year(
    session: AsyncSession, workspace_id: int, user_id: int, policy_id: int, years: Collection[int], unit: str
) -> dict[int, Decimal]:
    """What the member's pending and approved requests of a policy use in each of ``years``."""
    if not years:
        return {}
    column = LeaveRequestDay.days if unit == "days" else LeaveRequestDay.hours
    year = extract("year", LeaveRequestDay.leave_date)
    rows = await session.execute(
        select(year, exact_sum_hundredths(column))
        .join(LeaveRequest, LeaveRequest.id == LeaveRequestDay.request_id)
        .where(
            LeaveRequestDay.workspace_id == workspace_id,
            LeaveRequestDay.user_id == user_id,
            LeaveRequestDay.leave_date >= date(min(years), 1, 1),
            LeaveRequestDay.leave_date <= date(max(years), 12, 31),
            LeaveRequest.policy_id == policy_id,
            LeaveRequest.status.in_(LIVE_STATUSES),
        )
        .group_by(year)
    )
    return {int(y): from_hundredths(total) for y, total in rows}


async def approved_use(
    session: AsyncSession, workspace_id: int, user_ids: Collection[int], date_from: date, date_to: date
) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """Approved (days, hours) per (member, policy) on days inside the range."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(
            LeaveRequestDay.user_id,
            LeaveRequest.policy_id,
            exact_sum_hundredths(LeaveRequestDay.days),
            exact_sum_hundredths(LeaveRequestDay.hours),
        )
        .join(LeaveRequest, LeaveRequest.id == LeaveRequestDay.request_id)
        .where(
            LeaveRequestDay.workspace_id == workspace_id,
            LeaveRequestDay.user_id.in_(user_ids),
            LeaveRequestDay.leave_date >= date_from,
            LeaveRequestDay.leave_date <= date_to,
            LeaveRequest.status == "approved",
        )
        .group_by(LeaveRequestDay.user_id, LeaveRequest.policy_id)
    )
    return {(uid, pid): (from_hundredths(d), from_hundredths(h)) for uid, pid, d, h in rows}


# --- paid leave time ----------------------------------------------------------------------------


async def busy_intervals(
    session: AsyncSession, workspace_id: int, user_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The member's saved time overlapping ``[start, end)``."""
    rows = await session.execute(
        select(TimeEntry.started_at, TimeEntry.ended_at).where(
            TimeEntry.workspace_id == workspace_id,
            TimeEntry.user_id == user_id,
            TimeEntry.started_at < end,
            TimeEntry.ended_at > start,
        )
    )
    return [(s, e) for s, e in rows]
