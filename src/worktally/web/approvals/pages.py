"""Approvals (``/approvals``): one inbox for submitted timesheets, pending time requests and pending leave
(D10), each with what it asks for; approve, reject with a reason the member then sees, or approve several at
once. Every action is the API's service call (same rules, same 409 for what is no longer pending)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError, ForbiddenError, NotFoundError
from worktally.leave import service as leaves
from worktally.leave.schemas import LeaveRead
from worktally.time_request import service as time_requests
from worktally.time_request.schemas import TimeRequestRead, TimeRequestReject
from worktally.timesheet import service as timesheets
from worktally.timesheet.schemas import TimesheetRead, TimesheetReject
from worktally.web.approvals import counts
from worktally.web.day import work
from worktally.web.layout import Frame, WebRoute, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import redirect

router = APIRouter(route_class=WebRoute)

KINDS = {"timesheet": P.TIMESHEETS_APPROVE, "time_request": P.TIME_REQUESTS_APPROVE, "leave": P.LEAVES_APPROVE}
_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class SheetGrid:
    """A submitted timesheet laid out as projects by days (its ``daily_breakdown``)."""

    sheet: TimesheetRead
    days: list[date]
    rows: list[tuple[str, list[int]]]  # project name, minutes per day

    @property
    def day_totals(self) -> list[int]:
        return [sum(r[1][i] for r in self.rows) for i in range(len(self.days))]


def sheet_grid(sheet: TimesheetRead) -> SheetGrid:
    days = sorted(date.fromisoformat(d) for d in sheet.daily_breakdown)
    by_project: dict[str, list[int]] = {}
    for index, day in enumerate(days):
        for line in sheet.daily_breakdown[day.isoformat()]:
            name = line.project_name or "No project"
            by_project.setdefault(name, [0] * len(days))[index] += line.total_minutes
    rows = sorted(by_project.items(), key=lambda r: r[0].lower())
    return SheetGrid(sheet, days, rows)


@dataclass(frozen=True, slots=True)
class LeaveItem:
    leave: LeaveRead
    balance_now: Decimal | None  # what is left of the policy's allowance this year, before this request
    amount: Decimal

    @property
    def balance_after(self) -> Decimal | None:
        return None if self.balance_now is None else self.balance_now - self.amount


def _amount(leave: LeaveRead) -> Decimal:
    return Decimal(str(leave.total.hours if leave.unit == "hours" else leave.total.days))


async def _leave_item(session: AsyncSession, frame: Frame, leave: LeaveRead) -> LeaveItem:
    year = leave.start_date.year
    found, _ = await leaves.balances(
        session,
        frame.principal,
        user_id=leave.user_id,
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
        page=PageParams(1, 1),
    )
    now = None
    for balance in found:
        for item in balance.leave_information:
            if item.policy_id == leave.policy_id:
                now = Decimal(str(item.balance_value))
    return LeaveItem(leave, now, _amount(leave))


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, dict[str, list[str]]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    principal = frame.principal
    sheets: list[TimesheetRead] = []
    requests_: list[TimeRequestRead] = []
    leave_items: list[LeaveItem] = []
    if principal.can(P.TIMESHEETS_APPROVE):
        sheets = await work.every_page(lambda p: counts.waiting_timesheets(session, principal, p), _PER_PAGE)
    if principal.can(P.TIME_REQUESTS_APPROVE):
        requests_ = await work.every_page(lambda p: counts.waiting_time_requests(session, principal, p), _PER_PAGE)
        requests_.sort(key=lambda r: (r.start, r.id))
    if principal.can(P.LEAVES_APPROVE):
        pending = await work.every_page(lambda p: counts.waiting_leaves(session, principal, p), _PER_PAGE)
        pending.sort(key=lambda leave: (leave.start_date, leave.id))
        leave_items = [await _leave_item(session, frame, leave) for leave in pending]
    return page(
        request,
        "approvals.html",
        frame,
        status_code=status_code,
        area="approvals",
        sheets=[sheet_grid(s) for s in sheets],
        time_requests=requests_,
        leave_items=leave_items,
        errors=errors or {},
        values=values or {},
    )


def _need_kind(frame: Frame, kind: str) -> None:
    permission = KINDS.get(kind)
    if permission is None:
        raise NotFoundError("There is no such approval.")
    if not frame.principal.can(permission):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")


def _item_id(raw: str) -> str:
    if not raw or len(raw) > 64:
        raise NotFoundError("There is no such approval.")
    return raw


async def _approve(session: AsyncSession, frame: Frame, kind: str, item_id: str) -> None:
    principal = frame.principal
    if kind == "timesheet":
        await timesheets.approve(session, principal, item_id)
    elif kind == "time_request":
        await time_requests.approve(session, principal, item_id)
    else:
        await leaves.approve_leave(session, principal, item_id)


_APPROVED = {
    "timesheet": "Timesheet approved successfully",
    "time_request": "Time request approved successfully",
    "leave": "Leave request approved successfully",
}
_REJECTED = {
    "timesheet": "Timesheet rejected successfully",
    "time_request": "Time request rejected successfully",
    "leave": "Leave request rejected successfully",
}


@router.get("/approvals")
async def approvals_page(request: Request, session: SessionDep) -> Response:
    """Everything waiting for approval: timesheets, time requests, leave."""
    frame = await member_frame(request, session)
    need(frame, "approvals")
    return await _render(request, session, frame)


@router.post("/approvals/approve")
async def approve_item(request: Request, session: SessionDep) -> Response:
    """Approve one timesheet, time request or leave request."""
    frame, form = await posted(request, session)
    need(frame, "approvals")
    kind = form.get("kind")
    _need_kind(frame, kind)
    try:
        await _approve(session, frame, kind, _item_id(form.get("id")))
    except AppError as exc:
        if isinstance(exc, (NotFoundError, ForbiddenError)):
            raise
        await session.rollback()
        flash(request, exc.message, "error")
        return redirect("/approvals")
    flash(request, _APPROVED[kind])
    return redirect("/approvals")


@router.post("/approvals/reject")
async def reject_item(request: Request, session: SessionDep) -> Response:
    """Reject one item with the reason the member will see (required)."""
    frame, form = await posted(request, session)
    need(frame, "approvals")
    kind = form.get("kind")
    _need_kind(frame, kind)
    item_id = _item_id(form.get("id"))
    reason = form.get("reason")
    principal = frame.principal
    try:
        if kind == "timesheet":
            body = TimesheetReject(reason=reason)
            await timesheets.reject(session, principal, item_id, body.reason)
        elif kind == "time_request":
            checked = TimeRequestReject(comment=reason)
            await time_requests.reject(session, principal, item_id, checked.comment)
        else:
            # The API lets a leave be rejected without a reason; the inbox asks for one, as for the others.
            TimesheetReject(reason=reason)
            await leaves.reject_leave(session, principal, item_id, reason.strip())
    except (AppError, PydanticValidationError) as exc:
        if isinstance(exc, (NotFoundError, ForbiddenError)):
            raise
        await session.rollback()
        if isinstance(exc, AppError) and not exc.errors and exc.status_code == 409:
            flash(request, exc.message, "error")
            return redirect("/approvals")
        messages = [m for ms in form_errors(exc).values() for m in ms]
        messages = [m.replace("comment", "reason") for m in messages]
        return await _render(
            request,
            session,
            frame,
            status_code=422,
            errors={item_id: {"reason": messages}},
            values={item_id: reason},
        )
    flash(request, _REJECTED[kind])
    return redirect("/approvals")


@router.post("/approvals/bulk")
async def approve_selected(request: Request, session: SessionDep) -> Response:
    """Approve every selected item; what can no longer be approved is named, the rest is approved."""
    frame, form = await posted(request, session)
    need(frame, "approvals")
    chosen = form.getlist("items")[:500]
    if not chosen:
        flash(request, "Select the items to approve first.", "warning")
        return redirect("/approvals")
    approved = 0
    refused: list[str] = []
    for value in chosen:
        kind, _, item_id = value.partition(":")
        _need_kind(frame, kind)
        try:
            async with session.begin_nested():
                await _approve(session, frame, kind, _item_id(item_id))
            approved += 1
        except AppError as exc:
            refused.append(exc.message)
    if approved:
        flash(request, f"Approved {approved} item{'s' if approved != 1 else ''}.")
    for message in refused[:5]:
        flash(request, message, "error")
    return redirect("/approvals")
