from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from worktally.api.deps import SessionDep, request_db, require
from worktally.api.envelope import Envelope, meta, ok, paginated
from worktally.api.fields import id_query
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import TIME_READ
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core.errors import ValidationError
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


MAX_RANGE_DAYS = 31
_EXTENSION = {"x-worktally-extension": True}


@router.get("", response_model=Envelope[list[TimeEntryRead]])
async def list_time_entries(
    principal: TimeRead,
    request: Request,
    user_id: Annotated[int, id_query("The member whose time to list.")],
    page: Annotated[PageParams, Depends(page_params(default=20, maximum=50))],
    date: Annotated[
        Day | None,
        Query(description="The day, Y-m-d, in the member's timezone (D9). Required unless date_from and date_to."),
    ] = None,
    date_from: Annotated[
        Day | None,
        Query(
            description=f"*Extension*: the first day of a range (with date_to, instead of date), at most "
            f"{MAX_RANGE_DAYS} days, in the member's timezone.",
            json_schema_extra=_EXTENSION,
        ),
    ] = None,
    date_to: Annotated[
        Day | None,
        Query(description="*Extension*: the last day of the range, inclusive.", json_schema_extra=_EXTENSION),
    ] = None,
    project_id: Annotated[int | None, id_query()] = None,
    task_id: Annotated[int | None, id_query()] = None,
) -> Envelope[list[TimeEntryRead]]:
    """List a member's time entries for one day (or, as an extension, for a range of up to 31 days)."""
    first, last = _days(date, date_from, date_to)
    # request_db(request), not a session: a list that only reads opens no transaction (db/prepared.py).
    items, pagination = await service.list_entries(
        request_db(request),
        principal,
        user_id=user_id,
        first=first,
        last=last,
        project_id=project_id,
        task_id=task_id,
        page=page,
    )
    return paginated(items, pagination, message="Time entries retrieved successfully")


def _days(day: date | None, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days to list: ``date`` alone, or ``date_from``..``date_to`` (both, at most MAX_RANGE_DAYS)."""
    if day is not None:
        if date_from is not None or date_to is not None:
            raise ValidationError({"date": ["Give either date or date_from and date_to, not both."]})
        return day, day
    if date_from is None and date_to is None:
        raise ValidationError({"date": ["Field required."]})
    if date_from is None:
        raise ValidationError({"date_from": ["The date_from is required with date_to."]})
    if date_to is None:
        raise ValidationError({"date_to": ["The date_to is required with date_from."]})
    if date_to < date_from:
        raise ValidationError({"date_to": ["The date_to must be a date after or equal to date_from."]})
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError({"date_to": [f"The range may be at most {MAX_RANGE_DAYS} days."]})
    return date_from, date_to


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
