"""Reports (``/reports/...``): tracked hours for a range as a stacked bar chart (a day a bar, a week a bar
beyond a month), a donut by project and tables by member and project with amounts per currency where the
role may see them (D6), filtered by members, projects and teams, and the same report as CSV; the daily
timeline, daily attendance, activity level, tasks and activity descriptions. Each page calls the report
service the API's route calls, with the same parameters and checks (``report/params.py``), and every chart
sits beside the table of its numbers (D21)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.core.errors import ValidationError
from worktally.core.timezones import zone
from worktally.member import service as members
from worktally.project import service as projects
from worktally.report import export, params, queries, task_queries, tracked
from worktally.report import service as reports
from worktally.report import task_service as task_reports
from worktally.team import service as teams
from worktally.web import charts, lists
from worktally.web.layout import Frame, WebRoute, member_frame, need, page
from worktally.web.pages import redirect
from worktally.web.reports.summary import column_days, summarise

router = APIRouter(route_class=WebRoute)

TABS = (
    ("/reports/tracked-hours", "Tracked hours", "tracked"),
    ("/reports/timeline", "Daily timeline", "timeline"),
    ("/reports/attendance", "Attendance", "attendance"),
    ("/reports/activity", "Activity level", "activity"),
    ("/reports/tasks", "Tasks", "tasks"),
    ("/reports/descriptions", "Descriptions", "descriptions"),
)
MEMBERS_PER_PAGE = 100
IdList = list[str] | None


def _date(raw: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(field, []).append(f"The {field} is not a valid date.")
        return None


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= 10_000 else 1


async def _choices(session: AsyncSession, frame: Frame) -> dict[str, list[tuple[int, str]]]:
    """The filters' options: the members, projects and teams the role sees (the API's lists)."""
    principal = frame.principal
    people = await lists.every(lambda p: members.list_members(session, principal, page=p))
    found = await lists.every(lambda p: projects.list_projects(session, principal, name=None, page=p))
    groups: list[Any] = []
    if principal.can_any((P.TEAMS_READ_ALL, P.TEAMS_READ_MANAGED)):
        groups = await lists.every(lambda p: teams.list_teams(session, principal, page=p))
    return {
        "members": sorted(((m.id, f"{m.firstname} {m.lastname}".strip() or m.email) for m in people), key=_by_name),
        "projects": sorted(((p.id, p.name) for p in found), key=_by_name),
        "teams": sorted(((t.id, t.name) for t in groups), key=_by_name),
    }


def _by_name(item: tuple[int, str]) -> tuple[str, int]:
    return item[1].lower(), item[0]


def _render(request: Request, frame: Frame, template: str, tab: str, **context: Any) -> Response:
    errors = context.pop("errors", {})
    return page(
        request,
        template,
        frame,
        status_code=422 if errors else 200,
        area="reports",
        tabs=TABS,
        tab=tab,
        errors=errors,
        **context,
    )


def _query(**values: Any) -> str:
    items: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            items.append((key, str(one)))
    return urlencode(items)


@router.get("/reports")
async def reports_home(request: Request, session: SessionDep) -> Response:
    """The reports start with tracked hours."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    return redirect("/reports/tracked-hours")


