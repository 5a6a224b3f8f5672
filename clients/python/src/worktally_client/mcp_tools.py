"""Worktally's MCP tools (D22), defined once: ``wt mcp`` serves them on stdio, the server at ``/mcp``.

Every tool calls the REST API through the client with the caller's token, so an assistant can do exactly
what that token and its member's role may do, and no more: the server's scopes, roles, visibility and rate
limits answer every call. An error of the API reaches the assistant as the tool's error, with the server's
message and its stable ``error`` code.

Needs the ``mcp`` extra: ``pip install 'worktally-client[mcp]'``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Protocol

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

API = "/api/v2"
PAGE = 100  # rows per page of the lists the tools walk
MAX_ROWS = 500  # a tool reads at most this many rows of one list
ENTRY_PAGE = 50  # GET /time-entries pages hold at most 50

INSTRUCTIONS = (
    "Worktally time tracking, acting as the signed-in member with that token's scopes. "
    "Most tools take an optional workspace_id: leave it out when the member belongs to one workspace; "
    "list_workspaces shows them. Projects may be named by id or by part of their name. "
    "Dates are YYYY-MM-DD in the member's timezone; weeks start on Monday."
)


class Api(Protocol):
    """What the tools need of a client: ``AsyncWorktally.request``, which answers the envelope's data."""

    async def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Mapping[str, Any] | None = None
    ) -> Any: ...


Connector = Callable[[], AbstractAsyncContextManager[Api]]


class WorktallyMCP(MCPServer[Any]):
    """The MCP server of Worktally's tools; ``connect`` gives the API client of the current caller."""

    def __init__(self, connect: Connector, **options: Any) -> None:
        with _sdk_logging_left_alone():
            super().__init__("worktally", instructions=INSTRUCTIONS, **options)
        self.connect = connect
        for spec in TOOLS:
            self.add_tool(spec.fn, name=spec.fn.__name__, title=spec.title, annotations=spec.annotations)


@contextmanager
def _sdk_logging_left_alone() -> Iterator[None]:
    """The SDK's MCPServer() calls ``logging.basicConfig`` (a Rich handler on the root logger at INFO) when the
    root logger has no handler yet; logging is the application's to set up (the server's D20 lines), not ours."""
    from mcp.server.mcpserver import server as sdk_server

    configure = getattr(sdk_server, "configure_logging", None)
    if configure is None:  # a later SDK that no longer does it
        yield
        return
    setattr(sdk_server, "configure_logging", lambda level="INFO": None)  # noqa: B010
    try:
        yield
    finally:
        setattr(sdk_server, "configure_logging", configure)  # noqa: B010


def connect_api(
    base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None, max_retries: int | None = None
) -> Any:
    """The API client the tools use: ``AsyncWorktally`` with this token (``max_retries`` None: its default)."""
    from worktally_client.client import AsyncWorktally

    options: dict[str, Any] = {"transport": transport}
    if max_retries is not None:
        options["max_retries"] = max_retries
    return AsyncWorktally(base_url, token, **options)


# ---------------------------------------------------------------------------------------------------------------
# Calling the API


def _api_error(exc: Exception) -> ToolError | None:
    """The client's typed error (``APIError``: status, error code, message, field errors) as the tool's error."""
    status = getattr(exc, "status", None)
    message = getattr(exc, "message", None)
    if not isinstance(status, int) or not isinstance(message, str):
        return None
    code = getattr(exc, "error", None)
    text = f"{message} (HTTP {status}{', ' + code if code else ''})"
    fields = getattr(exc, "errors", None) or {}
    if isinstance(fields, dict) and fields:
        text += " " + "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in fields.items())
    return ToolError(text)


async def _call(
    api: Api,
    method: str,
    path: str,
    params: Mapping[str, Any] | None = None,
    json: Mapping[str, Any] | None = None,
) -> Any:
    clean = {k: v for k, v in (params or {}).items() if v is not None}
    try:
        return await api.request(method, API + path, params=clean, json=json)
    except ToolError:
        raise
    except Exception as exc:
        error = _api_error(exc)
        if error is None:
            raise
        raise error from exc


