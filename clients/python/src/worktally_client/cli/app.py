"""The ``wt`` commands. Each one is a few calls of ``worktally_client.Worktally``; errors print one line
with the server's message and code, and exit 1."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.prompt import IntPrompt

from worktally_client import Worktally
from worktally_client.cli.config import Config
from worktally_client.cli.output import CsvFlag, Format, JsonFlag, emit, emit_one, fmt, hours
from worktally_client.errors import APIError, PermissionDeniedError, WorktallyError

# Never a traceback with locals: they would hold the token.
app = typer.Typer(
    help="wt: track time with Worktally from the terminal.", no_args_is_help=True, pretty_exceptions_show_locals=False
)
approvals_app = typer.Typer(help="Timesheets, time requests and leave waiting for you (managers).")
leave_app = typer.Typer(help="Leave: balances and requests.", invoke_without_command=True)
app.add_typer(approvals_app, name="approvals")
app.add_typer(leave_app, name="leave")
err = Console(stderr=True)


class Session:
    """The signed-in user: the client, the workspace and the user's id in it."""

    def __init__(self) -> None:
        self.config = Config.load()
        if not self.config.url or not self.config.token:
            raise WorktallyError("not signed in: run `wt login` (or set WORKTALLY_URL and WORKTALLY_TOKEN)")
        self.client = Worktally(self.config.url, self.config.token, workspace_id=self.config.workspace_id)
        if self.config.workspace_id is None or self.config.user_id is None:
            chosen = choose_workspace(self.client, self.config)
            self.client.workspace_id = chosen.id

    @property
    def me(self) -> int:
        assert self.config.user_id is not None
        return self.config.user_id


def choose_workspace(client: Worktally, config: Config) -> Any:
    """The configured workspace among the token's (else its first); sets the config's ids from it."""
    workspaces = client.workspaces.list().data
    if not workspaces:
        raise WorktallyError("this token belongs to no workspace")
    chosen = next((w for w in workspaces if w.id == config.workspace_id), workspaces[0])
    config.workspace_id, config.user_id = chosen.id, chosen.user_id
    return chosen


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())  # weeks start on Monday (D10)
    return monday, monday + timedelta(days=6)


def pick_contract(s: Session, project: str | None) -> Any:
    """A contract of mine by project id or part of the project's name; a pick list when several match."""
    contracts = [c for c in s.client.contracts.list(user_id=s.me) if str(c.status) in ("active", "Status.active")]
    if project:
        wanted = project.lower()
        contracts = [c for c in contracts if str(c.project_id) == project or wanted in (c.project_name or "").lower()]
    if not contracts:
        raise WorktallyError(f"no project of yours matches {project!r}" if project else "you have no active contract")
    if len(contracts) == 1:
        return contracts[0]
    if not sys.stdin.isatty():
        names = ", ".join(f"{c.project_id} {c.project_name}" for c in contracts)
        raise WorktallyError(f"{len(contracts)} projects match: {names}; give the id")
    for n, c in enumerate(contracts, 1):
        err.print(f"  {n}. {c.project_name} (project {c.project_id})")
    choice = IntPrompt.ask("Which one", choices=[str(n) for n in range(1, len(contracts) + 1)], console=err)
    return contracts[choice - 1]


def find_task(s: Session, project_id: int, task: str | None) -> int | None:
    if task is None:
        return None
    tasks = list(s.client.tasks.list(project_id=project_id))
    found = [t for t in tasks if str(t.id) == task or task.lower() in t.title.lower()]
    if len(found) != 1:
        raise WorktallyError(f"{len(found)} tasks match {task!r}")
    return int(found[0].id)


def entries(s: Session, first: date, last: date) -> list[Any]:
    if first == last:
        return list(s.client.time_entries.list(user_id=s.me, date=first.isoformat(), per_page=100))
    return list(s.client.time_entries.list(user_id=s.me, date_from=first.isoformat(), date_to=last.isoformat()))


def entry_row(e: Any) -> dict[str, Any]:
    return {
        "id": e.id,
        "date": str(e.date),
        "start": str(e.start_time)[11:16],
        "end": str(e.end_time)[11:16],
        "minutes": e.total_minutes,
        "project": e.project_name,
        "task": e.task_title,
        "description": e.activity_description,
    }