async def _tracked(
    session: AsyncSession,
    frame: Frame,
    *,
    start_date: str | None,
    end_date: str | None,
    users: IdList,
    projects_: IdList,
    teams_: IdList,
) -> tuple[tracked.TrackedHours | None, dict[str, list[str]], params.DateRange | None]:
    """The API's ``GET /reports/tracked-hours`` for these filters: its checks, then its one service call."""
    errors: dict[str, list[str]] = {}
    start, end = _date(start_date, "start_date", errors), _date(end_date, "end_date", errors)
    user_ids = params.id_list("users", users, errors)
    project_ids = params.id_list("projects", projects_, errors)
    team_ids = params.id_list("teams", teams_, errors)
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
async def tracked_hours_page(
    request: Request,
    session: SessionDep,
    start_date: str | None = None,
    end_date: str | None = None,
    users: IdList = Query(None),
    projects: IdList = Query(None),
    teams: IdList = Query(None),
) -> Response:
    """Tracked hours for a range: chart per day (or week), donut by project, tables by member and project."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    report, errors, period = await _tracked(
        session, frame, start_date=start_date, end_date=end_date, users=users, projects_=projects, teams_=teams
    )
    summary = summarise(report) if report is not None else None
    chosen = {
        "users": set(params.id_list("users", users, {}) or []),
        "projects": set(params.id_list("projects", projects, {}) or []),
        "teams": set(params.id_list("teams", teams, {}) or []),
    }
    start = period.start_date if period else None
    end = period.end_date if period else None
    csv_query = _query(
        start_date=start.isoformat() if start else start_date,
        end_date=end.isoformat() if end else end_date,
        users=users,
        projects=projects,
        teams=teams,
    )
    return _render(
        request,
        frame,
        "report_tracked.html",
        "tracked",
        errors=errors,
        summary=summary,
        spans=column_days(summary, end) if summary and end else [],
        start=start,
        end=end,
        values={"start_date": start_date or "", "end_date": end_date or ""},
        choices=await _choices(session, frame),
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
async def tracked_hours_csv(
    request: Request,
    session: SessionDep,
    start_date: str | None = None,
    end_date: str | None = None,
    users: IdList = Query(None),
    projects: IdList = Query(None),
    teams: IdList = Query(None),
) -> Response:
    """The same report as CSV (D16: the API's ``format=csv`` rows)."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    report, errors, _ = await _tracked(
        session, frame, start_date=start_date, end_date=end_date, users=users, projects_=projects, teams_=teams
    )
    if report is None:
        raise ValidationError(errors)
    return export.csv_response("tracked-hours", export.TRACKED_HOURS_COLUMNS, tracked.csv_rows(report), as_cells=True)


# --- the one-day reports ------------------------------------------------------------------------------


def _one_day(raw: str | None, frame: Frame, errors: dict[str, list[str]]) -> date:
    day = _date(raw, "date", errors) or frame.today
    params.in_timeline_window(day, frame.principal.timezone, errors)
    return day


def _minutes_of_day(value: datetime, day: date, tz: ZoneInfo) -> int:
    local = value.astimezone(tz)
    return max(0, min(1440, (local.date() - day).days * 1440 + local.hour * 60 + local.minute))


@router.get("/reports/timeline")
async def timeline_page(
    request: Request, session: SessionDep, date: str | None = None, page: str | None = None
) -> Response:
    """One day's entries per member across the day (bars), with the table of the same entries."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    day = _one_day(date, frame, errors)
    report = pagination = None
    chart = None
    if not errors:
        report, pagination = await reports.daily_timeline(
            session,
            frame.principal,
            day=day,
            user_ids=None,
            page=PageParams(_page_number(page), MEMBERS_PER_PAGE),
        )
        tz_of = {u.user_id: zone(u.timezone) for u in report.users}
        lanes = []
        names: dict[str | None, int] = {}
        for user in report.users:
            spans = []
            for e in user.entries:
                series = names.setdefault(e.project_name, len(names))
                start = _minutes_of_day(e.start_time, day, tz_of[user.user_id])
                end = _minutes_of_day(e.end_time, day, tz_of[user.user_id])
                what = e.project_name or "No project"
                spans.append(charts.Span(start, end, f"{user.user_name} · {what}: {e.duration_minutes} min", series))
            lanes.append((user.user_name, spans))
        chart = charts.timeline(lanes, label=f"Entries on {day.isoformat()} per member")
    return _render(
        request,
        frame,
        "report_timeline.html",
        "timeline",
        errors=errors,
        day=day,
        report=report,
        pagination=pagination,
        chart=chart,
        tz_of=zone,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


@router.get("/reports/attendance")
async def attendance_page(
    request: Request, session: SessionDep, date: str | None = None, page: str | None = None
) -> Response:
    """One day's attendance per member: statuses, first start, last end, tracked against expected."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    day = _one_day(date, frame, errors)
    report = pagination = None
    if not errors:
        report, pagination = await reports.daily_attendance(
            session,
            frame.principal,
            day=day,
            user_ids=None,
            statuses=None,
            page=PageParams(_page_number(page), MEMBERS_PER_PAGE),
        )
    counts: dict[str, int] = {}
    for user in report.users if report else []:
        for status in user.statuses:
            counts[status] = counts.get(status, 0) + 1
    return _render(
        request,
        frame,
        "report_attendance.html",
        "attendance",
        errors=errors,
        day=day,
        report=report,
        pagination=pagination,
        status_counts=sorted(counts.items()),
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
    )