async def _all(api: Api, path: str, params: Mapping[str, Any], per_page: int = PAGE) -> list[dict[str, Any]]:
    """Every row of a list, page by page (at most MAX_ROWS)."""
    rows: list[dict[str, Any]] = []
    page = 1
    while len(rows) < MAX_ROWS:
        data = await _call(api, "GET", path, {**params, "page": page, "per_page": per_page})
        batch = list(data or [])
        rows.extend(batch)
        if len(batch) < per_page:
            break
        page += 1
    return rows[:MAX_ROWS]


@dataclass(frozen=True, slots=True)
class Caller:
    """The workspace a tool acts in, and who the caller is there."""

    api: Api
    workspace_id: int
    user_id: int
    role: str

    def q(self, **params: Any) -> dict[str, Any]:
        return {"workspace_id": self.workspace_id, **params}

    def body(self, **fields: Any) -> dict[str, Any]:
        return {"workspace_id": self.workspace_id, **{k: v for k, v in fields.items() if v is not None}}


@asynccontextmanager
async def _caller(ctx: Context, workspace_id: int | None) -> AsyncIterator[Caller]:
    async with _api(ctx) as api:
        workspaces = [w for w in await _all(api, "/workspaces", {}) if w.get("status") == "active"]
        if workspace_id is not None:
            chosen = [w for w in workspaces if w["id"] == workspace_id]
            if not chosen:
                raise ToolError(f"You are not an active member of workspace {workspace_id}. {_listed(workspaces)}")
        else:
            chosen = workspaces
            if not chosen:
                raise ToolError("You are not an active member of any workspace.")
            if len(chosen) > 1:
                raise ToolError(f"You belong to several workspaces: pass workspace_id. {_listed(workspaces)}")
        w = chosen[0]
        yield Caller(api=api, workspace_id=w["id"], user_id=w["user_id"], role=w["role"])


def _listed(workspaces: list[dict[str, Any]]) -> str:
    return "Workspaces: " + ", ".join(f"{w['id']} ({w['workspace_name']}, {w['role']})" for w in workspaces)


@asynccontextmanager
async def _api(ctx: Context) -> AsyncIterator[Api]:
    server = ctx.mcp_server
    if not isinstance(server, WorktallyMCP):
        raise ToolError("This tool runs only in Worktally's MCP server.")
    async with server.connect() as api:
        yield api


async def _today(c: Caller) -> date:
    """Today in the member's timezone (D9), as the server sees it."""
    data = await _call(c.api, "GET", "/time-tracking/current-data", c.q())
    return date.fromisoformat(data["date"])


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())  # D10: weeks start on Monday
    return monday, monday + timedelta(days=6)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


