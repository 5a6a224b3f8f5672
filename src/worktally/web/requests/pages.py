"""Time requests (``/time-requests``): mine with status and the approver's comment, and a new one (D10:
applied at once for Owner/EM or when the workspace auto-approves)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError
from worktally.time_request import service as time_requests
from worktally.web.day import work
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import redirect

router = APIRouter(route_class=WebRoute)

LISTED_DAYS_BACK = 90
LISTED_DAYS_AHEAD = 31
_FIELDS = {"start": "start_time", "end": "end_time", "activity_description": "notes", "contract_id": "target"}
_STATUSES = ("pending", "approved", "rejected")


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status: str | None,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    principal = frame.principal
    first, last = frame.today - timedelta(days=LISTED_DAYS_BACK), frame.today + timedelta(days=LISTED_DAYS_AHEAD)
    mine = await work.every_page(
        lambda p: time_requests.list_requests(
            session,
            principal,
            date_from=first,
            date_to=last,
            status=status,
            user_id=principal.user_id,
            project_id=None,
            request_id=None,
            page=p,
        ),
        100,
    )
    mine.sort(key=lambda r: (r.start, r.id), reverse=True)
    defaults = {"target": "", "date": frame.today.isoformat(), "start_time": "", "end_time": "", "notes": ""}
    return page(
        request,
        "time_requests.html",
        frame,
        status_code=status_code,
        area="requests",
        requests=mine,
        status=status or "",
        statuses=_STATUSES,
        first=first,
        last=last,
        groups=await work.choices(session, principal),
        may_request=principal.can_any((P.TIME_REQUESTS_WRITE_OWN, P.TIME_REQUESTS_WRITE_ALL)),
        applied_at_once=await work.requests_apply_at_once(session, principal),
        errors=errors or {},
        values={**defaults, **(values or {})},
    )


@router.get("/time-requests")
async def time_requests_page(request: Request, session: SessionDep, status: str | None = None) -> Response:
    """My time requests of the last three months and the next one, and the form for a new one."""
    frame = await member_frame(request, session)
    need(frame, "requests")
    return await _render(request, session, frame, status=status if status in _STATUSES else None)


@router.post("/time-requests")
async def create_time_request(request: Request, session: SessionDep) -> Response:
    """Request time for a day (D10)."""
    frame, form = await posted(request, session)
    need(frame, "requests")
    try:
        body, _ = work.request_body(form)
        created, message = await time_requests.create(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc, _FIELDS)
        await session.rollback()
        values = {k: v for k, v in form.items if k != "csrf_token"}
        return await _render(
            request, session, frame, status=None, status_code=error_status(request, exc), errors=errors, values=values
        )
    flash(request, "Time request approved: the time was added." if created.status == "approved" else message)
    return redirect("/time-requests")
