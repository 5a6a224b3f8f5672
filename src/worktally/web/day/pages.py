"""Today (``/``): the timer (D9: the server's clock starts and stops it), the day's entries with edit, delete
and continue where the role may, time added by hand (an entry, or a time request as the role and the
workspace's auto-approval say, D10), and the day's and week's totals."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError, ForbiddenError, NotFoundError
from worktally.core.timezones import week_start
from worktally.time_entry import service as time_entries
from worktally.time_entry.rules import format_minutes
from worktally.time_entry.schemas import TimeEntryCreate, TimeEntryRead, TimeEntryUpdate
from worktally.time_request import service as time_requests
from worktally.tracking import service as tracking
from worktally.tracking.schemas import TrackerStart, TrackerStop
from worktally.web.day import work
from worktally.web.layout import (
    Frame,
    WebRoute,
    error_status,
    flash,
    form_errors,
    hhmm,
    member_frame,
    need,
    page,
    posted,
)
from worktally.web.pages import Form, redirect, safe_next

router = APIRouter(route_class=WebRoute)

# The time request's fields, shown on the form's own fields (D10: start/end are the API's names).
_REQUEST_FIELDS = {"start": "start_time", "end": "end_time", "activity_description": "notes", "contract_id": "target"}
_ENTRY_FIELDS = {"contract_id": "target", "task_id": "target", "project_id": "target"}
_TIMER_FIELDS = {"contract_id": "timer_target", "task_id": "timer_target", "activity_description": "timer_text"}


def _day_of(raw: str | None, frame: Frame) -> date:
    if not raw:
        return frame.today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise NotFoundError("There is no such day.") from None


def _day_url(day: date, frame: Frame) -> str:
    return "/" if day == frame.today else f"/?date={day.isoformat()}"


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    day: date,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    failed: str = "",
) -> Response:
    principal = frame.principal
    entries = await work.day_entries(session, principal, day)
    entries.sort(key=lambda e: (e.start_time, e.id), reverse=True)
    sheet = await work.week_sheet(session, principal, week_start(day))
    tracker = frame.tracker
    running_minutes = 0
    if tracker is not None and tracker.is_tracking and tracker.started_at is not None:
        running_minutes = max(0, int((frame.now - tracker.started_at).total_seconds()) // 60)
    day_minutes = sum(e.duration_minutes for e in entries)
    if day == frame.today:
        day_minutes += running_minutes
    week_minutes = (sheet.total_minutes if sheet else 0) + (
        running_minutes if week_start(day) == week_start(frame.today) else 0
    )
    defaults = {
        "timer_target": work.choice_value(tracker.contract_id, tracker.task_id)
        if tracker and tracker.is_tracking
        else "",
        "timer_text": "",
        "target": "",
        "date": day.isoformat(),
        "start_time": "",
        "end_time": "",
        "notes": "",
    }
    return page(
        request,
        "day.html",
        frame,
        status_code=status_code,
        area="day",
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        is_today=day == frame.today,
        entries=entries,
        groups=await work.choices(session, principal),
        sheet=sheet,
        locked=work.locked(sheet),
        may_edit=principal.can(P.TIME_ENTRIES_WRITE_ALL),
        adds_entries=principal.can(P.TIME_ENTRIES_WRITE_ALL),
        auto_approve=await work.requests_apply_at_once(session, principal),
        day_minutes=day_minutes,
        week_minutes=week_minutes,
        errors=errors or {},
        values={**defaults, **(values or {})},
        choice_value=work.choice_value,
        failed=failed,
    )


@router.get("/")
async def today_page(request: Request, session: SessionDep, date: str | None = None) -> Response:
    """The member's day: timer, entries, time by hand, totals."""
    frame = await member_frame(request, session)
    need(frame, "day")
    return await _render(request, session, frame, _day_of(date, frame))


async def _failed(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    exc: Exception,
    form: Form,
    aliases: dict[str, str],
    failed: str,
) -> Response:
    """Nothing of a refused change is kept; the form comes back with what was typed and the API's messages."""
    errors = form_errors(exc, aliases)
    await session.rollback()
    day = frame.today
    if form.get("date"):
        with suppress(ValueError):
            day = date.fromisoformat(form.get("date"))
    values = {key: value for key, value in form.items if key != "csrf_token"}
    return await _render(
        request,
        session,
        frame,
        day,
        status_code=error_status(request, exc),
        errors=errors,
        values=values,
        failed=failed,
    )


