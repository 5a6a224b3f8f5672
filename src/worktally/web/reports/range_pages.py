"""The capped-range reports (at most 31 days, as the API): activity level, tasks and activity descriptions.

Each page is the same steps around its own report: the range the API would accept (this week by default),
the service call the API's route makes for a page of members, then the page with what it draws."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams
from worktally.auth.principal import Principal
from worktally.core.errors import ValidationError
from worktally.report import params, task_queries
from worktally.report import task_service as task_reports
from worktally.report.params import DateRange
from worktally.web import charts
from worktally.web.layout import Frame, WebRoute, member_frame, need
from worktally.web.reports.common import members_page, parse_date, render_report

router = APIRouter(route_class=WebRoute)

# The report's service call for a range and a page of members: (report, pagination).
Run = Callable[[AsyncSession, Principal, DateRange, PageParams], Awaitable[tuple[Any, Pagination]]]
# What the page draws from the report and its range, beside the report itself.
Drawn = Callable[[Any, DateRange], dict[str, Any]]


def _capped(
    frame: Frame, start_date: str | None, end_date: str | None, errors: dict[str, list[str]]
) -> DateRange | None:
    start, end = parse_date(start_date, "start_date", errors), parse_date(end_date, "end_date", errors)
    if errors:
        return None
    if start is None and end is None:
        start, end = params.current_week(frame.principal.timezone)
    try:
        return params.capped_period(start, end, errors)
    except ValidationError as exc:
        errors.update(exc.errors or {})
        return None


async def _range_page(
    request: Request,
    session: AsyncSession,
    *,
    tab: str,
    start_date: str | None,
    end_date: str | None,
    page: str | None,
    run: Run,
    drawn: Drawn,
) -> Response:
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    period = _capped(frame, start_date, end_date, errors)
    report = pagination = None
    context: dict[str, Any] = {}
    if period is not None:
        report, pagination = await run(session, frame.principal, period, members_page(page))
        context = drawn(report, period)
    return render_report(
        request,
        frame,
        f"report_{tab}.html",
        tab,
        errors=errors,
        period=period,
        report=report,
        pagination=pagination,
        values={"start_date": start_date or "", "end_date": end_date or ""},
        **context,
    )


def _days_of(period: DateRange) -> list[date]:
    return [period.start_date + timedelta(days=i) for i in range(period.days)]


async def _activity(
    session: AsyncSession, principal: Principal, period: DateRange, page: PageParams
) -> tuple[Any, Pagination]:
    return await task_reports.activity_level(
        session, principal, period=period, contract_id=None, user_ids=None, page=page
    )


def _heatmap(report: Any, period: DateRange) -> dict[str, Any]:
    days = _days_of(period)
    grid: list[list[int | None]] = []
    for user in report.users:
        level_of = {d.date: d.activity_level for d in user.days}
        grid.append([level_of.get(d) for d in days])
    chart = charts.heatmap(
        [u.user_name for u in report.users],
        [f"{d:%-d}" for d in days],
        grid,
        label="Activity level per member and day",
    )
    return {"chart": chart, "days": days, "grid": grid}


async def _tasks(
    session: AsyncSession, principal: Principal, period: DateRange, page: PageParams
) -> tuple[Any, Pagination]:
    return await task_reports.task_report(
        session, principal, period=period, filters=task_queries.TaskFilters(), user_ids=None, page=page
    )


def _top_tasks(report: Any, period: DateRange) -> dict[str, Any]:
    top = sorted(report.tasks_breakdown, key=lambda t: -t.total_minutes)
    return {"top": top, "tasks_total": sum(t.total_minutes for t in top), "meter": charts.meter}


async def _descriptions(
    session: AsyncSession, principal: Principal, period: DateRange, page: PageParams
) -> tuple[Any, Pagination]:
    return await task_reports.activity_descriptions(session, principal, period=period, user_ids=None, page=page)


def _add(path: str, tab: str, run: Run, drawn: Drawn, summary: str) -> None:
    async def report_page(
        request: Request,
        session: SessionDep,
        start_date: str | None = None,
        end_date: str | None = None,
        page: str | None = None,
    ) -> Response:
        return await _range_page(
            request, session, tab=tab, start_date=start_date, end_date=end_date, page=page, run=run, drawn=drawn
        )

    report_page.__doc__ = summary
    router.add_api_route(path, report_page, methods=["GET"], name=f"{tab}_page")


_add(
    "/reports/activity",
    "activity",
    _activity,
    _heatmap,
    "Average activity per member per day (D15) as a heatmap, with the table of the same levels.",
)
_add("/reports/tasks", "tasks", _tasks, _top_tasks, "Time per task overall and per member (the task report).")
_add(
    "/reports/descriptions",
    "descriptions",
    _descriptions,
    lambda report, period: {},
    "Time per member per activity description.",
)