async def _project(c: Caller, project: str) -> dict[str, Any]:
    """A project the caller can see, by id or by part of its name."""
    text = project.strip()
    if text.isdigit():
        found: dict[str, Any] = await _call(c.api, "GET", f"/projects/{int(text)}", c.q())
        return found
    matches = await _all(c.api, "/projects", c.q(name=text))
    exact = [p for p in matches if p["name"].casefold() == text.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ToolError(f"No project you can see matches {project!r}.")
    names = ", ".join(f"{p['id']}: {p['name']}" for p in matches[:20])
    raise ToolError(f"Several projects match {project!r}; name one by id: {names}")


async def _contract(c: Caller, project: str) -> tuple[dict[str, Any], int]:
    """The project and the caller's active contract on it (a contract is a member's assignment to a project)."""
    p = await _project(c, project)
    contracts = await _all(c.api, "/contracts", c.q(project_id=p["id"], user_id=c.user_id, status="active"))
    if not contracts:
        raise ToolError(f"You are not assigned to project {p['name']!r} (id {p['id']}).")
    return p, int(contracts[0]["id"])


def _pick(row: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: row[k] for k in keys if k in row}


ENTRY_KEYS = tuple(
    [
        "id",
        "date",
        "start_time",
        "end_time",
        "duration_minutes",
        "project_id",
        "project_name",
        "task_id",
        "task_title",
        "activity_description",
    ]
)
TIMESHEET_KEYS = tuple(["id", "user_id", "member", "date_from", "date_to", "status", "total_minutes", "reject_reason"])
LEAVE_KEYS = tuple(
    [
        "id",
        "user_id",
        "user_name",
        "policy_id",
        "policy_name",
        "status",
        "start_date",
        "end_date",
        "total",
        "note",
        "reject_reason",
    ]
)
REQUEST_KEYS = tuple(
    [
        "id",
        "user_id",
        "user_name",
        "status",
        "project_id",
        "project_name",
        "task_id",
        "start",
        "end",
        "activity_description",
        "comment",
    ]
)
Kind = Literal["timesheet", "leave", "time_request"]

# ---------------------------------------------------------------------------------------------------------------
# The tools


async def list_workspaces(ctx: Context) -> dict[str, Any]:
    """The workspaces you belong to, with your role in each; other tools take one's id as workspace_id."""
    async with _api(ctx) as api:
        rows = await _all(api, "/workspaces", {})
    return {"workspaces": [_pick(w, "id", "workspace_name", "role", "status", "user_id") for w in rows]}


async def timer_status(ctx: Context, workspace_id: int | None = None) -> dict[str, Any]:
    """Whether your timer is running (since when, on which project and task) and your time tracked today."""
    async with _caller(ctx, workspace_id) as c:
        data: dict[str, Any] = await _call(c.api, "GET", "/time-tracking/current-data", c.q())
    return data


async def start_timer(
    ctx: Context,
    project: str | None = None,
    task_id: int | None = None,
    note: str | None = None,
    workspace_id: int | None = None,
) -> dict[str, Any]:
    """Start your timer (clock in), on a project given by id or by part of its name, optionally a task of it and
    a note of what you are doing. Fails if a timer is already running: stop it first."""
    async with _caller(ctx, workspace_id) as c:
        contract_id = (await _contract(c, project))[1] if project else None
        body = c.body(contract_id=contract_id, task_id=task_id, activity_description=note)
        data: dict[str, Any] = await _call(c.api, "POST", "/time-tracking/start", c.q(), body)
    return data


async def stop_timer(ctx: Context, workspace_id: int | None = None) -> dict[str, Any]:
    """Stop your running timer (clock out); its time is saved as time entries."""
    async with _caller(ctx, workspace_id) as c:
        data: dict[str, Any] = await _call(c.api, "POST", "/time-tracking/stop", c.q())
    return data


async def log_time(
    ctx: Context,
    start: str,
    end: str,
    project: str | None = None,
    task_id: int | None = None,
    note: str | None = None,
    workspace_id: int | None = None,
) -> dict[str, Any]:
    """Log time you worked without the timer: start and end as ISO 8601 date-times (e.g. 2026-03-02T09:00;
    without an offset they are read in your timezone), at most 24 hours apart, on a project by id or by part of
    its name. The time is saved at once when your role or the workspace allows it; otherwise it waits as a time
    request for a manager's approval (the answer's status says which)."""
    async with _caller(ctx, workspace_id) as c:
        contract_id = (await _contract(c, project))[1] if project else None
        body = c.body(contract_id=contract_id, task_id=task_id, start=start, end=end, activity_description=note)
        data = await _call(c.api, "POST", "/time-requests", c.q(), body)
    return _pick(data, *REQUEST_KEYS)


async def delete_time_entry(ctx: Context, entry_id: str, workspace_id: int | None = None) -> dict[str, Any]:
    """Delete a time entry permanently (Owner and Executive manager only). The entry's id is in my_week."""
    async with _caller(ctx, workspace_id) as c:
        await _call(c.api, "DELETE", f"/time-entries/{entry_id}", c.q())
    return {"deleted": entry_id}


async def my_week(ctx: Context, day: str | None = None, workspace_id: int | None = None) -> dict[str, Any]:
    """Your time of the week (Monday to Sunday) holding `day` (YYYY-MM-DD, default today): the minutes of each
    day, the week's total, every entry, and the week's timesheet with its status."""
    async with _caller(ctx, workspace_id) as c:
        first, last = _week(_day(day, "day") or await _today(c))
        params = c.q(user_id=c.user_id, date_from=first.isoformat(), date_to=last.isoformat())
        entries = await _all(c.api, "/time-entries", params, per_page=ENTRY_PAGE)
        sheets = await _all(c.api, "/timesheets", params)
    days = {(first + timedelta(days=i)).isoformat(): 0 for i in range(7)}
    for entry in entries:
        days[entry["date"]] = days.get(entry["date"], 0) + int(entry.get("duration_minutes") or 0)
    return {
        "week": {"from": first.isoformat(), "to": last.isoformat()},
        "total_minutes": sum(days.values()),
        "minutes_per_day": days,
        "entries": [_pick(e, *ENTRY_KEYS) for e in entries],
        "timesheets": [_pick(s, *TIMESHEET_KEYS) for s in sheets],
    }


async def submit_timesheet(ctx: Context, day: str | None = None, workspace_id: int | None = None) -> dict[str, Any]:
    """Submit your timesheet of the period holding `day` (YYYY-MM-DD, default today) for approval."""
    async with _caller(ctx, workspace_id) as c:
        when = _day(day, "day") or await _today(c)
        params = c.q(user_id=c.user_id, date_from=when.isoformat(), date_to=when.isoformat())
        sheets = [s for s in await _all(c.api, "/timesheets", params) if s["date_from"] <= when.isoformat()]
        if not sheets:
            raise ToolError(f"You have no timesheet for {when.isoformat()}.")
        sheet = sheets[0]
        await _call(c.api, "PUT", f"/timesheets/{sheet['id']}/submit", c.q())
        after = await _all(c.api, "/timesheets", c.q(id=sheet["id"]))
    return _pick(after[0] if after else sheet, *TIMESHEET_KEYS)


async def pending_approvals(ctx: Context, days_back: int = 60, workspace_id: int | None = None) -> dict[str, Any]:
    """What waits for a decision, as far as your role lets you see: submitted timesheets, pending leave requests
    and pending time requests (those starting in the last `days_back` days or later). A member who manages
    nobody sees only their own."""
    async with _caller(ctx, workspace_id) as c:
        today = await _today(c)
        sheets = await _all(c.api, "/timesheets", c.q(status="submitted"))
        leaves = await _all(c.api, "/leaves", c.q(status="pending"))
        since = today - timedelta(days=max(0, min(days_back, 366)))
        until = today + timedelta(days=366)
        requests = await _all(
            c.api, "/time-requests", c.q(status="pending", date_from=since.isoformat(), date_to=until.isoformat())
        )
    return {
        "timesheets": [_pick(s, *TIMESHEET_KEYS) for s in sheets],
        "leaves": [_pick(x, *LEAVE_KEYS) for x in leaves],
        "time_requests": [_pick(r, *REQUEST_KEYS) for r in requests],
    }


_APPROVE: dict[str, tuple[str, str]] = {
    "timesheet": ("PUT", "/timesheets/{id}/approve"),
    "leave": ("PUT", "/leaves/{id}/approve"),
    "time_request": ("POST", "/time-requests/{id}/approve"),
}
_REJECT: dict[str, tuple[str, str, str]] = {
    "timesheet": ("PUT", "/timesheets/{id}/reject", "reason"),
    "leave": ("PUT", "/leaves/{id}/reject", "reason"),
    "time_request": ("POST", "/time-requests/{id}/reject", "comment"),
}


async def approve(ctx: Context, kind: Kind, id: str, workspace_id: int | None = None) -> dict[str, Any]:
    """Approve a submitted timesheet, a pending leave request or a pending time request (ids from
    pending_approvals). Needs a manager's role over that member."""
    async with _caller(ctx, workspace_id) as c:
        method, path = _APPROVE[kind]
        await _call(c.api, method, path.format(id=id), c.q())
    return {"approved": {"kind": kind, "id": id}}


async def reject(ctx: Context, kind: Kind, id: str, reason: str, workspace_id: int | None = None) -> dict[str, Any]:
    """Reject a submitted timesheet, a pending leave request or a pending time request, with the reason shown to
    the member. A rejected time request's time is not saved. Needs a manager's role over that member."""
    async with _caller(ctx, workspace_id) as c:
        method, path, field = _REJECT[kind]
        await _call(c.api, method, path.format(id=id), c.q(), c.body(**{field: reason}))
    return {"rejected": {"kind": kind, "id": id, "reason": reason}}


async def leave_balance(
    ctx: Context, date_from: str | None = None, date_to: str | None = None, workspace_id: int | None = None
) -> dict[str, Any]:
    """Your leave balance per policy from date_from to date_to (default: this calendar year), and the leave
    policies that apply to you (their ids are what request_leave takes)."""
    async with _caller(ctx, workspace_id) as c:
        first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
        if first is None or last is None:
            today = await _today(c)
            first, last = first or date(today.year, 1, 1), last or date(today.year, 12, 31)
        params = c.q(user_id=c.user_id, date_from=first.isoformat(), date_to=last.isoformat())
        balances = await _all(c.api, "/leaves/balances", params)
        policies = await _all(c.api, "/leaves/policies", c.q())
    mine = [b for b in balances if b["user_id"] == c.user_id]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "balances": mine[0]["leave_information"] if mine else [],
        "policies": [_pick(p, "id", "name", "unit", "is_paid", "hours_per_day", "reason_required") for p in policies],
    }


