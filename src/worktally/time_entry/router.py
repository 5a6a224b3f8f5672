from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, meta, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import TIME_READ
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.time_entry import service
from worktally.time_entry.schemas import (
    Day,
    TimeEntryCreate,
    TimeEntryRead,
    TimeEntrySavedEnvelope,
    TimeEntryUpdate,
)

router = api_router("/time-entries", tags=["Time Entries"])

TimeRead = Annotated[Principal, require(*TIME_READ)]
TimeEntriesWrite = Annotated[Principal, require(P.TIME_ENTRIES_WRITE_ALL)]
Id = Annotated[int, Query(ge=1, le=2**63 - 1)]


@router.get("", response_model=Envelope[list[TimeEntryRead]])
async def list_time_entries(
    principal: TimeRead,
    session: SessionDep,
    user_id: Annotated[int, Query(ge=1, le=2**63 - 1, description="The member whose day to list.")],
    date: Annotated[Day, Query(description="The day, Y-m-d, in the member's timezone (D9).")],
    page: Annotated[PageParams, Depends(page_params(default=20, maximum=50))],
    project_id: Id | None = None,
    task_id: Id | None = None,
) -> Envelope[list[TimeEntryRead]]:
    """List a member's time entries for one day."""
    items, pagination = await service.list_entries(
        session, principal, user_id=user_id, day=date, project_id=project_id, task_id=task_id, page=page
    )
    return paginated(items, pagination, message="Time entries retrieved successfully")


@router.post("", status_code=201, response_model=TimeEntrySavedEnvelope)
async def create_time_entry(
    principal: TimeEntriesWrite, session: SessionDep, body: TimeEntryCreate
) -> TimeEntrySavedEnvelope:
    """Add time for a member; overlapping parts are not saved (D9)."""
    saved, message = await service.create(session, principal, body)
    return _saved(saved, message)


@router.put("/{time_entry_id}", response_model=TimeEntrySavedEnvelope)
async def update_time_entry(
    principal: TimeEntriesWrite, session: SessionDep, time_entry_id: str, body: TimeEntryUpdate
) -> TimeEntrySavedEnvelope:
    """Change a time entry; if only one of start_time/end_time is given, the other is kept (D9 as for POST)."""
    saved, message = await service.update(session, principal, time_entry_id, body)
    return _saved(saved, message)


@router.delete("/{time_entry_id}", response_model=Envelope[None])
async def delete_time_entry(principal: TimeEntriesWrite, session: SessionDep, time_entry_id: str) -> Envelope[None]:
    """Delete a time entry permanently."""
    await service.delete(session, principal, time_entry_id)
    return ok(None, message="Time entry deleted successfully")


def _saved(saved: service.Saved, message: str) -> TimeEntrySavedEnvelope:
    return TimeEntrySavedEnvelope(
        data=saved.as_response(), message=message, meta=meta(), saved_minutes=saved.saved_minutes
    )
