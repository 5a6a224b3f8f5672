from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, Pagination, raw_ok
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import REPORTS_READ
from worktally.auth.principal import Principal
from worktally.db.repository import valid_id
from worktally.report import export, params, queries, service, task_queries, tracked
from worktally.report import task_service as task_reports
from worktally.report.rules import STATUS_FILTERS
from worktally.report.schemas import (
    ActivityDescriptionsReport,
    ActivityLevelReport,
    DailyAttendanceReport,
    DailyTimelineReport,
    TaskReport,
    TrackedHoursReport,
)

router = api_router("/reports", tags=["Reports"])

Reader = Annotated[Principal, require(*REPORTS_READ)]
UserPage = Annotated[PageParams, Depends(page_params(default=30, maximum=100))]
Format = Annotated[
    params.ReportFormat, Query(description="`json` (default) or `csv` (extension, D16: `text/csv`, same rows).")
]
IdList = Annotated[list[str] | None, Query(description="Ids as a comma list (`1,2,3`) or repeated.")]
StartDate = Annotated[date | None, Query(description="YYYY-MM-DD, the first day (members' own days, D9).")]
EndDate = Annotated[date | None, Query(description="YYYY-MM-DD, the last day, on or after start_date.")]
Day = Annotated[date, Query(description="YYYY-MM-DD, within a year of today.")]


MESSAGE = "Report generated successfully"


R = TypeVar("R", bound=BaseModel)


def _answer(
    format: params.ReportFormat,
    name: str,
    columns: Sequence[str],
    csv_rows: Callable[[R], Iterable[export.Row]],
    report: R,
    pagination: Pagination,
) -> Response:
    """A paged report as CSV, or as JSON serialised once by its own typed model (a month's can be megabytes)."""
    if format is params.ReportFormat.CSV:
        return export.csv_response(name, columns, csv_rows(report))
    return raw_ok(report.model_dump_json(), MESSAGE, pagination)