async def request_leave(
    ctx: Context,
    policy_id: int,
    start: str,
    end: str,
    reason: str | None = None,
    workspace_id: int | None = None,
) -> dict[str, Any]:
    """Request leave for yourself under a policy (ids from leave_balance), from start to end (YYYY-MM-DD, both
    days included). It waits for a manager's approval."""
    async with _caller(ctx, workspace_id) as c:
        body = c.body(policy_id=policy_id, start=start, end=end, reason=reason)
        data = await _call(c.api, "POST", "/leaves", c.q(), body)
    return _pick(data, *LEAVE_KEYS)


async def add_expense(
    ctx: Context,
    name: str,
    amount: float,
    day: str | None = None,
    project: str | None = None,
    category_id: str | None = None,
    note: str | None = None,
    is_billable: bool = False,
    workspace_id: int | None = None,
) -> dict[str, Any]:
    """Add an expense of yours: a name, the amount (in the workspace's currency, two decimals at most), the day
    (YYYY-MM-DD, default today), optionally a project (id or part of its name), a category id
    (expense_categories lists them) and a note."""
    async with _caller(ctx, workspace_id) as c:
        when = _day(day, "day") or await _today(c)
        project_id = (await _project(c, project))["id"] if project else None
        body = c.body(
            expense_name=name,
            amount=amount,
            date=when.isoformat(),
            project_id=project_id,
            category_id=category_id,
            note=note,
            is_billable=is_billable,
        )
        data = await _call(c.api, "POST", "/expenses", c.q(), body)
    return _pick(data, "id", "expense_name", "date", "amount", "currency", "project_id", "category_id", "note")


