"""The one-day reports: the daily timeline (each member's entries across the day, as bars) and attendance."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.core.timezones import zone
from worktally.report import params
from worktally.report import service as reports
from worktally.web import charts
from worktally.web.layout import Frame, WebRoute, member_frame, need
from worktally.web.reports.common import members_page, parse_date, render_report

router = APIRouter(route_class=WebRoute)


async def _day_report(
    request: Request, session: AsyncSession, raw: str | None
) -> tuple[Frame, date, dict[str, list[str]]]:
    """The signed-in reader, the day asked for (today by default) and what the API would refuse of it."""
    frame = await member_frame(request, session)
    need(frame, "reports")
    errors: dict[str, list[str]] = {}
    day = parse_date(raw, "date", errors) or frame.today
    params.in_timeline_window(day, frame.principal.timezone, errors)
    return frame, day, errors


def _minutes_of_day(value: datetime, day: date, tz: ZoneInfo) -> int:
    local = value.astimezone(tz)
    return max(0, min(1440, (local.date() - day).days * 1440 + local.hour * 60 + local.minute))


@router.get("/reports/timeline")
async def timeline_page(
    request: Request, session: SessionDep, date: str | None = None, page: str | None = None
) -> Response:
    """One day's entries per member across the day (bars), with the table of the same entries."""
    frame, day, errors = await _day_report(request, session, date)
    report = pagination = None
    chart = None
    if not errors:
        report, pagination = await reports.daily_timeline(
            session,
            frame.principal,
            day=day,
            user_ids=None,
            page=members_page(page),
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
    return render_report(
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
    frame, day, errors = await _day_report(request, session, date)
    report = pagination = None
    if not errors:
        report, pagination = await reports.daily_attendance(
            session,
            frame.principal,
            day=day,
            user_ids=None,
            statuses=None,
            page=members_page(page),
        )
    counts: dict[str, int] = {}
    for user in report.users if report else []:
        for status in user.statuses:
            counts[status] = counts.get(status, 0) + 1
    return render_report(
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
