"""Timesheets (D10): one per member per period, created when a period is listed or time lands in it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.auth.visibility import IdSubquery, user_ids
from worktally.core import billing
from worktally.core.clock import isoformat_z, utc_now
from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError
from worktally.core.timezones import day_bounds, local_date, zone
from worktally.db.models import Timesheet, User
from worktally.time_entry import repository as entries
from worktally.time_entry.repository import lock_member_time
from worktally.time_entry.rules import Interval, day_parts
from worktally.time_entry.targets import MemberInfo, find_member
from worktally.timesheet import repository, rules
from worktally.timesheet.schemas import DailyProjectMinutes, TimesheetMember, TimesheetRead
from worktally.webhook.events import record_event

# Listing creates missing timesheets lazily, but never more than this many at once.
_MAX_LAZY_CREATES = 2000


class TimesheetApprovedError(ConflictError):
    code = "timesheet_approved"
    message = "This time is inside an approved timesheet and cannot be changed."


def _dates_of(intervals: Iterable[Interval], member: MemberInfo) -> tuple[date, date] | None:
    spans = [
        (local_date(i.start, member.tz), local_date(i.end - timedelta(microseconds=1), member.tz)) for i in intervals
    ]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


async def guard_not_approved(
    session: AsyncSession, workspace_id: int, member: MemberInfo, intervals: Iterable[Interval]
) -> None:
    """D10: time inside an approved timesheet cannot be created, changed or deleted (409)."""
    span = _dates_of(intervals, member)
    if span and await repository.any_approved_between(session, workspace_id, member.user_id, *span):
        raise TimesheetApprovedError()


async def ensure_for_intervals(
    session: AsyncSession, workspace_id: int, member: MemberInfo, intervals: Iterable[Interval]
) -> None:
    """Make sure the member has a timesheet for every period the time lands in."""
    span = _dates_of(intervals, member)
    if span is None:
        return
    await _ensure(
        session, workspace_id, [member.user_id], rules.periods_between(*span, member.workspace_timesheet_period)
    )


async def _ensure(
    session: AsyncSession, workspace_id: int, user_id_list: Sequence[int], periods: Sequence[tuple[date, date]]
) -> None:
    if not user_id_list or not periods:
        return
    existing = await repository.existing_starts(session, workspace_id, user_id_list, [p[0] for p in periods])
    missing = [
        (user_id, date_from, date_to)
        for user_id in user_id_list
        for date_from, date_to in periods
        if (user_id, date_from) not in existing
    ]
    for sheet in await repository.insert_missing(session, workspace_id, missing):
        # D19: a timesheet appears in the lists, so in the changes feed
        await record_event(
            session,
            workspace_id=workspace_id,
            type="timesheet.created",
            data={
                "id": sheet.id,
                "user_id": sheet.user_id,
                "date_from": sheet.date_from.isoformat(),
                "date_to": sheet.date_to.isoformat(),
                "status": "pending",
                "created_at": isoformat_z(sheet.created_at),
                "updated_at": isoformat_z(sheet.updated_at),
            },
        )


async def list_timesheets(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    date_from: date | None,
    date_to: date | None,
    user_id: int | None,
    timesheet_id: str | None,
    descending: bool,
    page: PageParams,
) -> tuple[list[TimesheetRead], Pagination]:
    visible = user_ids(principal)
    await _create_listed_periods(
        session, principal, visible=visible, date_from=date_from, date_to=date_to, user_id=user_id
    )
    statement = repository.list_statement(
        principal.workspace_id,
        visible=visible,
        status="pending" if status == "open" else status,
        date_from=date_from,
        date_to=date_to,
        user_id=user_id,
        timesheet_id=timesheet_id,
        descending=descending,
    )
    rows, meta = await paginate(session, statement, page)
    return await _read_many(session, principal, [(r[0], r[1]) for r in rows]), meta


async def _create_listed_periods(
    session: AsyncSession,
    principal: Principal,
    *,
    visible: IdSubquery | None,
    date_from: date | None,
    date_to: date | None,
    user_id: int | None,
) -> None:
    workspace = await find_member(session, principal.workspace_id, principal.user_id)
    kind = workspace.workspace_timesheet_period if workspace else "weekly"
    today = local_date(utc_now(), zone(principal.timezone))
    first = date_from or rules.period_of(today, kind)[0]
    last = date_to or rules.period_of(max(today, first), kind)[1]
    if last < first:
        return
    # Periods that have not begun yet are not created ahead of time.
    last = min(last, rules.period_of(today, kind)[1])
    periods = rules.periods_between(first, last, kind) if first <= last else []
    owners = await repository.time_owner_ids(session, principal.workspace_id, visible)
    if user_id is not None:
        owners = [u for u in owners if u == user_id]
    if len(owners) * len(periods) <= _MAX_LAZY_CREATES:
        await _ensure(session, principal.workspace_id, owners, periods)


async def _read_many(
    session: AsyncSession, principal: Principal, rows: Sequence[tuple[Timesheet, User]]
) -> list[TimesheetRead]:
    if not rows:
        return []
    tz_by_user = {}
    for user_id in {ts.user_id for ts, _ in rows}:
        member = await find_member(session, principal.workspace_id, user_id)
        tz_by_user[user_id] = member.tz if member else zone(principal.timezone)
    start = min(day_bounds(ts.date_from, tz_by_user[ts.user_id])[0] for ts, _ in rows)
    end = max(day_bounds(ts.date_to, tz_by_user[ts.user_id])[1] for ts, _ in rows)
    found = await entries.entries_with_rates(
        session, principal.workspace_id, sorted({ts.user_id for ts, _ in rows}), start, end
    )
    by_user: dict[int, list[Any]] = defaultdict(list)
    for entry in found:
        by_user[entry.user_id].append(entry)
    return [_read(principal, ts, user, by_user[ts.user_id], tz_by_user[ts.user_id]) for ts, user in rows]


def _rate(entry: Any) -> tuple[int, str] | None:
    """The entry's hourly rate in cents and its currency, by the one billing rule (D6)."""
    return billing.effective_rate_cents(
        billing.RateSources(
            contract_id=entry.contract_id if entry.project_id is not None else None,
            is_billable=entry.is_billable,
            rate_type=entry.rate_type,
            contract_rate=entry.contract_rate,
            contract_currency=entry.contract_currency,
            member_rate=entry.member_rate,
            member_currency=entry.member_currency,
            project_rate=entry.project_rate,
            project_currency=entry.project_currency,
        )
    )