async def expense_categories(ctx: Context, workspace_id: int | None = None) -> dict[str, Any]:
    """The workspace's expense categories (their ids are what add_expense takes)."""
    async with _caller(ctx, workspace_id) as c:
        rows = await _all(c.api, "/expenses/categories", c.q())
    return {"categories": [_pick(r, "id", "name") for r in rows]}


async def tracked_hours(
    ctx: Context,
    start_date: str | None = None,
    end_date: str | None = None,
    user_id: int | None = None,
    project_id: int | None = None,
    workspace_id: int | None = None,
) -> dict[str, Any]:
    """Tracked time from start_date to end_date (YYYY-MM-DD; default this week): the total and the minutes of
    each day, for everyone you may see (a member sees their own), or one member (user_id) or one project."""
    async with _caller(ctx, workspace_id) as c:
        first, last = _day(start_date, "start_date"), _day(end_date, "end_date")
        if first is None or last is None:
            week = _week(await _today(c))
            first, last = first or week[0], last or week[1]
        params = c.q(
            start_date=first.isoformat(),
            end_date=last.isoformat(),
            user_id=user_id,
            projects=str(project_id) if project_id else None,
        )
        data = await _call(c.api, "GET", "/reports/tracked-hours", params)
    days = data.get("days") or {}
    return {
        "from": data.get("start_date"),
        "to": data.get("end_date"),
        "total": data.get("total"),
        "minutes_per_day": {d: _day_minutes(v) for d, v in days.items()},
    }


def _day_minutes(day: Any) -> int | None:
    if isinstance(day, dict):
        total = day.get("total")
        if isinstance(total, dict) and isinstance(total.get("total_minutes"), int):
            return int(total["total_minutes"])
        if isinstance(day.get("total_minutes"), int):
            return int(day["total_minutes"])
    return None


async def find_projects(ctx: Context, name: str | None = None, workspace_id: int | None = None) -> dict[str, Any]:
    """The projects you can see, or those whose name contains `name` (case-insensitive)."""
    async with _caller(ctx, workspace_id) as c:
        rows = await _all(c.api, "/projects", c.q(name=name or None))
    return {"projects": [_pick(p, "id", "name", "is_billable", "deadline", "notes") for p in rows]}


