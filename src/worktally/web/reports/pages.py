"""Tracked hours (``/reports/tracked-hours``) for a range as a stacked bar chart (a day a bar, a week a bar beyond
a month), a donut by project and tables by member and project with amounts per currency where the role may see
them (D6), filtered by members, projects and teams, and the same report as CSV. Each report page calls the
report service the API's route calls, with the same parameters and checks (``report/params.py``), and every
chart sits beside the table of its numbers (D21); the one-day reports are in ``day_pages.py``, the capped-range
ones in ``range_pages.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.core.errors import ValidationError
from worktally.report import export, params, queries, tracked
from worktally.report import service as reports
from worktally.web import charts
from worktally.web.layout import Frame, WebRoute, member_frame, need
from worktally.web.pages import redirect
from worktally.web.reports.common import IdList, choices, parse_date, query_string, render_report
from worktally.web.reports.summary import column_days, summarise

router = APIRouter(route_class=WebRoute)


@router.get("/reports")
async def reports_home(request: Request, session: SessionDep) -> Response:
    """The reports start with tracked hours."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    return redirect("/reports/tracked-hours")


@dataclass(frozen=True, slots=True)
class TrackedQuery:
    """The page's and the CSV's filters, as typed in the query string (checked by ``_tracked``)."""

    start_date: str | None
    end_date: str | None
    users: IdList
    projects: IdList
    teams: IdList


def tracked_query(
    start_date: str | None = None,
    end_date: str | None = None,
    users: IdList = Query(None),
    projects: IdList = Query(None),
    teams: IdList = Query(None),
) -> TrackedQuery:
    return TrackedQuery(start_date, end_date, users, projects, teams)


Filters = Annotated[TrackedQuery, Depends(tracked_query)]


async def _tracked(
    session: AsyncSession, frame: Frame, query: TrackedQuery
) -> tuple[tracked.TrackedHours | None, dict[str, list[str]], params.DateRange | None]:
    """The API's ``GET /reports/tracked-hours`` for these filters: its checks, then its one service call."""
    errors: dict[str, list[str]] = {}
    start = parse_date(query.start_date, "start_date", errors)
    end = parse_date(query.end_date, "end_date", errors)
    user_ids = params.id_list("users", query.users, errors)
    project_ids = params.id_list("projects", query.projects, errors)
    team_ids = params.id_list("teams", query.teams, errors)
    period = params.date_range(
        start,
        end,
        max_days=params.UNCAPPED_RANGE_DAYS,
        default=params.current_week(frame.principal.timezone),
        errors=errors,
    )
    if errors or period is None:
        return None, errors, None
    report = await reports.tracked_hours(
        session,
        frame.principal,
        period=period,
        filters=queries.TrackedFilters(user_ids=user_ids, project_ids=project_ids, team_ids=team_ids),
        currencies=None,
    )
    return report, errors, period


@router.get("/reports/tracked-hours")
async def tracked_hours_page(request: Request, session: SessionDep, query: Filters) -> Response:
    """Tracked hours for a range: chart per day (or week), donut by project, tables by member and project."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    report, errors, period = await _tracked(session, frame, query)
    summary = summarise(report) if report is not None else None
    chosen = {
        "users": set(params.id_list("users", query.users, {}) or []),
        "projects": set(params.id_list("projects", query.projects, {}) or []),
        "teams": set(params.id_list("teams", query.teams, {}) or []),
    }
    start = period.start_date if period else None
    end = period.end_date if period else None
    csv_query = query_string(
        start_date=start.isoformat() if start else query.start_date,
        end_date=end.isoformat() if end else query.end_date,
        users=query.users,
        projects=query.projects,
        teams=query.teams,
    )
    return render_report(
        request,
        frame,
        "report_tracked.html",
        "tracked",
        errors=errors,
        summary=summary,
        spans=column_days(summary, end) if summary and end else [],
        start=start,
        end=end,
        values={"start_date": query.start_date or "", "end_date": query.end_date or ""},
        choices=await choices(session, frame),
        chosen=chosen,
        csv_href=f"/reports/tracked-hours.csv?{csv_query}",
        bar_chart=charts.stacked_bars(
            summary.bars(), summary.series, label="Tracked hours per " + ("week" if summary.weekly else "day")
        )
        if summary
        else None,
        donut_chart=charts.donut(summary.slices(), label="Tracked hours by project") if summary else None,
        swatch=charts.swatch,
        presets=_presets(frame),
    )


def _presets(frame: Frame) -> list[tuple[str, date, date]]:
    today = frame.today
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("This week", monday, monday + timedelta(days=6)),
        ("Last week", monday - timedelta(days=7), monday - timedelta(days=1)),
        ("This month", first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)),
        ("Last month", last_month_end.replace(day=1), last_month_end),
    ]


@router.get("/reports/tracked-hours.csv")
async def tracked_hours_csv(request: Request, session: SessionDep, query: Filters) -> Response:
    """The same report as CSV (D16: the API's ``format=csv`` rows)."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    report, errors, _ = await _tracked(session, frame, query)
    if report is None:
        raise ValidationError(errors)
    return export.csv_response("tracked-hours", export.TRACKED_HOURS_COLUMNS, tracked.csv_rows(report), as_cells=True)
