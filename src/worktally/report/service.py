"""Report use cases: decide the caller's reach (D6), run the queries (``queries.py``, ``day_queries.py``,
``task_queries.py``), shape the result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate, paginate_list
from worktally.auth import visibility
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core import billing
from worktally.core.timezones import parse_weekend_days
from worktally.db.functions import zone
from worktally.db.prepared import fetch_all
from worktally.report import day_queries, queries, rules, tracked
from worktally.report.params import DateRange
from worktally.report.schemas import (
    AttendanceUser,
    DailyAttendanceReport,
    DailyTimelineReport,
    TimelineEntry,
    TimelineUser,
)


def reach_for(principal: Principal) -> queries.Reach:
    """D6: Owner/EM everything; team managers their teams; project managers their projects' time; else own."""
    if principal.can(P.REPORTS_READ_ALL):
        return queries.Reach(principal.workspace_id)
    if principal.can(P.REPORTS_READ_MANAGED):
        return queries.Reach(
            principal.workspace_id,
            user_ids=visibility.user_ids(principal),
            project_ids=visibility.project_ids(principal),
            self_id=principal.user_id,
        )
    return queries.Reach(principal.workspace_id, user_ids=visibility.user_ids(principal), self_id=principal.user_id)


def full_name(firstname: str | None, lastname: str | None) -> str:
    return f"{firstname or ''} {lastname or ''}".strip()


async def days_for(
    session: AsyncSession, principal: Principal, start: date, end: date, user_ids: Sequence[int] | None = None
) -> tuple[Any, queries.Days]:
    """The workspace's settings and the local-day buckets of the timezones of ``user_ids`` (else every member)."""
    info = await queries.workspace_info(session, principal.workspace_id, user_ids)
    dialect = session.get_bind().dialect.name
    return info, queries.Days(info.timezone, start, end, info.timezones, dialect)


def activity_percent(value: Any) -> int | None:
    """An activity percentage, half up."""
    return None if value is None else int(float(value) + 0.5)


@dataclass(frozen=True, slots=True)
class _Member:
    user_id: int
    name: str
    timezone: str


async def member_page(
    session: AsyncSession,
    reach: queries.Reach,
    days: queries.Days,
    page: PageParams,
    user_ids: Sequence[int] | None,
    statuses: Sequence[str] = queries.LISTED_STATUSES,
) -> tuple[list[_Member], Pagination]:
    rows, meta = await paginate(
        session, queries.members_statement(reach, days, user_ids=user_ids, statuses=statuses), page
    )
    return [_Member(r.user_id, full_name(r.firstname, r.lastname), r.timezone) for r in rows], meta


# --- tracked hours --------------------------------------------------------------------------------


async def tracked_hours(
    session: AsyncSession,
    principal: Principal,
    *,
    period: DateRange,
    filters: queries.TrackedFilters,
    currencies: Sequence[str] | None,
) -> tracked.TrackedHours:
    """The grouped rows with their names and rates; ``report/tracked.py`` writes them out as JSON or CSV."""
    reach = reach_for(principal)
    _, days = await days_for(session, principal, period.start_date, period.end_date, filters.user_ids)
    async with queries.hash_aggregation(session):
        rows = await fetch_all(session, queries.tracked_hours_statement(reach, days, filters))
    _, user_ids, project_ids, contract_ids, _ = tracked.columns(rows)
    lookups = await _rate_lookups(session, principal.workspace_id, user_ids, project_ids, contract_ids)
    return tracked.TrackedHours(
        period=period,
        rows=rows,
        lookups=lookups,
        visible={user_id: principal.sees_rates_of(user_id) for user_id in set(user_ids)},
        sees_own_rates=principal.sees_rates_of(principal.user_id),
        currencies=currencies,
    )


async def _rate_lookups(
    session: AsyncSession,
    workspace_id: int,
    row_users: Sequence[Any],
    row_projects: Sequence[Any],
    row_contracts: Sequence[Any],
) -> tracked.Lookups:
    """Names and rates of the members, projects and contracts of the rows (``tracked.columns``): three small
    statements."""
    # contract → (member, project)
    contract_of = dict(zip(row_contracts, zip(row_users, row_projects, strict=True), strict=True))
    contract_of.pop(None, None)
    user_ids = sorted(set(row_users))
    project_ids = sorted(set(row_projects) - {None})
    contract_ids = sorted(contract_of)
    dialect = session.get_bind().dialect.name
    members: dict[int, Any] = {}
    projects: dict[int, Any] = {}
    contracts: dict[int, Any] = {}
    # Rows by position (asyncpg records on PostgreSQL): id first, then the columns the statements name.
    if user_ids:
        statement = queries.member_lookup_statement(workspace_id, user_ids, dialect)
        members = {r[0]: r for r in await fetch_all(session, statement)}
    if project_ids:
        statement = queries.project_lookup_statement(workspace_id, project_ids, dialect)
        projects = {r[0]: r for r in await fetch_all(session, statement)}
    if contract_ids:
        statement = queries.contract_lookup_statement(workspace_id, contract_ids, dialect)
        contracts = {r[0]: r for r in await fetch_all(session, statement)}
    rates: dict[int, tuple[int, str] | None] = {}
    for contract_id in contract_ids:
        contract = contracts.get(contract_id)
        member = members.get(contract_of[contract_id][0])
        project_id = contract_of[contract_id][1]
        project = projects.get(project_id) if project_id is not None else None
        rates[contract_id] = billing.effective_rate_cents(
            billing.RateSources(
                contract_id=contract_id if contract is not None else None,
                is_billable=project[2] if project is not None else None,
                rate_type=contract[1] if contract is not None else None,
                contract_rate=contract[2] if contract is not None else None,
                contract_currency=contract[3] if contract is not None else None,
                member_rate=member[3] if member is not None else None,
                member_currency=member[4] if member is not None else None,
                project_rate=project[3] if project is not None else None,
                project_currency=project[4] if project is not None else None,
            )
        )
    return tracked.Lookups(
        names={uid: full_name(m[1], m[2]) for uid, m in members.items()},
        projects={pid: p[1] for pid, p in projects.items()},
        rates=rates,
    )


