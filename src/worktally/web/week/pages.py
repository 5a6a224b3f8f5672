"""My week (``/week``): a grid of days by project/task rows from the task report (the API's numbers for the
same week), the timesheet's status (D10) with Submit and Unsubmit, and time inside an approved week locked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import REPORTS_READ
from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError
from worktally.core.timezones import week_start
from worktally.report import task_queries
from worktally.report import task_service as task_reports
from worktally.report.params import DateRange
from worktally.report.schemas import TaskReport
from worktally.timesheet import service as timesheets
from worktally.web.day import work
from worktally.web.layout import Frame, WebRoute, flash, member_frame, need, page, posted
from worktally.web.pages import redirect

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True, slots=True)
class GridRow:
    project_name: str
    task_title: str | None
    minutes: list[int]  # one per day, Monday first

    @property
    def total(self) -> int:
        return sum(self.minutes)


def grid(report: TaskReport, monday: date) -> list[GridRow]:
    """The report's daily lines for one member, laid out as rows of seven days."""
    rows = []
    for user in report.users:
        for task in user.tasks:
            minutes = [0] * 7
            for line in task.daily_breakdown:
                offset = (line.date - monday).days
                if 0 <= offset < 7:
                    minutes[offset] += line.total_minutes
            rows.append(GridRow(task.project_name or "No project", task.task_title, minutes))
    rows.sort(key=lambda r: (r.project_name.lower(), (r.task_title or "").lower()))
    return rows


def _monday(raw: str | None, frame: Frame) -> date:
    if not raw:
        return week_start(frame.today)
    try:
        return week_start(date.fromisoformat(raw))
    except ValueError:
        raise NotFoundError("There is no such week.") from None


async def week_report(request: Request, session: SessionDep, frame: Frame, monday: date) -> TaskReport:
    if not frame.principal.can_any(REPORTS_READ):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")
    report, _ = await task_reports.task_report(
        session,
        frame.principal,
        period=DateRange(monday, monday + timedelta(days=6)),
        filters=task_queries.TaskFilters(),
        user_ids=[frame.principal.user_id],
        page=PageParams(1, 1),
    )
    return report


@router.get("/week")
async def week_page(request: Request, session: SessionDep, date: str | None = None) -> Response:
    """The member's week: days by project/task, totals, the timesheet and its actions."""
    frame = await member_frame(request, session)
    need(frame, "week")
    monday = _monday(date, frame)
    report = await week_report(request, session, frame, monday)
    rows = grid(report, monday)
    days = [monday + timedelta(days=i) for i in range(7)]
    sheet = await work.week_sheet(session, frame.principal, monday)
    return page(
        request,
        "week.html",
        frame,
        area="week",
        monday=monday,
        days=days,
        rows=rows,
        day_totals=[sum(r.minutes[i] for r in rows) for i in range(7)],
        week_total=sum(r.total for r in rows),
        sheet=sheet,
        locked=work.locked(sheet),
        prev_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        this_week=monday == week_start(frame.today),
    )


async def _act(request: Request, session: SessionDep, action: str) -> Response:
    frame, form = await posted(request, session)
    need(frame, "week")
    monday = _monday(form.get("date"), frame)
    timesheet_id = form.get("timesheet_id")
    if not timesheet_id or len(timesheet_id) > 64:
        raise NotFoundError("Timesheet not found.")
    try:
        if action == "submit":
            await timesheets.submit(session, frame.principal, timesheet_id)
            flash(request, "Timesheet submitted successfully")
        else:
            await timesheets.unsubmit(session, frame.principal, timesheet_id)
            flash(request, "Timesheet unsubmitted successfully")
    except ConflictError as exc:
        await session.rollback()
        flash(request, exc.message, "error")
    return redirect(f"/week?date={monday.isoformat()}")


@router.post("/week/submit")
async def submit_week(request: Request, session: SessionDep) -> Response:
    """Submit the week's timesheet for approval (pending or rejected → submitted)."""
    return await _act(request, session, "submit")


@router.post("/week/unsubmit")
async def unsubmit_week(request: Request, session: SessionDep) -> Response:
    """Take a submitted timesheet back to pending."""
    return await _act(request, session, "unsubmit")