@router.post("/timer/start")
async def start_timer(request: Request, session: SessionDep) -> Response:
    """Start the tracker now (the server's clock, D9), on a project/task of the member's contracts."""
    frame, form = await posted(request, session)
    need(frame, "day")
    try:
        contract_id, task_id = work.parse_choice(form.get("timer_target"), "timer_target")
        body = TrackerStart(
            contract_id=contract_id, task_id=task_id, activity_description=form.get("timer_text").strip() or None
        )
        await tracking.start(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        return await _failed(request, session, frame, exc, form, _TIMER_FIELDS, "timer")
    return redirect(safe_next(form.get("next")))


async def _stop(request: Request, session: AsyncSession, frame: Frame) -> None:
    stopped = await tracking.stop(session, frame.principal, TrackerStop())
    tracked = int((stopped.stopped_at - stopped.started_at).total_seconds()) // 60
    if stopped.saved_minutes < tracked:
        flash(
            request,
            f"Stopped. Only {format_minutes(stopped.saved_minutes)} of {format_minutes(tracked)} were saved;"
            " the rest overlapped existing time or exceeded the weekly hours limit.",
            "warning",
        )
    else:
        flash(request, f"Stopped: {format_minutes(stopped.saved_minutes)} saved.")


@router.post("/timer/stop")
async def stop_timer(request: Request, session: SessionDep) -> Response:
    """Stop the tracker now; its time becomes an entry (D9 may save less)."""
    frame, form = await posted(request, session)
    need(frame, "day")
    try:
        await _stop(request, session, frame)
    except AppError as exc:
        await session.rollback()
        flash(request, exc.message, "error")
    return redirect(safe_next(form.get("next")))


@router.post("/timer/continue")
async def continue_entry(request: Request, session: SessionDep) -> Response:
    """Start the timer again with an entry's project, task and text (the last entry when none is given)."""
    frame, form = await posted(request, session)
    need(frame, "day")
    target, text = form.get("timer_target"), form.get("timer_text")
    if not form.get("from_entry"):
        last = await work.last_entry(session, frame.principal, frame.today)
        if last is None:
            flash(request, "There is no recent entry to continue.", "warning")
            return redirect(safe_next(form.get("next")))
        target, text = work.choice_value(last.contract_id, last.task_id), last.activity_description or ""
    try:
        if frame.tracker is not None and frame.tracker.is_tracking:
            await _stop(request, session, frame)
        contract_id, task_id = work.parse_choice(target, "timer_target")
        await tracking.start(
            session,
            frame.principal,
            TrackerStart(contract_id=contract_id, task_id=task_id, activity_description=text.strip() or None),
        )
    except (AppError, PydanticValidationError) as exc:
        await session.rollback()
        flash(request, "; ".join(m for ms in form_errors(exc).values() for m in ms), "error")
    return redirect(safe_next(form.get("next")))


def _hand_values(form: Form) -> dict[str, Any]:
    return {
        "date": form.get("date"),
        "start_time": form.get("start_time"),
        "end_time": form.get("end_time"),
        "notes": form.get("notes").strip() or None,
    }


@router.post("/entries")
async def add_time(request: Request, session: SessionDep) -> Response:
    """Add time by hand: an entry where the role may (D9), else a time request (applied when auto-approved, D10)."""
    frame, form = await posted(request, session)
    need(frame, "day")
    principal = frame.principal
    values = _hand_values(form)
    if principal.can(P.TIME_ENTRIES_WRITE_ALL):
        try:
            contract_id, task_id = work.parse_choice(form.get("target"))
            body = TimeEntryCreate(user_id=principal.user_id, contract_id=contract_id, task_id=task_id, **values)
            saved, message = await time_entries.create(session, principal, body)
        except (AppError, PydanticValidationError) as exc:
            return await _failed(request, session, frame, exc, form, _ENTRY_FIELDS, "add")
        flash(request, message, "warning" if saved.is_partial else "success")
        return redirect(_day_url(body.date, frame))
    try:
        request_body, day = work.request_body(form)
        created, _ = await time_requests.create(session, principal, request_body)
    except (AppError, PydanticValidationError) as exc:
        return await _failed(request, session, frame, exc, form, {**_ENTRY_FIELDS, **_REQUEST_FIELDS}, "add")
    if created.status == "approved":
        flash(request, f"Time added: {hhmm(created.start, frame.tz)} to {hhmm(created.end, frame.tz)}.")
    else:
        flash(request, "Time requested: it is added once a manager approves it (see Time requests).")
    return redirect(_day_url(day, frame))


async def _entry(session: AsyncSession, frame: Frame, entry_id: str, day: date) -> TimeEntryRead:
    found = next((e for e in await work.day_entries(session, frame.principal, day) if e.id == entry_id), None)
    if found is None:
        raise NotFoundError("Time entry not found.")
    return found


def _entry_values(entry: TimeEntryRead, frame: Frame) -> dict[str, str]:
    return {
        "target": work.choice_value(entry.contract_id, entry.task_id),
        "date": entry.date.isoformat(),
        "start_time": hhmm(entry.start_time, frame.tz),
        "end_time": hhmm(entry.end_time, frame.tz),
        "notes": entry.activity_description or "",
    }


async def _edit_page(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    entry: TimeEntryRead,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "entry_edit.html",
        frame,
        status_code=status_code,
        area="day",
        entry=entry,
        groups=await work.choices(session, frame.principal),
        errors=errors or {},
        values=values or _entry_values(entry, frame),
    )


@router.get("/entries/{entry_id}/edit")
async def edit_entry_page(request: Request, session: SessionDep, entry_id: str, date: str | None = None) -> Response:
    """The form to change one of the day's entries (Owner/EM, as the API's PUT /time-entries)."""
    frame = await member_frame(request, session)
    _may_edit(frame)
    entry = await _entry(session, frame, entry_id, _day_of(date, frame))
    return await _edit_page(request, session, frame, entry)


def _may_edit(frame: Frame) -> None:
    need(frame, "day")
    if not frame.principal.can(P.TIME_ENTRIES_WRITE_ALL):
        raise ForbiddenError("Your role does not allow changing time entries; send a time request instead.")


@router.post("/entries/{entry_id}")
async def update_entry(request: Request, session: SessionDep, entry_id: str) -> Response:
    """Change an entry; overlapping parts are not saved and the page says how much was (D9)."""
    frame, form = await posted(request, session)
    _may_edit(frame)
    entry = await _entry(session, frame, entry_id, _day_of(form.get("original_date"), frame))
    try:
        contract_id, task_id = work.parse_choice(form.get("target"))
        body = TimeEntryUpdate(contract_id=contract_id, task_id=task_id, **_hand_values(form))
        saved, _message = await time_entries.update(session, frame.principal, entry.id, body)
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc, _ENTRY_FIELDS)
        await session.rollback()
        values = {key: value for key, value in form.items if key != "csrf_token"}
        return await _edit_page(
            request, session, frame, entry, status_code=error_status(request, exc), errors=errors, values=values
        )
    if saved.is_partial:
        flash(
            request,
            f"Only {format_minutes(saved.saved_minutes)} of {format_minutes(saved.requested_minutes)} were saved;"
            " the rest overlapped existing time or exceeded the weekly hours limit.",
            "warning",
        )
    else:
        flash(request, f"Entry saved: {format_minutes(saved.saved_minutes)}.")
    return redirect(_day_url(saved.entries[0].date, frame))


@router.post("/entries/{entry_id}/delete")
async def delete_entry(request: Request, session: SessionDep, entry_id: str) -> Response:
    """Delete an entry (Owner/EM, as the API's DELETE /time-entries)."""
    frame, form = await posted(request, session)
    _may_edit(frame)
    day = _day_of(form.get("date"), frame)
    entry = await _entry(session, frame, entry_id, day)
    try:
        await time_entries.delete(session, frame.principal, entry.id)
    except AppError as exc:
        await session.rollback()
        flash(request, exc.message, "error")
    else:
        flash(request, f"Entry deleted ({format_minutes(entry.duration_minutes)}).")
    return redirect(_day_url(day, frame))