@router.get(
    "/tracked-hours",
    response_model=Envelope[TrackedHoursReport],
    responses=export.csv_openapi(export.TRACKED_HOURS_COLUMNS),
)
async def tracked_hours_report(
    principal: Reader,
    session: SessionDep,
    start_date: StartDate = None,
    end_date: EndDate = None,
    user_id: Annotated[int | None, Query(description="One member; the range is then at most 31 days.")] = None,
    users: IdList = None,
    projects: IdList = None,
    teams: IdList = None,
    titles: Annotated[list[str] | None, Query(description="Member titles, comma list or repeated.")] = None,
    currencies: Annotated[
        list[str] | None, Query(description="Currency codes; applies to rows whose rates the caller may see.")
    ] = None,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[TrackedHoursReport] | Response:
    """Tracked minutes per day, member, project and contract (amounts per currency where rates are visible)."""
    errors: dict[str, list[str]] = {}
    if user_id is not None and not valid_id(user_id):
        errors["user_id"] = ["The user_id must be a member id."]
    user_ids = params.id_list("users", users, errors)
    project_ids = params.id_list("projects", projects, errors)
    team_ids = params.id_list("teams", teams, errors)
    title_list = params.text_list("titles", titles, errors)
    currency_list = params.currency_list(currencies, errors)
    period = params.date_range(
        start_date,
        end_date,
        max_days=params.CAPPED_RANGE_DAYS if user_id is not None else params.UNCAPPED_RANGE_DAYS,
        default=params.current_week(principal.timezone),
        errors=errors,
    )
    params.raise_if(errors)
    assert period is not None
    if user_id is not None:
        user_ids = [u for u in user_ids if u == user_id] if user_ids is not None else [user_id]
    report = await service.tracked_hours(
        session,
        principal,
        period=period,
        filters=queries.TrackedFilters(
            user_ids=user_ids, project_ids=project_ids, team_ids=team_ids, titles=title_list
        ),
        currencies=currency_list,
    )
    if format is params.ReportFormat.CSV:
        return export.csv_response(
            "tracked-hours", export.TRACKED_HOURS_COLUMNS, tracked.csv_rows(report), as_cells=True
        )
    return raw_ok(tracked.json_data(report), MESSAGE)


@router.get(
    "/daily-timeline",
    response_model=Envelope[DailyTimelineReport],
    responses=export.csv_openapi(export.TIMELINE_COLUMNS),
)
async def daily_timeline_report(
    principal: Reader,
    session: SessionDep,
    page: UserPage,
    date: Day,
    user_ids: IdList = None,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[DailyTimelineReport] | Response:
    """One day's entries per member (paged by member), times in the workspace owner's UTC offset."""
    errors: dict[str, list[str]] = {}
    ids = params.id_list("user_ids", user_ids, errors)
    params.in_timeline_window(date, principal.timezone, errors)
    params.raise_if(errors)
    report, pagination = await service.daily_timeline(session, principal, day=date, user_ids=ids, page=page)
    return _answer(format, "daily-timeline", export.TIMELINE_COLUMNS, export.timeline_rows, report, pagination)


@router.get(
    "/daily-attendance",
    response_model=Envelope[DailyAttendanceReport],
    responses=export.csv_openapi(export.ATTENDANCE_COLUMNS),
)
async def daily_attendance_report(
    principal: Reader,
    session: SessionDep,
    page: UserPage,
    date: Day,
    users: IdList = None,
    status: Annotated[
        list[str] | None,
        Query(description="Any of " + ", ".join(STATUS_FILTERS) + " (comma list or repeated)."),
    ] = None,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[DailyAttendanceReport] | Response:
    """One day's attendance per member: statuses from the workspace's settings, leave and holidays."""
    errors: dict[str, list[str]] = {}
    ids = params.id_list("users", users, errors)
    statuses = params.choice_list("status", status, tuple(STATUS_FILTERS), errors)
    params.in_timeline_window(date, principal.timezone, errors)
    params.raise_if(errors)
    report, pagination = await service.daily_attendance(
        session, principal, day=date, user_ids=ids, statuses=statuses, page=page
    )
    return _answer(format, "daily-attendance", export.ATTENDANCE_COLUMNS, export.attendance_rows, report, pagination)


@router.get(
    "/activity-level",
    response_model=Envelope[ActivityLevelReport],
    responses=export.csv_openapi(export.ACTIVITY_LEVEL_COLUMNS),
)
async def activity_level_report(
    principal: Reader,
    session: SessionDep,
    page: UserPage,
    start_date: StartDate = None,
    end_date: EndDate = None,
    contract_id: Annotated[int | None, Query(description="Only activity during this contract's time.")] = None,
    user_ids: IdList = None,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[ActivityLevelReport] | Response:
    """Average activity per member per day (from 10-minute slots, D15) and overall; at most 31 days."""
    errors: dict[str, list[str]] = {}
    if contract_id is not None and not valid_id(contract_id):
        errors["contract_id"] = ["The contract_id must be a contract id."]
    ids = params.id_list("user_ids", user_ids, errors)
    period = params.capped_period(start_date, end_date, errors)
    report, pagination = await task_reports.activity_level(
        session, principal, period=period, contract_id=contract_id, user_ids=ids, page=page
    )
    return _answer(
        format, "activity-level", export.ACTIVITY_LEVEL_COLUMNS, export.activity_level_rows, report, pagination
    )


@router.get(
    "/task-report",
    response_model=Envelope[TaskReport],
    responses=export.csv_openapi(export.TASK_REPORT_COLUMNS),
)
async def task_report(
    principal: Reader,
    session: SessionDep,
    page: UserPage,
    start_date: StartDate = None,
    end_date: EndDate = None,
    users: IdList = None,
    project_id: IdList = None,
    task_id: IdList = None,
    include_no_task: Annotated[bool, Query(description="Include time without a task (default true).")] = True,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[TaskReport] | Response:
    """Time per member per task with a daily breakdown, and per task overall; at most 31 days."""
    errors: dict[str, list[str]] = {}
    ids = params.id_list("users", users, errors)
    project_ids = params.id_list("project_id", project_id, errors)
    task_ids = params.id_list("task_id", task_id, errors)
    period = params.capped_period(start_date, end_date, errors)
    report, pagination = await task_reports.task_report(
        session,
        principal,
        period=period,
        filters=task_queries.TaskFilters(project_ids=project_ids, task_ids=task_ids, include_no_task=include_no_task),
        user_ids=ids,
        page=page,
    )
    return _answer(format, "task-report", export.TASK_REPORT_COLUMNS, export.task_report_rows, report, pagination)


@router.get(
    "/activity-descriptions",
    response_model=Envelope[ActivityDescriptionsReport],
    responses=export.csv_openapi(export.ACTIVITY_DESCRIPTIONS_COLUMNS),
    openapi_extra={"x-worktally-extension": True},
)
async def activity_descriptions_report(
    principal: Reader,
    session: SessionDep,
    page: UserPage,
    start_date: StartDate = None,
    end_date: EndDate = None,
    users: IdList = None,
    format: Format = params.ReportFormat.JSON,
) -> Envelope[ActivityDescriptionsReport] | Response:
    """Time per member per activity description; at most 31 days."""
    errors: dict[str, list[str]] = {}
    ids = params.id_list("users", users, errors)
    period = params.capped_period(start_date, end_date, errors)
    report, pagination = await task_reports.activity_descriptions(
        session, principal, period=period, user_ids=ids, page=page
    )
    return _answer(
        format,
        "activity-descriptions",
        export.ACTIVITY_DESCRIPTIONS_COLUMNS,
        export.activity_descriptions_rows,
        report,
        pagination,
    )