def _read(principal: Principal, ts: Timesheet, user: User, found: Sequence[Any], tz: ZoneInfo) -> TimesheetRead:
    show_money = principal.sees_rates_of(ts.user_id)
    minutes: dict[str, dict[tuple[int | None, int | None], list[Any]]] = defaultdict(lambda: defaultdict(list))
    for entry in found:
        # Each entry's part in each of the member's days, as the reports count it (core/billing.py).
        for day, seconds in day_parts(Interval(entry.started_at, entry.ended_at), tz):
            if ts.date_from <= day <= ts.date_to:
                minutes[day.isoformat()][(entry.project_id, entry.contract_id)].append((entry, seconds))
    breakdown: dict[str, list[DailyProjectMinutes]] = {}
    total_minutes = 0
    total_cents: dict[str, int] = {}
    for day_key in sorted(minutes):
        items = []
        for (project_id, contract_id), day_entries in minutes[day_key].items():
            day_minutes = sum(billing.minutes(seconds) for _, seconds in day_entries)
            total_minutes += day_minutes
            # D1: per currency, never added across currencies; priced per day and contract as the reports are.
            day_cents: dict[str, int] = {}
            rate = _rate(day_entries[0][0])  # one project and contract: one rate
            if rate is not None:
                day_cents[rate[1]] = billing.amount_cents(day_minutes, rate[0])
                total_cents[rate[1]] = total_cents.get(rate[1], 0) + day_cents[rate[1]]
            items.append(
                DailyProjectMinutes(
                    project_id=project_id,
                    project_name=day_entries[0][0].project_name,
                    contract_id=contract_id,
                    total_minutes=day_minutes,
                    total_amount=billing.money_by_currency(day_cents) if show_money else None,
                )
            )
        breakdown[day_key] = items
    return TimesheetRead(
        id=ts.id,
        user_id=ts.user_id,
        date_from=ts.date_from,
        date_to=ts.date_to,
        status=ts.status,
        total_hours=round(total_minutes / 60, 2),
        total_minutes=total_minutes,
        total_amount=billing.money_by_currency(total_cents) if show_money else None,
        submitted_on=ts.submitted_at,
        reject_reason=ts.reject_reason,
        member=TimesheetMember(id=user.id, firstname=user.firstname, lastname=user.lastname, email=user.email),
        daily_breakdown=breakdown,
        approved_by=ts.approved_by,
        approved_at=ts.approved_at,
        rejected_by=ts.rejected_by,
        rejected_at=ts.rejected_at,
        updated_by=ts.updated_by,
        created_at=ts.created_at,
        updated_at=ts.updated_at,
    )


