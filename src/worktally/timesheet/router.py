from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.fields import Text, id_query
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import TIME_READ
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core.errors import ValidationError
from worktally.time_entry.schemas import Day
from worktally.timesheet import service
from worktally.timesheet.schemas import TimesheetAction, TimesheetRead, TimesheetReject

router = api_router("/timesheets", tags=["Timesheets"])

TimeRead = Annotated[Principal, require(*TIME_READ)]
Submit = Annotated[Principal, require(P.TIMESHEETS_SUBMIT_OWN, P.TIMESHEETS_SUBMIT_ALL)]
Approve = Annotated[Principal, require(P.TIMESHEETS_APPROVE)]


@router.get("", response_model=Envelope[list[TimesheetRead]])
async def list_timesheets(
    principal: TimeRead,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params())],
    status: Annotated[
        Literal["open", "pending", "submitted", "approved", "rejected"] | None,
        Query(description="`open` is the same as `pending` (D10)."),
    ] = None,
    date_from: Annotated[Day | None, Query(description="Timesheets whose period ends on or after this day.")] = None,
    date_to: Annotated[Day | None, Query(description="Timesheets whose period starts on or before this day.")] = None,
    user_id: Annotated[int | None, id_query()] = None,
    id: Annotated[Text | None, Query(max_length=64)] = None,
    order_by: Annotated[Literal["asc", "desc"], Query()] = "asc",
) -> Envelope[list[TimesheetRead]]:
    """List timesheets; the periods listed are created for the members on demand (D10)."""
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"date_to": ["The date_to must be a date after or equal to date_from."]})
    items, pagination = await service.list_timesheets(
        session,
        principal,
        status=status,
        date_from=date_from,
        date_to=date_to,
        user_id=user_id,
        timesheet_id=id,
        descending=order_by == "desc",
        page=page,
    )
    return paginated(items, pagination, message="Timesheets retrieved successfully")


# D10: the four actions answer `data: null` with the catalogue's messages; the timesheet is read with GET.


@router.put("/{timesheet_id}/submit", response_model=Envelope[None])
async def submit_timesheet(
    principal: Submit, session: SessionDep, timesheet_id: str, body: TimesheetAction | None = None
) -> Envelope[None]:
    """Submit a pending or rejected timesheet for approval."""
    await service.submit(session, principal, timesheet_id)
    return ok(None, message="Timesheet submitted successfully")


@router.put("/{timesheet_id}/unsubmit", response_model=Envelope[None])
async def unsubmit_timesheet(
    principal: Submit, session: SessionDep, timesheet_id: str, body: TimesheetAction | None = None
) -> Envelope[None]:
    """Return a submitted timesheet to pending, so its time can be edited and resubmitted."""
    await service.unsubmit(session, principal, timesheet_id)
    return ok(None, message="Timesheet unsubmitted successfully")


@router.put("/{timesheet_id}/approve", response_model=Envelope[None])
async def approve_timesheet(
    principal: Approve, session: SessionDep, timesheet_id: str, body: TimesheetAction | None = None
) -> Envelope[None]:
    """Approve a submitted timesheet; its time can no longer be changed."""
    await service.approve(session, principal, timesheet_id)
    return ok(None, message="Timesheet approved successfully")


@router.put("/{timesheet_id}/reject", response_model=Envelope[None])
async def reject_timesheet(
    principal: Approve, session: SessionDep, timesheet_id: str, body: TimesheetReject
) -> Envelope[None]:
    """Reject a submitted timesheet with a reason shown to the member."""
    await service.reject(session, principal, timesheet_id, body.reason)
    return ok(None, message="Timesheet rejected successfully")