async def find_tasks(
    ctx: Context, project: str | None = None, title: str | None = None, workspace_id: int | None = None
) -> dict[str, Any]:
    """The tasks you can see, of one project (id or part of its name) and/or whose title contains `title`."""
    async with _caller(ctx, workspace_id) as c:
        project_id = (await _project(c, project))["id"] if project else None
        rows = await _all(c.api, "/tasks", c.q(project_id=project_id))
    if title:
        rows = [t for t in rows if title.casefold() in t["title"].casefold()]
    keys = ("id", "title", "project_id", "status_name", "priority_name", "end_date", "assignees")
    return {"tasks": [_pick(t, *keys) for t in rows]}


async def find_members(ctx: Context, name: str | None = None, workspace_id: int | None = None) -> dict[str, Any]:
    """The workspace's members you may see, or those whose name or e-mail contains `name`."""
    async with _caller(ctx, workspace_id) as c:
        rows = await _all(c.api, "/members", c.q())
    if name:
        needle = name.casefold()
        rows = [m for m in rows if needle in f"{m['firstname']} {m['lastname']} {m['email']}".casefold()]
    keys = ("id", "firstname", "lastname", "email", "current_role", "status", "team_name", "title")
    return {"members": [_pick(m, *keys) for m in rows]}


# ---------------------------------------------------------------------------------------------------------------
# The list, with each tool's hints


@dataclass(frozen=True, slots=True)
class ToolSpec:
    fn: Callable[..., Any]
    title: str
    annotations: ToolAnnotations


def _read(fn: Callable[..., Any], title: str) -> ToolSpec:
    return ToolSpec(fn, title, ToolAnnotations(title=title, read_only_hint=True, open_world_hint=False))


def _write(fn: Callable[..., Any], title: str, *, destructive: bool = False, idempotent: bool = False) -> ToolSpec:
    hints = ToolAnnotations(
        title=title,
        read_only_hint=False,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=False,
    )
    return ToolSpec(fn, title, hints)


TOOLS: tuple[ToolSpec, ...] = (
    _read(list_workspaces, "List my workspaces"),
    _read(timer_status, "Timer status"),
    _write(start_timer, "Start the timer"),
    _write(stop_timer, "Stop the timer"),
    _write(log_time, "Log time"),
    _write(delete_time_entry, "Delete a time entry", destructive=True, idempotent=True),
    _read(my_week, "My week"),
    _write(submit_timesheet, "Submit my timesheet", idempotent=True),
    _read(pending_approvals, "Pending approvals"),
    _write(approve, "Approve", idempotent=True),
    _write(reject, "Reject", destructive=True, idempotent=True),
    _read(leave_balance, "Leave balance"),
    _write(request_leave, "Request leave"),
    _write(add_expense, "Add an expense"),
    _read(expense_categories, "Expense categories"),
    _read(tracked_hours, "Tracked hours summary"),
    _read(find_projects, "Find projects"),
    _read(find_tasks, "Find tasks"),
    _read(find_members, "Find members"),
)
WRITE_TOOLS = frozenset(s.fn.__name__ for s in TOOLS if not s.annotations.read_only_hint)


# ---------------------------------------------------------------------------------------------------------------
# stdio: `wt mcp`


def stdio_server(base_url: str, token: str) -> WorktallyMCP:
    """The tools over one client of ``base_url`` with ``token`` (retries as the client's defaults)."""
    client = connect_api(base_url, token)

    @asynccontextmanager
    async def connect() -> AsyncIterator[Api]:
        yield client

    return WorktallyMCP(connect)


def run_stdio(base_url: str, token: str) -> None:
    """Serve the tools on standard input and output until the other side closes them (``wt mcp``)."""
    import anyio

    anyio.run(stdio_server(base_url, token).run_stdio_async)


def main() -> None:
    """``python -m worktally_client.mcp_tools``: WORKTALLY_URL and WORKTALLY_TOKEN say where and as whom."""
    url, token = os.environ.get("WORKTALLY_URL"), os.environ.get("WORKTALLY_TOKEN")
    if not url or not token:
        raise SystemExit("Set WORKTALLY_URL and WORKTALLY_TOKEN.")
    run_stdio(url, token)


if __name__ == "__main__":
    main()
