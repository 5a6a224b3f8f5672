"""Time entries and the one way time is saved (D9): ``save_interval`` / ``_fit``.

Every path that stores time — manual entries, tracker stops, approved time requests, approved paid
leave (``leave/service.record_paid_leave``) — locks the
member's time, refuses time inside an approved timesheet (D10), cuts away what overlaps the member's
other entries, caps it by the contract's weekly limit, and stores what is left as one or more entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams
from worktally.auth.principal import Principal
from worktally.auth.visibility import sees_user, sees_user_at_once
from worktally.core import timezones
from worktally.core.errors import ForbiddenError, ValidationError
from worktally.core.ids import new_public_id
from worktally.core.updates import given_fields
from worktally.db.models import TimeEntry
from worktally.db.prepared import RequestDb, Row
from worktally.time_entry import repository, rules
from worktally.time_entry.errors import TimeEntryNotFoundError, TimeOverlapError, WeeklyLimitError
from worktally.time_entry.rules import Interval, Window
from worktally.time_entry.schemas import TimeEntryCreate, TimeEntryRead, TimeEntrySaved, TimeEntryUpdate
from worktally.time_entry.targets import (
    MemberInfo,
    Target,
    contract_for_project,
    existing_target,
    find_member,
    member_for_read,
    member_for_write,
    resolve_target,
)
from worktally.timesheet import service as timesheets
from worktally.webhook.events import record_event

MANUAL = "Manually added time"


@dataclass(frozen=True, slots=True)
class Saved:
    entries: list[TimeEntryRead]
    requested_minutes: int

    @property
    def saved_minutes(self) -> int:
        return sum(e.duration_minutes for e in self.entries)

    @property
    def is_partial(self) -> bool:
        return self.saved_minutes < self.requested_minutes

    def as_response(self) -> TimeEntrySaved:
        first = self.entries[0]
        return TimeEntrySaved(
            **first.model_dump(),
            entries=self.entries,
            saved_minutes=self.saved_minutes,
            requested_minutes=self.requested_minutes,
        )


_ENTRY_FIELDS = (
    "id",
    "user_id",
    "contract_id",
    "project_id",
    "task_id",
    "activity_description",
    "method",
    "started_at",
    "ended_at",
    "duration_minutes",
)


def to_read(entry: TimeEntry, member: MemberInfo, project_name: str | None, task_title: str | None) -> TimeEntryRead:
    """A stored entry as the API answers it (the same answer as a listed row's)."""
    values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    return listed_to_read({**values, "project_name": project_name, "task_title": task_title}, member)


async def _fit(
    session: AsyncSession,
    workspace_id: int,
    member: MemberInfo,
    target: Target,
    interval: Interval,
    *,
    exclude_id: str | None = None,
) -> list[Interval]:
    await repository.lock_member_time(session, workspace_id, member.user_id)
    await timesheets.guard_not_approved(session, workspace_id, member, [interval])
    others = await repository.overlapping_spans(
        session, workspace_id, member.user_id, interval.start, interval.end, exclude_id=exclude_id
    )
    free = rules.subtract(interval, [Interval(start, end) for start, end in others])
    if not free:
        raise TimeOverlapError()
    windows: list[Window] = []
    if target.contract_id is not None and target.weekly_hours_limit is not None:
        limit_seconds = target.weekly_hours_limit * 3600
        weeks = rules.week_windows(interval, member.tz)
        used = await repository.booked_seconds(
            session, workspace_id, member.user_id, target.contract_id, weeks, exclude_id=exclude_id
        )
        windows = [
            Window(start, end, limit_seconds - seconds) for (start, end), seconds in zip(weeks, used, strict=True)
        ]
    pieces = rules.cap(free, windows)
    if not pieces:
        raise WeeklyLimitError()
    return pieces


async def save_interval(
    session: AsyncSession,
    *,
    workspace_id: int,
    member: MemberInfo,
    target: Target,
    interval: Interval,
    method: str,
    activity_description: str | None,
    created_by: int,
    time_request_id: str | None = None,
    leave_request_id: str | None = None,
) -> Saved:
    """Store ``interval`` for ``member`` under D9; 409 if nothing of it may be saved."""
    pieces = await _fit(session, workspace_id, member, target, interval)
    stored = [
        {
            "id": new_public_id(),
            "workspace_id": workspace_id,
            "user_id": member.user_id,
            "contract_id": target.contract_id,
            "project_id": target.project_id,
            "task_id": target.task_id,
            "activity_description": activity_description,
            "method": method,
            "started_at": piece.start,
            "ended_at": piece.end,
            "duration_minutes": piece.minutes,
            "time_request_id": time_request_id,
            "leave_request_id": leave_request_id,
            "created_by": created_by,
        }
        for piece in pieces
    ]
    await repository.insert_entries(session, stored)
    await timesheets.ensure_for_intervals(session, workspace_id, member, pieces)
    names = {"project_name": target.project_name, "task_title": target.task_title}
    reads = [listed_to_read({**values, **names}, member) for values in stored]
    for read in reads:
        await record_event(session, workspace_id=workspace_id, type="time_entry.created", data=read)
    return Saved(entries=reads, requested_minutes=interval.minutes)


async def list_entries(
    db: RequestDb,
    principal: Principal,
    *,
    user_id: int,
    first: date,
    last: date,
    project_id: int | None,
    task_id: int | None,
    page: PageParams,
) -> tuple[list[TimeEntryRead], Pagination]:
    """The member's entries that start on the days ``first``..``last`` (their own days, D9), in time order.

    Prepared reads only (``db/prepared.py``): no session, so no transaction, unless the caller's visibility
    needs one to be checked.
    """
    seen = sees_user_at_once(principal, user_id)
    if not (seen if seen is not None else await sees_user(await db.session(), principal, user_id)):
        raise ForbiddenError("You may not read this member's time.", code="role_forbidden")
    member = await member_for_read(db, principal.workspace_id, user_id)
    start, end = timezones.day_bounds(first, member.tz)[0], timezones.day_bounds(last, member.tz)[1]
    rows, meta = await repository.entries_starting_between(
        db, principal.workspace_id, user_id, start, end, page, project_id=project_id, task_id=task_id
    )
    return [listed_to_read(row, member) for row in rows], meta


def listed_to_read(row: Row, member: MemberInfo) -> TimeEntryRead:
    """A row of ``repository.entries_starting_between`` (``_ENTRY_FIELDS`` with the project's name and the
    task's title) as the API answers it: the one place an entry's answer is made."""
    started_at = row["started_at"]
    return TimeEntryRead(
        id=row["id"],
        user_id=row["user_id"],
        contract_id=row["contract_id"],
        project_id=row["project_id"],
        project_name=row["project_name"],
        task_id=row["task_id"],
        task_title=row["task_title"],
        activity_description=row["activity_description"],
        method=row["method"],
        date=timezones.local_date(started_at, member.tz),
        start_time=started_at,
        end_time=row["ended_at"],
        duration_minutes=row["duration_minutes"],
        total_minutes=row["duration_minutes"],
    )


def _span(day: date, start_time: str, end_time: str, member: MemberInfo) -> Interval:
    start_at = timezones.parse_hhmm(start_time)
    end_at = timezones.parse_hhmm(end_time)
    assert start_at is not None and end_at is not None  # validated by the schema
    start, end = timezones.local_span(day, start_at, end_at, member.tz)
    return _interval(start, end)


def _interval(start: datetime, end: datetime) -> Interval:
    if end <= start:
        raise ValidationError({"end_time": ["The end time must be after the start time."]})
    return Interval(start, end)


def partial_warning(saved: Saved) -> str | None:
    """D9: the sentence that says only part of the interval was saved; None when all of it was."""
    if not saved.is_partial:
        return None
    return (
        f"Warning: only {rules.format_minutes(saved.saved_minutes)} of"
        f" {rules.format_minutes(saved.requested_minutes)} were saved; the rest overlapped existing time"
        " or exceeded the weekly hours limit."
    )


def added_message(saved: Saved, member: MemberInfo) -> str:
    message = f"{rules.format_minutes(saved.saved_minutes)} successfully added for {member.full_name}."
    warning = partial_warning(saved)
    return f"{message} {warning}" if warning else message


def updated_message(saved: Saved) -> str:
    """The catalogue's "Time entry updated successfully", with POST's warning when only part was saved."""
    warning = partial_warning(saved)
    return f"Time entry updated successfully. {warning}" if warning else "Time entry updated successfully"


async def create(session: AsyncSession, principal: Principal, body: TimeEntryCreate) -> tuple[Saved, str]:
    member = await member_for_write(session, principal.workspace_id, body.user_id)
    target = await resolve_target(
        session, principal.workspace_id, member.user_id, contract_id=body.contract_id, task_id=body.task_id
    )
    interval = _span(body.date, body.start_time, body.end_time, member)
    saved = await save_interval(
        session,
        workspace_id=principal.workspace_id,
        member=member,
        target=target,
        interval=interval,
        method=MANUAL,
        activity_description=body.notes,
        created_by=principal.user_id,
    )
    return saved, added_message(saved, member)


async def _entry_and_member(session: AsyncSession, principal: Principal, entry_id: str) -> tuple[TimeEntry, MemberInfo]:
    entry = await repository.get(session, principal.workspace_id, entry_id)
    if entry is None:
        raise TimeEntryNotFoundError()
    member = await find_member(session, principal.workspace_id, entry.user_id)
    if member is None:
        raise TimeEntryNotFoundError()
    return entry, member


async def _new_target(session: AsyncSession, principal: Principal, entry: TimeEntry, body: TimeEntryUpdate) -> Target:
    given = body.model_fields_set
    if not given & {"contract_id", "project_id", "task_id"}:
        return await existing_target(session, entry.contract_id, entry.project_id, entry.task_id)
    contract_id = entry.contract_id
    if "contract_id" in given:
        contract_id = body.contract_id
    elif "project_id" in given:
        contract_id = None
        if body.project_id is not None:
            contract_id = await contract_for_project(session, principal.workspace_id, entry.user_id, body.project_id)
            if contract_id is None:
                raise ValidationError({"project_id": ["The member has no contract on the selected project."]})
    task_id = body.task_id if "task_id" in given else (entry.task_id if contract_id == entry.contract_id else None)
    return await resolve_target(
        session, principal.workspace_id, entry.user_id, contract_id=contract_id, task_id=task_id
    )


def _new_interval(entry: TimeEntry, member: MemberInfo, body: TimeEntryUpdate) -> Interval:
    if body.date is None and body.start_time is None and body.end_time is None:
        return Interval(entry.started_at, entry.ended_at)
    day = body.date or timezones.local_date(entry.started_at, member.tz)
    if body.date is None and body.end_time is None:
        start_at = timezones.parse_hhmm(body.start_time or "")
        assert start_at is not None
        return _interval(timezones.local_to_utc(day, start_at, member.tz), entry.ended_at)
    if body.date is None and body.start_time is None:
        end_at = timezones.parse_hhmm(body.end_time or "")
        assert end_at is not None
        start_at = timezones.parse_hhmm(timezones.local_hhmm(entry.started_at, member.tz))
        assert start_at is not None
        return _interval(entry.started_at, timezones.local_span(day, start_at, end_at, member.tz)[1])
    start_text = body.start_time or timezones.local_hhmm(entry.started_at, member.tz)
    end_text = body.end_time or timezones.local_hhmm(entry.ended_at, member.tz)
    return _span(day, start_text, end_text, member)


async def update(
    session: AsyncSession, principal: Principal, entry_id: str, body: TimeEntryUpdate
) -> tuple[Saved, str]:
    given = given_fields(body, "date", "start_time", "end_time")
    entry, member = await _entry_and_member(session, principal, entry_id)
    await repository.lock_member_time(session, principal.workspace_id, member.user_id)
    await timesheets.guard_not_approved(
        session, principal.workspace_id, member, [Interval(entry.started_at, entry.ended_at)]
    )
    target = await _new_target(session, principal, entry, body)
    interval = _new_interval(entry, member, body)
    pieces = await _fit(session, principal.workspace_id, member, target, interval, exclude_id=entry.id)
    first, *rest = pieces
    entry.started_at, entry.ended_at, entry.duration_minutes = first.start, first.end, first.minutes
    entry.contract_id, entry.project_id, entry.task_id = target.contract_id, target.project_id, target.task_id
    if "notes" in given:
        entry.activity_description = body.notes
    extra = [
        TimeEntry(
            workspace_id=entry.workspace_id,
            user_id=entry.user_id,
            contract_id=entry.contract_id,
            project_id=entry.project_id,
            task_id=entry.task_id,
            activity_description=entry.activity_description,
            method=entry.method,
            started_at=piece.start,
            ended_at=piece.end,
            duration_minutes=piece.minutes,
            time_request_id=entry.time_request_id,
            created_by=principal.user_id,
        )
        for piece in rest
    ]
    session.add_all(extra)
    await session.flush()
    await timesheets.ensure_for_intervals(session, principal.workspace_id, member, pieces)
    reads = [to_read(e, member, target.project_name, target.task_title) for e in [entry, *extra]]
    await record_event(session, workspace_id=principal.workspace_id, type="time_entry.updated", data=reads[0])
    for read in reads[1:]:
        await record_event(session, workspace_id=principal.workspace_id, type="time_entry.created", data=read)
    saved = Saved(entries=reads, requested_minutes=interval.minutes)
    return saved, updated_message(saved)


async def delete(session: AsyncSession, principal: Principal, entry_id: str) -> None:
    entry, member = await _entry_and_member(session, principal, entry_id)
    await repository.lock_member_time(session, principal.workspace_id, member.user_id)
    await timesheets.guard_not_approved(
        session, principal.workspace_id, member, [Interval(entry.started_at, entry.ended_at)]
    )
    target = await existing_target(session, entry.contract_id, entry.project_id, entry.task_id)
    read = to_read(entry, member, target.project_name, target.task_title)
    await session.delete(entry)
    await session.flush()
    await record_event(session, workspace_id=principal.workspace_id, type="time_entry.deleted", data=read)
