"""What waits for an approver (D10), counted through the services' own lists: the navigation's numbers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.leave import service as leaves
from worktally.leave.schemas import LeaveFilters, LeaveRead
from worktally.time_entry.rules import FIRST_DAY, LAST_DAY
from worktally.time_request import service as time_requests
from worktally.time_request.schemas import TimeRequestRead
from worktally.timesheet import service as timesheets
from worktally.timesheet.schemas import TimesheetRead

APPROVE = (P.TIMESHEETS_APPROVE, P.TIME_REQUESTS_APPROVE, P.LEAVES_APPROVE)
_ONE = PageParams(1, 1)


async def waiting_timesheets(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[TimesheetRead], Pagination]:
    """The submitted timesheets the role may approve, oldest period first."""
    return await timesheets.list_timesheets(
        session,
        principal,
        status="submitted",
        date_from=None,
        date_to=None,
        user_id=None,
        timesheet_id=None,
        descending=False,
        page=page,
    )


async def waiting_time_requests(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[TimeRequestRead], Pagination]:
    """The pending time requests the role may approve, of any day."""
    return await time_requests.list_requests(
        session,
        principal,
        date_from=FIRST_DAY,
        date_to=LAST_DAY,
        status="pending",
        user_id=None,
        project_id=None,
        request_id=None,
        page=page,
    )


async def waiting_leaves(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[LeaveRead], Pagination]:
    """The pending leave requests the role may approve."""
    return await leaves.list_leaves(session, principal, LeaveFilters(status="pending"), page)


async def pending_counts(session: AsyncSession, principal: Principal) -> dict[str, int]:
    """``{"timesheets": n, "time_requests": n, "leaves": n}`` for the kinds the role approves."""
    counts: dict[str, int] = {}
    if principal.can(P.TIMESHEETS_APPROVE):
        counts["timesheets"] = (await waiting_timesheets(session, principal, _ONE))[1].total
    if principal.can(P.TIME_REQUESTS_APPROVE):
        counts["time_requests"] = (await waiting_time_requests(session, principal, _ONE))[1].total
    if principal.can(P.LEAVES_APPROVE):
        counts["leaves"] = (await waiting_leaves(session, principal, _ONE))[1].total
    return counts