async def _visible(session: AsyncSession, principal: Principal, timesheet_id: str) -> tuple[Timesheet, User]:
    statement = repository.list_statement(
        principal.workspace_id,
        visible=user_ids(principal),
        status=None,
        date_from=None,
        date_to=None,
        user_id=None,
        timesheet_id=timesheet_id,
        descending=False,
    ).with_for_update(of=Timesheet)
    row = (await session.execute(statement)).first()
    if row is None:
        raise NotFoundError("Timesheet not found.", code="timesheet_not_found")
    return row[0], row[1]


def _state_error(ts: Timesheet, action: str, allowed: str) -> ConflictError:
    return ConflictError(
        f"Only {allowed} timesheets can be {action}; this one is {ts.status}.", code="timesheet_invalid_state"
    )


async def _finish(
    session: AsyncSession, principal: Principal, ts: Timesheet, user: User, event: str | None
) -> TimesheetRead:
    ts.updated_by = principal.user_id
    ts.updated_at = utc_now()
    await session.flush()
    [read] = await _read_many(session, principal, [(ts, user)])
    if event:
        await record_event(session, workspace_id=principal.workspace_id, type=event, data=read)
    return read


async def submit(session: AsyncSession, principal: Principal, timesheet_id: str) -> TimesheetRead:
    ts, user = await _visible(session, principal, timesheet_id)
    if ts.user_id != principal.user_id and not principal.can(P.TIMESHEETS_SUBMIT_ALL):
        raise ForbiddenError("You may only submit your own timesheets.", code="role_forbidden")
    if ts.status not in ("pending", "rejected"):
        raise _state_error(ts, "submitted", "pending or rejected")
    ts.status = "submitted"
    ts.submitted_at = utc_now()
    return await _finish(session, principal, ts, user, "timesheet.submitted")


async def unsubmit(session: AsyncSession, principal: Principal, timesheet_id: str) -> TimesheetRead:
    ts, user = await _visible(session, principal, timesheet_id)
    if ts.user_id != principal.user_id and not principal.can(P.TIMESHEETS_SUBMIT_ALL):
        raise ForbiddenError("You may only unsubmit your own timesheets.", code="role_forbidden")
    if ts.status != "submitted":
        raise _state_error(ts, "unsubmitted", "submitted")
    ts.status = "pending"
    ts.submitted_at = None
    return await _finish(session, principal, ts, user, "timesheet.unsubmitted")  # D19: a change-only event


async def approve(session: AsyncSession, principal: Principal, timesheet_id: str) -> TimesheetRead:
    ts, user = await _visible(session, principal, timesheet_id)
    # Time writes take the same lock, so no entry slips into the period while it is being approved.
    await lock_member_time(session, principal.workspace_id, ts.user_id)
    if ts.status != "submitted":
        raise _state_error(ts, "approved", "submitted")
    ts.status = "approved"
    ts.approved_at = utc_now()
    ts.approved_by = principal.user_id
    return await _finish(session, principal, ts, user, "timesheet.approved")


async def reject(session: AsyncSession, principal: Principal, timesheet_id: str, reason: str) -> TimesheetRead:
    ts, user = await _visible(session, principal, timesheet_id)
    if ts.status != "submitted":
        raise _state_error(ts, "rejected", "submitted")
    ts.status = "rejected"
    ts.rejected_at = utc_now()
    ts.rejected_by = principal.user_id
    ts.reject_reason = reason
    return await _finish(session, principal, ts, user, "timesheet.rejected")