# --- the capped-range reports (at most 31 days, as the API) ------------------------------------------------


def _capped(frame: Frame, start_date: str | None, end_date: str | None, errors: dict[str, list[str]]) -> Any:
    start, end = _date(start_date, "start_date", errors), _date(end_date, "end_date", errors)
    if errors:
        return None
    if start is None and end is None:
        start, end = params.current_week(frame.principal.timezone)
    try:
        return params.capped_period(start, end, errors)
    except ValidationError as exc:
        errors.update(exc.errors or {})
        return None


def _days_of(period: Any) -> list[date]:
    return [period.start_date + timedelta(days=i) for i in range(period.days)]


@router.get("/reports/activity")
async def activity_page(
    request: Request,
    session: SessionDep,
    start_date: str | None = None,
    end_date: str | None = None,
    page: str | None = None,
) -> Response:
    """Average activity per member per day (D15) as a heatmap, with the table of the same levels."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    period = _capped(frame, start_date, end_date, errors)
    report = pagination = chart = None
    grid: list[list[int | None]] = []
    days: list[date] = []
    if period is not None:
        report, pagination = await task_reports.activity_level(
            session,
            frame.principal,
            period=period,
            contract_id=None,
            user_ids=None,
            page=PageParams(_page_number(page), MEMBERS_PER_PAGE),
        )
        days = _days_of(period)
        for user in report.users:
            level_of = {d.date: d.activity_level for d in user.days}
            grid.append([level_of.get(d) for d in days])
        chart = charts.heatmap(
            [u.user_name for u in report.users],
            [f"{d:%-d}" for d in days],
            grid,
            label="Activity level per member and day",
        )
    return _render(
        request,
        frame,
        "report_activity.html",
        "activity",
        errors=errors,
        period=period,
        report=report,
        pagination=pagination,
        chart=chart,
        days=days,
        grid=grid,
        values={"start_date": start_date or "", "end_date": end_date or ""},
    )


@router.get("/reports/tasks")
async def tasks_page(
    request: Request,
    session: SessionDep,
    start_date: str | None = None,
    end_date: str | None = None,
    page: str | None = None,
) -> Response:
    """Time per task overall and per member (the task report)."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    period = _capped(frame, start_date, end_date, errors)
    report = pagination = None
    if period is not None:
        report, pagination = await task_reports.task_report(
            session,
            frame.principal,
            period=period,
            filters=task_queries.TaskFilters(),
            user_ids=None,
            page=PageParams(_page_number(page), MEMBERS_PER_PAGE),
        )
    top: Sequence[Any] = sorted(report.tasks_breakdown, key=lambda t: -t.total_minutes) if report else []
    return _render(
        request,
        frame,
        "report_tasks.html",
        "tasks",
        errors=errors,
        period=period,
        report=report,
        pagination=pagination,
        tasks_total=sum(t.total_minutes for t in top),
        top=top,
        meter=charts.meter,
        values={"start_date": start_date or "", "end_date": end_date or ""},
    )


@router.get("/reports/descriptions")
async def descriptions_page(
    request: Request,
    session: SessionDep,
    start_date: str | None = None,
    end_date: str | None = None,
    page: str | None = None,
) -> Response:
    """Time per member per activity description."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    period = _capped(frame, start_date, end_date, errors)
    report = pagination = None
    if period is not None:
        report, pagination = await task_reports.activity_descriptions(
            session,
            frame.principal,
            period=period,
            user_ids=None,
            page=PageParams(_page_number(page), MEMBERS_PER_PAGE),
        )
    return _render(
        request,
        frame,
        "report_descriptions.html",
        "descriptions",
        errors=errors,
        period=period,
        report=report,
        pagination=pagination,
        values={"start_date": start_date or "", "end_date": end_date or ""},
    )
