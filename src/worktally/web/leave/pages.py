"""Leave (``/leave``): my balance per policy this year (what is left and what is pending), a request form
(full day, first or second half; hours where the policy counts hours, D10) and my requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError
from worktally.leave import policy_service as leave_policies
from worktally.leave import service as leaves
from worktally.leave.schemas import LeaveBalanceItem, LeaveCreate, LeaveFilters, LeavePolicyRead, LeaveRead
from worktally.web.day import work
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import redirect

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True, slots=True)
class Balance:
    item: LeaveBalanceItem
    pending: Decimal

    @property
    def used_tenths(self) -> int:
        """How much of the allowance is used, in tens of percent (for the meter's width class)."""
        allowance = Decimal(str(self.item.allowance))
        if allowance <= 0:
            return 0
        return max(0, min(10, round(Decimal(str(self.item.used)) / allowance * 10)))


def _amount(leave: LeaveRead) -> Decimal:
    return Decimal(str(leave.total.hours if leave.unit == "hours" else leave.total.days))


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    principal = frame.principal
    year = frame.today.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    found, _ = await leaves.balances(
        session, principal, user_id=principal.user_id, date_from=first, date_to=last, page=PageParams(1, 1)
    )
    mine = await work.every_page(
        lambda p: leaves.list_leaves(session, principal, LeaveFilters(user_id=principal.user_id), p), 100
    )
    mine.sort(key=lambda r: (r.start_date, r.id), reverse=True)
    pending: dict[int, Decimal] = {}
    for leave in mine:
        if leave.status == "pending" and leave.start_date.year == year:
            pending[leave.policy_id] = pending.get(leave.policy_id, Decimal(0)) + _amount(leave)
    items = found[0].leave_information if found else []
    policies: list[LeavePolicyRead] = await work.every_page(
        lambda p: leave_policies.list_policies(session, principal, p), 100
    )
    defaults = {
        "policy_id": str(policies[0].id) if policies else "",
        "start": frame.today.isoformat(),
        "end": frame.today.isoformat(),
        "leave_period": "0",
        "start_time": "",
        "end_time": "",
        "reason": "",
    }
    return page(
        request,
        "leave.html",
        frame,
        status_code=status_code,
        area="leave",
        year=year,
        balances=[Balance(i, pending.get(i.policy_id, Decimal(0))) for i in items],
        requests=mine,
        policies=policies,
        may_request=principal.can_any((P.LEAVES_WRITE_OWN, P.LEAVES_WRITE_ALL)),
        errors=errors or {},
        values={**defaults, **(values or {})},
    )


@router.get("/leave")
async def leave_page(request: Request, session: SessionDep) -> Response:
    """My leave: balances, the request form, my requests."""
    frame = await member_frame(request, session)
    need(frame, "leave")
    return await _render(request, session, frame)


def _body(form: Any) -> LeaveCreate:
    period = form.get("leave_period") or "0"
    data: dict[str, Any] = {
        "policy_id": form.get("policy_id") or None,
        "start": form.get("start") or None,
        "end": form.get("end") or form.get("start") or None,
        "leave_period": int(period) if period.isascii() and period.isdigit() and len(period) < 3 else period,
        "reason": form.get("reason").strip() or None,
    }
    if form.get("start_time") or form.get("end_time"):
        data["start_time"] = form.get("start_time") or None
        data["end_time"] = form.get("end_time") or None
    return LeaveCreate.model_validate(data)


@router.post("/leave")
async def request_leave(request: Request, session: SessionDep) -> Response:
    """Request leave for myself; it waits for a manager's approval."""
    frame, form = await posted(request, session)
    need(frame, "leave")
    try:
        await leaves.request_leave(session, frame.principal, _body(form))
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        values = {k: v for k, v in form.items if k != "csrf_token"}
        return await _render(
            request, session, frame, status_code=error_status(request, exc), errors=errors, values=values
        )
    flash(request, "Leave request created successfully")
    return redirect("/leave")