@app.command()
def login(
    url: Annotated[str, typer.Option(envvar="WORKTALLY_URL", help="The server, e.g. http://127.0.0.1:8000")],
    token: Annotated[str | None, typer.Option(help="A personal access token instead of the browser.")] = None,
    workspace: Annotated[int | None, typer.Option(help="The workspace to use (default: the first).")] = None,
    no_browser: Annotated[bool, typer.Option(help="Print the sign-in address instead of opening it.")] = False,
) -> None:
    """Sign in: through the browser (OAuth2 with PKCE on a loopback redirect), or with --token."""
    from worktally_client.cli.login import browser_login

    if token is None:
        opener = (lambda address: err.print(f"Open this address to sign in:\n  {address}")) if no_browser else None
        token = browser_login(url, **({"open_url": opener} if opener else {}))
    config = Config(url=url, token=token, workspace_id=workspace)
    with Worktally(url, token, workspace_id=workspace) as client:
        chosen = choose_workspace(client, config)
    path = config.save()
    err.print(f"Signed in to {chosen.workspace_name} as {chosen.role}; saved to {path}")


@app.command()
def start(
    project: Annotated[str | None, typer.Argument(help="Project id or part of its name.")] = None,
    task: Annotated[str | None, typer.Option("-t", "--task", help="Task id or part of its title.")] = None,
    message: Annotated[str | None, typer.Option("-m", "--message", help="What you are doing.")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Start the timer on a project (and task)."""
    s = Session()
    contract = pick_contract(s, project)
    started = s.client.time_tracking.start(
        contract_id=contract.id, task_id=find_task(s, contract.project_id, task), activity_description=message
    )
    emit_one(
        {"project": started.project_name, "task": started.task_title, "started": str(started.start_time)},
        fmt(as_json, as_csv),
    )


@app.command()
def stop(as_json: JsonFlag = False, as_csv: CsvFlag = False) -> None:
    """Stop the timer."""
    s = Session()
    stopped = s.client.time_tracking.stop()
    emit_one(stopped.model_dump(mode="json"), fmt(as_json, as_csv))


@app.command()
def status(as_json: JsonFlag = False, as_csv: CsvFlag = False) -> None:
    """The running timer, and today's and this week's totals."""
    s = Session()
    today = date.today()
    current = s.client.time_tracking.current(user_id=s.me)
    first, last = week_of(today)
    week = entries(s, first, last)
    today_minutes = sum(e.total_minutes or 0 for e in week if str(e.date) == today.isoformat())
    row = {
        "tracking": bool(current.is_tracking),
        "project": current.project_name if current.is_tracking else None,
        "task": current.task_title if current.is_tracking else None,
        "since": str(current.started_at) if current.is_tracking and current.started_at else None,
        "today": hours(today_minutes),
        "week": hours(sum(e.total_minutes or 0 for e in week)),
        "today_minutes": today_minutes,
        "week_minutes": sum(e.total_minutes or 0 for e in week),
    }
    emit_one(row, fmt(as_json, as_csv))


@app.command()
def log(
    week: Annotated[bool, typer.Option("--week", "-w", help="This week instead of today.")] = False,
    day: Annotated[str | None, typer.Option(help="Another day (YYYY-MM-DD), or with --week its week.")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Your time entries of today (or of a week)."""
    s = Session()
    when = date.fromisoformat(day) if day else date.today()
    first, last = week_of(when) if week else (when, when)
    rows = [entry_row(e) for e in entries(s, first, last)]
    columns = ["id", "date", "start", "end", "minutes", "project", "task", "description"]
    emit(rows, columns, fmt(as_json, as_csv), title=f"{first} to {last}" if week else str(when))


@app.command()
def add(
    span: Annotated[str, typer.Argument(help="HH:MM-HH:MM")],
    project: Annotated[str | None, typer.Argument(help="Project id or part of its name.")] = None,
    message: Annotated[str | None, typer.Option("-m", "--message")] = None,
    task: Annotated[str | None, typer.Option("-t", "--task")] = None,
    day: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today).")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Add time by hand: wt add 09:00-10:30 PROJECT -m TEXT."""
    try:
        start_at, end_at = (datetime.strptime(part.strip(), "%H:%M").strftime("%H:%M") for part in span.split("-"))
    except ValueError:
        raise WorktallyError(f"{span!r} is not HH:MM-HH:MM") from None
    s = Session()
    contract = pick_contract(s, project)
    task_id = find_task(s, contract.project_id, task)
    on = date.fromisoformat(day) if day else date.today()
    try:
        entry = s.client.time_entries.create(
            user_id=s.me,
            contract_id=contract.id,
            task_id=task_id,
            date=on.isoformat(),
            start_time=start_at,
            end_time=end_at,
            notes=message,
        )
    except PermissionDeniedError as refused:
        if refused.error != "role_forbidden":
            raise
        # A Regular User adds time by asking for it: a time request, approved by a manager (as in the web app).
        at = [datetime.combine(on, datetime.strptime(t, "%H:%M").time()).astimezone() for t in (start_at, end_at)]
        request = s.client.time_requests.create(
            contract_id=contract.id,
            task_id=task_id,
            start=at[0].isoformat(),
            end=at[1].isoformat(),
            activity_description=message,
        )
        err.print("Your role adds time through a manager: sent as a time request for approval.")
        emit_one(
            {
                "kind": "time-request",
                "id": request.id,
                "status": str(request.status),
                "project": request.project_name,
                "start": str(request.start),
                "end": str(request.end),
                "description": request.activity_description,
            },
            fmt(as_json, as_csv),
        )
        return
    emit_one({"kind": "time-entry", **entry_row(entry)}, fmt(as_json, as_csv))


@app.command("week")
def week_grid(
    day: Annotated[str | None, typer.Option(help="A day of the week to show (default: this week).")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """The week as a grid: projects by days, with totals."""
    s = Session()
    first, last = week_of(date.fromisoformat(day) if day else date.today())
    days = [first + timedelta(days=n) for n in range(7)]
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries(s, first, last):
        grid[e.project_name or "(no project)"][str(e.date)] += e.total_minutes or 0
    form = fmt(as_json, as_csv)
    rows: list[dict[str, Any]] = []
    for project_name, per_day in sorted(grid.items()):
        row: dict[str, Any] = {"project": project_name}
        for d in days:
            row[d.strftime("%a %d")] = (
                per_day.get(d.isoformat(), 0) if form is not Format.table else hours(per_day.get(d.isoformat(), 0))
            )
        total = sum(per_day.values())
        row["total"] = total if form is not Format.table else hours(total)
        rows.append(row)
    emit(rows, ["project", *(d.strftime("%a %d") for d in days), "total"], form, title=f"Week of {first}")


@app.command()
def submit(
    day: Annotated[str | None, typer.Option(help="A day of the week to submit (default: this week).")] = None,
) -> None:
    """Submit the week's timesheet for approval."""
    s = Session()
    first, last = week_of(date.fromisoformat(day) if day else date.today())
    sheets = s.client.timesheets.list(user_id=s.me, date_from=first.isoformat(), date_to=last.isoformat()).data
    if not sheets:
        raise WorktallyError(f"no timesheet for the week of {first}")
    s.client.timesheets.submit(sheets[0].id)
    err.print(f"Submitted the timesheet of {first} to {last} ({hours(sheets[0].total_minutes)}).")


@approvals_app.callback(invoke_without_command=True)
def approvals(ctx: typer.Context, as_json: JsonFlag = False, as_csv: CsvFlag = False) -> None:
    """What waits for your approval (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    s = Session()
    rows: list[dict[str, Any]] = []
    for t in s.client.timesheets.list(status="submitted"):
        rows.append(
            {
                "kind": "timesheet",
                "id": t.id,
                "who": f"{t.member.firstname} {t.member.lastname}" if t.member else t.user_id,
                "what": f"{t.date_from} to {t.date_to}",
                "amount": hours(t.total_minutes),
            }
        )
    since, until = date.today() - timedelta(days=366), date.today() + timedelta(days=31)
    for r in s.client.time_requests.list(status="pending", date_from=since.isoformat(), date_to=until.isoformat()):
        rows.append(
            {
                "kind": "time-request",
                "id": r.id,
                "who": r.user_name,
                "what": f"{r.start} to {r.end}",
                "amount": r.project_name,
            }
        )
    for leave in s.client.leaves.list(status="pending"):
        rows.append(
            {
                "kind": "leave",
                "id": leave.id,
                "who": leave.user_name,
                "what": f"{leave.policy_name} {leave.start_date} to {leave.end_date}",
                "amount": leave.total,
            }
        )
    emit(rows, ["kind", "id", "who", "what", "amount"], fmt(as_json, as_csv), title="Waiting for approval")


KINDS = ("timesheet", "time-request", "leave")


def _decide(kind: str, item_id: str, reason: str | None) -> None:
    s = Session()
    if kind not in KINDS:
        raise WorktallyError(f"kind must be one of {', '.join(KINDS)}")
    group = {"timesheet": s.client.timesheets, "time-request": s.client.time_requests, "leave": s.client.leaves}[kind]
    if reason is None:
        group.approve(item_id)
        err.print(f"Approved {kind} {item_id}.")
    else:
        group.reject(item_id, **{"reason" if kind != "time-request" else "comment": reason})
        err.print(f"Rejected {kind} {item_id}.")


@approvals_app.command("approve")
def approve(kind: Annotated[str, typer.Argument(help=" | ".join(KINDS))], item_id: str) -> None:
    """Approve a timesheet, time request or leave."""
    _decide(kind, item_id, None)


@approvals_app.command("reject")
def reject(
    kind: Annotated[str, typer.Argument(help=" | ".join(KINDS))],
    item_id: str,
    reason: Annotated[str, typer.Option("--reason", "-r", help="Shown to the member.")],
) -> None:
    """Reject with a reason the member sees."""
    _decide(kind, item_id, reason)


@leave_app.callback()
def leave(ctx: typer.Context, as_json: JsonFlag = False, as_csv: CsvFlag = False) -> None:
    """Your leave balances (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    s = Session()
    year = date.today().year
    rows = [
        {"policy_id": item.policy_id, "leave": item.leave_type, "balance": item.balance, "allowance": item.allowance}
        for b in s.client.leaves.list_balances(user_id=s.me, date_from=f"{year}-01-01", date_to=f"{year}-12-31")
        for item in b.leave_information
    ]
    emit(rows, ["policy_id", "leave", "balance", "allowance"], fmt(as_json, as_csv), title=f"Leave {year}")


@leave_app.command("request")
def leave_request(
    policy: Annotated[str, typer.Argument(help="Policy id or part of its name.")],
    start_day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    end_day: Annotated[str | None, typer.Argument(help="YYYY-MM-DD (default: the start)")] = None,
    note: Annotated[str | None, typer.Option("-m", "--reason", help="Why (some policies ask for it).")] = None,
) -> None:
    """Ask for leave."""
    s = Session()
    policies = [p for p in s.client.leaves.list_policies() if str(p.id) == policy or policy.lower() in p.name.lower()]
    if len(policies) != 1:
        raise WorktallyError(f"{len(policies)} policies match {policy!r}")
    created = s.client.leaves.request(policy_id=policies[0].id, start=start_day, end=end_day or start_day, reason=note)
    err.print(f"Asked for {policies[0].name} {created.start_date} to {created.end_date}: {created.status}.")


@app.command()
def report(
    period: Annotated[str, typer.Argument(help="today | week | month")] = "week",
    day: Annotated[str | None, typer.Option(help="A day of the period (default: today).")] = None,
    as_json: JsonFlag = False,
    as_csv: CsvFlag = False,
) -> None:
    """Tracked hours per member and project (yours, or your team's for managers)."""
    import csv
    import io

    today = date.fromisoformat(day) if day else date.today()
    if period == "today":
        first, last = today, today
    elif period == "week":
        first, last = week_of(today)
    elif period == "month":
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        raise WorktallyError("period must be today, week or month")
    s = Session()
    text = s.client.reports.tracked_hours(start_date=first.isoformat(), end_date=last.isoformat(), format="csv")
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for line in csv.DictReader(io.StringIO(str(text))):
        totals[(line["user_name"], line["project_name"])] += int(line["total_minutes"] or 0)
    form = fmt(as_json, as_csv)
    rows = [{"member": m, "project": p, "minutes": v, "hours": hours(v)} for (m, p), v in sorted(totals.items())]
    emit(rows, ["member", "project", "hours", "minutes"], form, title=f"Tracked {first} to {last}")


@app.command()
def mcp() -> None:
    """Serve the Worktally tools to an assistant over MCP (stdio), as you."""
    try:
        from worktally_client.mcp_tools import run_stdio
    except ImportError as missing:
        raise WorktallyError(f"MCP needs the mcp extra: pip install 'worktally-client[mcp]' ({missing})") from None
    config = Config.load()
    if not config.url or not config.token:
        raise WorktallyError("not signed in: run `wt login`")
    run_stdio(config.url, config.token)


def main() -> None:
    try:
        app()
    except APIError as error:
        err.print(f"[red]error:[/red] {error.message} ({error.error or error.status})", highlight=False)
        sys.exit(1)
    except WorktallyError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(1)