# --- daily timeline -------------------------------------------------------------------------------


async def daily_timeline(
    session: AsyncSession, principal: Principal, *, day: date, user_ids: Sequence[int] | None, page: PageParams
) -> tuple[DailyTimelineReport, Pagination]:
    reach = reach_for(principal)
    info, days = await days_for(session, principal, day, day)
    members, meta = await member_page(session, reach, days, page, user_ids)
    entries: dict[int, list[Any]] = defaultdict(list)
    if members:
        statement = day_queries.timeline_statement(reach, days, [m.user_id for m in members])
        for row in (await session.execute(statement)).all():
            entries[row.user_id].append(row)
    owner_zone = zone(info.owner_timezone)
    users: list[TimelineUser] = []
    for member in members:
        items = [
            TimelineEntry(
                id=row.id,
                start_time=row.starts_at.astimezone(owner_zone),
                end_time=row.ends_at.astimezone(owner_zone),
                duration_minutes=billing.minutes(row.seconds),
                project_id=row.project_id,
                project_name=row.project_name,
                task_id=row.task_id,
                task_title=row.task_title,
                activity_description=row.activity_description,
                method=row.method,
                activity_level=activity_percent(row.activity_level),
            )
            for row in entries.get(member.user_id, [])
        ]
        users.append(
            TimelineUser(
                user_id=member.user_id,
                user_name=member.name,
                timezone=member.timezone,
                total_minutes=sum(item.duration_minutes for item in items),
                entries=items,
            )
        )
    return DailyTimelineReport(date=day, users=users), meta


# --- daily attendance -----------------------------------------------------------------------------


async def daily_attendance(
    session: AsyncSession,
    principal: Principal,
    *,
    day: date,
    user_ids: Sequence[int] | None,
    statuses: Sequence[str] | None,
    page: PageParams,
) -> tuple[DailyAttendanceReport, Pagination]:
    """Statuses need every member's day, so the ``status`` filter is applied before paging."""
    reach = reach_for(principal)
    info, days = await days_for(session, principal, day, day)
    settings = rules.AttendanceSettings(
        workday_start_time=info.workday_start_time,
        expected_daily_minutes=info.expected_daily_minutes,
        late_grace_minutes=info.late_grace_minutes,
        weekend_days=parse_weekend_days(info.weekend_days),
    )
    member_rows = (
        await session.execute(queries.members_statement(reach, days, user_ids=user_ids, statuses=("active",)))
    ).all()
    members = [_Member(r.user_id, full_name(r.firstname, r.lastname), r.timezone) for r in member_rows]
    ids = [m.user_id for m in members]
    worked: dict[int, Any] = {}
    gaps: dict[int, list[Any]] = defaultdict(list)
    leaves: dict[int, rules.LeaveOnDay] = {}
    holiday: str | None = None
    if ids:
        worked = {
            r.user_id: r for r in (await session.execute(day_queries.attendance_statement(reach, days, ids))).all()
        }
        for row in (await session.execute(day_queries.breaks_statement(reach, days, ids))).all():
            gaps[row.user_id].append(row)
        for row in (await session.execute(day_queries.leaves_statement(principal.workspace_id, day, ids))).all():
            leaves.setdefault(
                row.user_id, rules.LeaveOnDay(row.policy_name, row.leave_period, row.start_time, row.end_time)
            )
        holiday = (await session.execute(day_queries.holiday_statement(principal.workspace_id, day))).scalar()
    wanted = {rules.STATUS_FILTERS[s] for s in statuses} if statuses else None
    users: list[AttendanceUser] = []
    for member in members:
        tz = zone(member.timezone)
        day_row = worked.get(member.user_id)
        tracked = billing.minutes(day_row.seconds) if day_row is not None else 0
        first_start = day_row.first_start if day_row is not None and tracked else None
        last_end = day_row.last_end if day_row is not None and tracked else None
        result = rules.attendance(
            day,
            tz,
            settings,
            tracked_minutes=tracked,
            first_start=first_start,
            last_end=last_end,
            leave=leaves.get(member.user_id),
            holiday=holiday,
        )
        if wanted is not None and not wanted.intersection(result.statuses):
            continue
        member_gaps = gaps.get(member.user_id, [])
        users.append(
            AttendanceUser(
                user_id=member.user_id,
                user_name=member.name,
                timezone=member.timezone,
                statuses=result.statuses,
                is_working_day=result.is_working_day,
                first_start=first_start.astimezone(tz) if first_start else None,
                last_end=last_end.astimezone(tz) if last_end else None,
                tracked_minutes=tracked,
                expected_minutes=result.expected_minutes,
                late_minutes=result.late_minutes,
                left_early_minutes=result.left_early_minutes,
                break_minutes=sum(billing.interval_minutes(gap.starts_at, gap.ends_at) for gap in member_gaps),
                breaks=[rules.break_label(gap.starts_at, gap.ends_at, tz) for gap in member_gaps],
                leave_policy=leaves[member.user_id].policy_name if member.user_id in leaves else None,
                holiday=holiday,
            )
        )
    page_users, meta = paginate_list(users, page)
    report = DailyAttendanceReport(
        date=day,
        workday_start_time=settings.workday_start_time,
        expected_daily_minutes=settings.expected_daily_minutes,
        late_grace_minutes=settings.late_grace_minutes,
        users=page_users,
    )
    return report, meta
