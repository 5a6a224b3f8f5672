"""Leave requests, approvals and balances (D10); policies are ``policy_service.py``'s.

Balances: ``GET /leaves/balances`` reports the allowance less *approved* use (D10). A new request is
checked against the allowance less approved *and pending* use of each calendar year it touches, so
that several pending requests cannot together promise more than the allowance; approving a request
that passed that check does not check again (the approver decides).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate, paginate_scalars
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from worktally.core.timezones import day_bounds, hhmm_minutes, local_minute_to_utc, parse_weekend_days
from worktally.db.models import LeavePolicy, LeaveRequest, LeaveRequestDay
from worktally.leave import repository, rules
from worktally.leave.schemas import (
    LeaveBalanceItem,
    LeaveBalanceRead,
    LeaveCreate,
    LeaveFilters,
    LeaveRead,
    LeaveTotal,
)
from worktally.time_entry import service as time_entries
from worktally.time_entry.repository import lock_member_time
from worktally.time_entry.rules import Interval
from worktally.time_entry.targets import Target, find_member
from worktally.timesheet import repository as timesheet_repository
from worktally.timesheet.service import TimesheetApprovedError
from worktally.webhook.events import record_event

PAID_LEAVE_METHOD = "Paid leave"
_MAX_PUBLIC_ID = 36


# --- requests ------------------------------------------------------------------------------------


async def _reads(session: AsyncSession, requests: Sequence[LeaveRequest]) -> list[LeaveRead]:
    names = await repository.user_names(session, {r.user_id for r in requests})
    policies = await repository.policy_names(session, {r.policy_id for r in requests})
    return [
        LeaveRead(
            id=r.id,
            user_id=r.user_id,
            user_name=names.get(r.user_id, ""),
            status="approved" if r.status == "approved" else "rejected" if r.status == "rejected" else "pending",
            note=r.reason,
            is_paid="yes" if r.is_paid else "no",
            created_by=r.created_by,
            approved_by=r.approved_by,
            rejected_by=r.rejected_by,
            reject_reason=r.reject_reason,
            start_date=r.start_date,
            end_date=r.end_date,
            created_on=r.created_at,
            total=LeaveTotal(days=r.days, hours=r.hours),
            policy_id=r.policy_id,
            policy_name=policies[r.policy_id][0],
            unit="hours" if policies[r.policy_id][1] == rules.HOURS else "days",
            leave_period=r.leave_period,
            start_time=r.start_time,
            end_time=r.end_time,
            approved_at=r.approved_at,
            rejected_at=r.rejected_at,
        )
        for r in requests
    ]


def _only_own(principal: Principal, read_all: P, user_id: int | None) -> int | None:
    """None when the caller reads everyone; else their own id (asking for someone else is 403, D6)."""
    if principal.can(read_all):
        return None
    if user_id is not None and user_id != principal.user_id:
        raise ForbiddenError("You may only read your own leave.", code="leave_forbidden")
    return principal.user_id


def _check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationError({"date_to": ["The date_to must be a date after or equal to date_from."]})


async def list_leaves(
    session: AsyncSession, principal: Principal, filters: LeaveFilters, page: PageParams
) -> tuple[list[LeaveRead], Pagination]:
    _check_range(filters.date_from, filters.date_to)
    only_user = _only_own(principal, P.LEAVES_READ_ALL, filters.user_id)
    statement = repository.requests(principal.workspace_id, filters, only_user)
    requests, meta = await paginate_scalars(session, statement, page)
    return await _reads(session, requests), meta


async def request_leave(session: AsyncSession, principal: Principal, body: LeaveCreate) -> LeaveRead:
    """Create a pending request after checking it against its policy, the member's other leave and balance."""
    user_id = body.user_id if body.user_id is not None else principal.user_id
    if user_id != principal.user_id and not principal.can(P.LEAVES_WRITE_ALL):
        raise ForbiddenError("You may only request leave for yourself.", code="leave_forbidden")
    if not await repository.takes_leave(session, principal.workspace_id, user_id):
        raise ValidationError({"user_id": ["The selected user_id is not a member of this workspace."]})
    policy = await repository.get_policy(session, principal.workspace_id, body.policy_id)
    if policy is None:
        raise ValidationError({"policy_id": ["The selected policy_id is invalid."]})
    if not await repository.policy_applies(session, policy, user_id):
        raise ValidationError({"policy_id": ["This leave policy does not apply to the member."]})
    for field, day in (("start", body.start), ("end", body.end)):
        if not rules.EARLIEST <= day <= rules.LATEST:
            raise ValidationError({field: [f"The {field} must be between {rules.EARLIEST} and {rules.LATEST}."]})
    if body.end < body.start:
        raise ValidationError({"end": ["The end must be a date after or equal to start."]})
    if (body.end - body.start).days >= rules.MAX_SPAN_DAYS:
        raise ValidationError({"end": [f"A leave request may span at most {rules.MAX_SPAN_DAYS} days."]})
    reason = body.reason.strip() if body.reason else None
    if policy.reason_required and not reason:
        raise ValidationError({"reason": ["The reason is required by this leave policy."]})

    shape = rules.shape_of(
        unit=policy.unit,
        policy_hours_per_day=policy.hours_per_day,
        leave_period=body.leave_period,
        start_time=body.start_time,
        end_time=body.end_time,
        hours_per_day=body.hours_per_day,
    )
    workspace = await repository.get_workspace(session, principal.workspace_id)
    days = rules.working_days(
        body.start,
        body.end,
        parse_weekend_days(workspace.weekend_days),
        await repository.holidays(session, principal.workspace_id, body.start, body.end),
    )
    if not days:
        raise ValidationError({"start": ["The leave covers no working days."]})

    await repository.lock_member(session, principal.workspace_id, user_id)
    is_days = policy.unit == rules.DAYS
    leave_period = body.leave_period  # D10: a half day of either unit, on every working day of the range
    start_time = None if is_days else body.start_time
    end_time = None if is_days else body.end_time
    await _check_overlap(
        session, principal.workspace_id, user_id, days, policy.unit, leave_period, start_time, end_time
    )
    if not policy.allow_negative_balance:
        await _check_balance(session, principal.workspace_id, user_id, policy, days, shape)

    request = await store_request(
        session,
        workspace_id=principal.workspace_id,
        user_id=user_id,
        policy=policy,
        start=body.start,
        end=body.end,
        days=days,
        shape=shape,
        leave_period=leave_period,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        created_by=principal.user_id,
    )
    read = (await _reads(session, [request]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave.requested", data=read)
    return read


async def store_request(
    session: AsyncSession,
    *,
    workspace_id: int,
    user_id: int,
    policy: LeavePolicy,
    start: date,
    end: date,
    days: list[date],
    shape: rules.LeaveShape,
    leave_period: int,
    start_time: str | None,
    end_time: str | None,
    reason: str | None,
    created_by: int,
) -> LeaveRequest:
    """A pending request and its days, already checked against the rules."""
    request = LeaveRequest(
        workspace_id=workspace_id,
        user_id=user_id,
        policy_id=policy.id,
        start_date=start,
        end_date=end,
        start_time=start_time,
        end_time=end_time,
        hours_per_day=None if policy.unit == rules.DAYS else shape.hours,
        leave_period=leave_period,
        reason=reason,
        status="pending",
        is_paid=policy.is_paid,
        days=shape.days * len(days),
        hours=shape.hours * len(days),
        created_by=created_by,
    )
    session.add(request)
    await session.flush()
    session.add_all(
        LeaveRequestDay(
            request_id=request.id,
            leave_date=day,
            workspace_id=workspace_id,
            user_id=user_id,
            days=shape.days,
            hours=shape.hours,
        )
        for day in days
    )
    await session.flush()
    return request


async def _check_overlap(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    days: list[date],
    unit: str,
    leave_period: int,
    start_time: str | None,
    end_time: str | None,
) -> None:
    claim = rules.claim_of(unit, leave_period, start_time, end_time)
    others = await repository.live_requests_on(session, workspace_id, user_id, days)
    units = await repository.policy_names(session, {o.policy_id for o in others})
    for other in others:
        other_claim = rules.claim_of(units[other.policy_id][1], other.leave_period, other.start_time, other.end_time)
        if rules.claims_overlap(claim, other_claim):
            raise ConflictError(
                f"The member already has leave from {other.start_date} to {other.end_date} that overlaps this request.",
                code="leave_overlap",
            )


async def _check_balance(
    session: AsyncSession,
    workspace_id: int,
    user_id: int,
    policy: LeavePolicy,
    days: list[date],
    shape: rules.LeaveShape,
) -> None:
    requested = rules.use_by_year(policy.unit, days, shape)
    used = await repository.use_by_year(session, workspace_id, user_id, policy.id, requested.keys(), policy.unit)
    year = rules.first_year_short(policy.allowance, used, requested)
    if year is not None:
        left = policy.allowance - used.get(year, Decimal(0))
        raise ValidationError(
            {
                "policy_id": [
                    f"The request exceeds the {policy.name} balance for {year}: "
                    f"{rules.balance_text(left, policy.unit)} left, {rules.balance_text(requested[year], policy.unit)} requested."
                ]
            }
        )


async def _pending_or_error(session: AsyncSession, principal: Principal, request_id: str) -> LeaveRequest:
    request = None
    if len(request_id) <= _MAX_PUBLIC_ID and "\x00" not in request_id:
        request = await repository.get_request(session, principal.workspace_id, request_id)
    if request is None:
        raise NotFoundError("Leave request not found.", code="leave_request_not_found")
    if request.status != "pending":
        raise ConflictError(f"The leave request is already {request.status}.", code="leave_not_pending")
    return request


async def approve_leave(session: AsyncSession, principal: Principal, request_id: str) -> LeaveRead:
    request = await _pending_or_error(session, principal, request_id)
    if request.is_paid and await timesheet_repository.any_approved_between(
        session, principal.workspace_id, request.user_id, request.start_date, request.end_date
    ):
        # D10: paid leave becomes time, and time inside an approved timesheet cannot change.
        raise TimesheetApprovedError()
    now = utc_now()
    request.status = "approved"
    request.approved_by = principal.user_id
    request.approved_at = now
    request.updated_at = now
    if request.is_paid:
        await record_paid_leave(session, workspace_id=principal.workspace_id, request=request, by=principal.user_id)
    await session.flush()
    read = (await _reads(session, [request]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave.approved", data=read)
    return read


async def reject_leave(session: AsyncSession, principal: Principal, request_id: str, reason: str | None) -> LeaveRead:
    request = await _pending_or_error(session, principal, request_id)
    now = utc_now()
    request.status = "rejected"
    request.rejected_by = principal.user_id
    request.rejected_at = now
    request.reject_reason = reason.strip() if reason and reason.strip() else None
    request.updated_at = now
    await session.flush()
    read = (await _reads(session, [request]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave.rejected", data=read)
    return read


async def record_paid_leave(session: AsyncSession, *, workspace_id: int, request: LeaveRequest, by: int) -> None:
    """Approved paid leave shows in the member's time: ``Paid leave`` entries placed by ``rules.place`` into the
    member's free time, and saved through the one time-saving path (``time_entry.service.save_interval``: the
    member's time lock, the approved-timesheet guard, timesheet upkeep, ``time_entry.created`` events)."""
    member = await find_member(session, workspace_id, request.user_id)
    if member is None:
        return
    # Taken before the free time is read, so no other write of the member's time lands in between (D9).
    await lock_member_time(session, workspace_id, request.user_id)
    workspace = await repository.get_workspace(session, workspace_id)
    workday_start = hhmm_minutes(workspace.workday_start_time) or 9 * 60
    unit = (await repository.policy_names(session, [request.policy_id]))[request.policy_id][1]
    for day in await repository.days_of(session, request.id):
        next_midnight = day_bounds(day.leave_date, member.tz)[1]
        start_minute = rules.entry_start(unit, request.leave_period, request.start_time, day.hours, workday_start)
        start = local_minute_to_utc(day.leave_date, start_minute, member.tz)
        busy = await repository.busy_intervals(session, workspace_id, request.user_id, start, next_midnight)
        for piece_start, piece_end in rules.place(start, rules.minutes_of(day.hours), busy, next_midnight):
            await time_entries.save_interval(
                session,
                workspace_id=workspace_id,
                member=member,
                target=Target(),
                interval=Interval(piece_start, piece_end),
                method=PAID_LEAVE_METHOD,
                activity_description=None,
                created_by=by,
                leave_request_id=request.id,
            )


# --- balances ------------------------------------------------------------------------------------


async def balances(
    session: AsyncSession,
    principal: Principal,
    *,
    user_id: int | None,
    date_from: date,
    date_to: date,
    page: PageParams,
) -> tuple[list[LeaveBalanceRead], Pagination]:
    """Per member and policy: the yearly allowance for each calendar year the range touches, less approved use in it."""
    _check_range(date_from, date_to)
    only_user = _only_own(principal, P.LEAVES_READ_ALL, user_id)
    rows, meta = await paginate(session, repository.leave_takers(principal.workspace_id, only_user or user_id), page)
    user_ids = [row[0] for row in rows]
    policies = await repository.policies_for_users(session, principal.workspace_id, user_ids)
    used = await repository.approved_use(session, principal.workspace_id, user_ids, date_from, date_to)
    years = rules.years_touched(date_from, date_to)
    items: list[LeaveBalanceRead] = []
    for uid, firstname, lastname in rows:
        information: list[LeaveBalanceItem] = []
        for policy in policies.get(uid, []):
            days_used, hours_used = used.get((uid, policy.id), (Decimal(0), Decimal(0)))
            used_in_unit = rules.in_unit(policy.unit, days_used, hours_used)
            allowance = policy.allowance * years
            left = allowance - used_in_unit
            information.append(
                LeaveBalanceItem(
                    leave_type=policy.name,
                    balance=rules.balance_text(left, policy.unit),
                    policy_id=policy.id,
                    unit="hours" if policy.unit == rules.HOURS else "days",
                    allowance=rules.quantize(allowance),
                    used=rules.quantize(used_in_unit),
                    balance_value=rules.quantize(left),
                )
            )
        units = {item.unit for item in information}
        total = None
        if len(units) == 1:
            total = rules.balance_text(sum((i.balance_value for i in information), Decimal(0)), units.pop())
        items.append(
            LeaveBalanceRead(
                user_id=uid,
                user_name=f"{firstname} {lastname}".strip(),
                leave_information=information,
                total_balance=total,
            )
        )
    return items, meta
