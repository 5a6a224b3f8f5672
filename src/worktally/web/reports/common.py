"""What the report pages share: their tabs, their filters' parsing and options, and the page they render in."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.member import service as members
from worktally.project import service as projects
from worktally.team import service as teams
from worktally.web import lists
from worktally.web.layout import Frame, page

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


def parse_date(raw: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(field, []).append(f"The {field} is not a valid date.")
        return None


def members_page(raw: str | None) -> PageParams:
    """The page of members a report shows (``?page=``; the first for anything but a sane number)."""
    number = int(raw) if raw and raw.isdigit() and 0 < int(raw) <= 10_000 else 1
    return PageParams(number, MEMBERS_PER_PAGE)


async def choices(session: AsyncSession, frame: Frame) -> dict[str, list[tuple[int, str]]]:
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


def render_report(request: Request, frame: Frame, template: str, tab: str, **context: Any) -> Response:
    """A report page under its tab; a 422 when ``errors`` (the filters the API would refuse)."""
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


def query_string(**values: Any) -> str:
    items: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            items.append((key, str(one)))
    return urlencode(items)
