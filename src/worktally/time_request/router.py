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
from worktally.time_request import service
from worktally.time_request.schemas import TimeRequestAction, TimeRequestCreate, TimeRequestRead, TimeRequestReject

router = api_router("/time-requests", tags=["Time Requests"])

TimeRead = Annotated[Principal, require(*TIME_READ)]
RequestWrite = Annotated[Principal, require(P.TIME_REQUESTS_WRITE_OWN, P.TIME_REQUESTS_WRITE_ALL)]
Approve = Annotated[Principal, require(P.TIME_REQUESTS_APPROVE)]


@router.get("", response_model=Envelope[list[TimeRequestRead]])
async def list_time_requests(
    principal: TimeRead,
    session: SessionDep,
    date_from: Annotated[Day, Query(description="First day (Y-m-d), inclusive.")],
    date_to: Annotated[Day, Query(description="Last day (Y-m-d), inclusive; on or after date_from.")],
    page: Annotated[PageParams, Depends(page_params())],
    status: Literal["pending", "approved", "rejected"] | None = None,
    user_id: Annotated[int | None, id_query()] = None,
    project_id: Annotated[int | None, id_query()] = None,
    id: Annotated[Text | None, Query(max_length=64)] = None,
) -> Envelope[list[TimeRequestRead]]:
    """List time requests that start within a range of days."""
    if date_to < date_from:
        raise ValidationError({"date_to": ["The date_to must be a date after or equal to date_from."]})
    items, pagination = await service.list_requests(
        session,
        principal,
        date_from=date_from,
        date_to=date_to,
        status=status,
        user_id=user_id,
        project_id=project_id,
        request_id=id,
        page=page,
    )
    return paginated(items, pagination, message="Time requests retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[TimeRequestRead])
async def create_time_request(
    principal: RequestWrite, session: SessionDep, body: TimeRequestCreate
) -> Envelope[TimeRequestRead]:
    """Request manual time; applied at once for Owner/EM or when the workspace auto-approves (D10)."""
    read, message = await service.create(session, principal, body)
    return ok(read, message=message)


@router.get("/{time_request_id}", response_model=Envelope[TimeRequestRead])
async def get_time_request(principal: TimeRead, session: SessionDep, time_request_id: str) -> Envelope[TimeRequestRead]:
    """One time request."""
    return ok(await service.get(session, principal, time_request_id), message="Time request retrieved successfully")


@router.post("/{time_request_id}/approve", response_model=Envelope[TimeRequestRead])
async def approve_time_request(
    principal: Approve, session: SessionDep, time_request_id: str, body: TimeRequestAction | None = None
) -> Envelope[TimeRequestRead]:
    """Approve a pending time request; its time is saved under D9."""
    read, message = await service.approve(session, principal, time_request_id)
    return ok(read, message=message)


@router.post("/{time_request_id}/reject", response_model=Envelope[TimeRequestRead])
async def reject_time_request(
    principal: Approve, session: SessionDep, time_request_id: str, body: TimeRequestReject
) -> Envelope[TimeRequestRead]:
    """Reject a pending time request with a comment."""
    read, message = await service.reject(session, principal, time_request_id, body.comment)
    return ok(read, message=message)
