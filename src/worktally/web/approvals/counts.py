"""What waits for an approver (D10), counted through the services' own lists: the navigation's numbers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.leave import service as leaves
from worktally.leave.schemas import LeaveFilters
from worktally.time_entry.rules import FIRST_DAY, LAST_DAY
from worktally.time_request import service as time_requests
from worktally.timesheet import service as timesheets

APPROVE = (P.TIMESHEETS_APPROVE, P.TIME_REQUESTS_APPROVE, P.LEAVES_APPROVE)
_ONE = PageParams(1, 1)


async def pending_counts(session: AsyncSession, principal: Principal) -> dict[str, int]:
    """``{"timesheets": n, "time_requests": n, "leaves": n}`` for the kinds the role approves."""
    counts: dict[str, int] = {}
    if principal.can(P.TIMESHEETS_APPROVE):
        _, meta = await timesheets.list_timesheets(
            session,
            principal,
            status="submitted",
            date_from=None,
            date_to=None,
            user_id=None,
            timesheet_id=None,
            descending=False,
            page=_ONE,
        )
        counts["timesheets"] = meta.total
    if principal.can(P.TIME_REQUESTS_APPROVE):
        _, meta = await time_requests.list_requests(
            session,
            principal,
            date_from=FIRST_DAY,
            date_to=LAST_DAY,
            status="pending",
            user_id=None,
            project_id=None,
            request_id=None,
            page=_ONE,
        )
        counts["time_requests"] = meta.total
    if principal.can(P.LEAVES_APPROVE):
        _, meta = await leaves.list_leaves(session, principal, LeaveFilters(status="pending"), _ONE)
        counts["leaves"] = meta.total
    return counts
