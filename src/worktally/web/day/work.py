"""What the day and week pages read through the domain services: the member's contracts and tasks (the
timer's choices), one day's entries, the timesheet of a week. No query of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.fields import valid_id
from worktally.api.pagination import PageParams
from worktally.auth.permissions import CONTRACTS_READ, TASKS_READ
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.contract import service as contracts
from worktally.contract.schemas import ContractFilters
from worktally.core.errors import ValidationError
from worktally.db.prepared import RequestDb
from worktally.task import service as tasks
from worktally.task.schemas import TaskFilters
from worktally.time_entry import service as time_entries
from worktally.time_entry.schemas import TimeEntryCreate, TimeEntryRead
from worktally.time_entry.targets import member_for_read
from worktally.time_request.schemas import TimeRequestCreate
from worktally.timesheet import service as timesheets
from worktally.timesheet.schemas import TimesheetRead
from worktally.web.pages import Form

T = TypeVar("T")
_ALL_PAGES = 50  # pages read at most for one list (5,000 rows at 100 a page): beyond that a page is not the tool


async def every_page(read: Callable[[PageParams], Awaitable[tuple[list[T], Pagination]]], per_page: int) -> list[T]:
    items: list[T] = []
    for number in range(1, _ALL_PAGES + 1):
        chunk, meta = await read(PageParams(number, per_page))
        items.extend(chunk)
        if number >= meta.last_page:
            break
    return items


@dataclass(frozen=True, slots=True)
class Choice:
    """A line of the timer's project/task menu: ``value`` is ``contract_id:task_id`` (either may be empty)."""

    value: str
    label: str
    contract_id: int | None
    task_id: int | None


@dataclass(frozen=True, slots=True)
class ChoiceGroup:
    label: str
    choices: list[Choice]


NO_PROJECT = Choice(value="", label="No project", contract_id=None, task_id=None)


def choice_value(contract_id: int | None, task_id: int | None) -> str:
    if contract_id is None:
        return ""
    return f"{contract_id}:{task_id}" if task_id is not None else f"{contract_id}:"


def parse_choice(value: str, field: str = "target") -> tuple[int | None, int | None]:
    """``"12:34"`` → (12, 34); ``"12:"`` → (12, None); ``""`` → (None, None); anything else is a 422 on ``field``."""
    if not value.strip():
        return None, None
    contract, _, task = value.strip().partition(":")
    try:
        contract_id = int(contract)
        task_id = int(task) if task else None
    except ValueError:
        raise ValidationError({field: ["The selected project or task is invalid."]}) from None
    if not valid_id(contract_id) or (task_id is not None and not valid_id(task_id)):
        raise ValidationError({field: ["The selected project or task is invalid."]})
    return contract_id, task_id


async def choices(session: AsyncSession, principal: Principal) -> list[ChoiceGroup]:
    """The member's active contracts, each with the tasks of its project the member may see (D6, D13)."""
    if not principal.can_any(CONTRACTS_READ):
        return []
    mine = await every_page(
        lambda page: contracts.list_contracts(
            session, principal, ContractFilters(user_id=principal.user_id, status="active"), page
        ),
        100,
    )
    by_project: dict[int, list[Any]] = {}
    if mine and principal.can_any(TASKS_READ):
        for task in await every_page(lambda page: tasks.list_tasks(session, principal, TaskFilters(), page), 100):
            by_project.setdefault(task.project_id, []).append(task)
    groups = []
    for contract in sorted(mine, key=lambda c: ((c.project_name or "").lower(), c.id)):
        name = contract.project_name or f"Project {contract.project_id}"
        items = [Choice(choice_value(contract.id, None), f"{name} (no task)", contract.id, None)]
        for task in sorted(by_project.get(contract.project_id, []), key=lambda t: (t.title.lower(), t.id)):
            items.append(Choice(choice_value(contract.id, task.id), f"{name} · {task.title}", contract.id, task.id))
        groups.append(ChoiceGroup(name, items))
    return groups


async def day_entries(
    session: AsyncSession, principal: Principal, day: date, last: date | None = None
) -> list[TimeEntryRead]:
    """The member's entries of ``day`` (to ``last``; their timezone, D9), as ``GET /time-entries`` lists them."""
    return await every_page(
        lambda page: time_entries.list_entries(
            RequestDb.in_session(session),
            principal,
            user_id=principal.user_id,
            first=day,
            last=last or day,
            project_id=None,
            task_id=None,
            page=page,
        ),
        50,
    )


async def last_entry(session: AsyncSession, principal: Principal, today: date, days: int = 7) -> TimeEntryRead | None:
    """The latest entry of the last ``days`` days, for "continue the last entry"."""
    found = await day_entries(session, principal, today - timedelta(days=days - 1), today)
    return max(found, key=lambda e: (e.start_time, e.id)) if found else None


async def week_sheet(session: AsyncSession, principal: Principal, monday: date) -> TimesheetRead | None:
    """The member's timesheet for the period starting ``monday``, as ``GET /timesheets`` reads it (D10)."""
    found, _ = await timesheets.list_timesheets(
        session,
        principal,
        status=None,
        date_from=monday,
        date_to=monday + timedelta(days=6),
        user_id=principal.user_id,
        timesheet_id=None,
        descending=False,
        page=PageParams(1, 10),
    )
    return _covering(found, monday)


def _covering(sheets: Sequence[TimesheetRead], day: date) -> TimesheetRead | None:
    return next((s for s in sheets if s.date_from <= day <= s.date_to), sheets[0] if sheets else None)


async def requests_apply_at_once(session: AsyncSession, principal: Principal) -> bool:
    """Whether a new time request of the member is applied at once (D10), for the form's hint only: the
    time request service decides (``time_request.service.create``: an approver's own, or auto-approval)."""
    member = await member_for_read(session, principal.workspace_id, principal.user_id)
    return principal.can(P.TIME_REQUESTS_APPROVE) or member.workspace_auto_approve


def locked(sheet: TimesheetRead | None) -> bool:
    """D10: time inside an approved timesheet cannot be changed."""
    return sheet is not None and sheet.status == "approved"


def request_body(form: Form) -> tuple[TimeRequestCreate, date]:
    """The form's date and HH:mm (checked as a time entry's are) as the API's ``TimeRequestCreate``."""
    contract_id, task_id = parse_choice(form.get("target"))
    when = TimeEntryCreate(
        user_id=1,  # only the date and times are used here
        date=form.get("date"),
        start_time=form.get("start_time"),
        end_time=form.get("end_time"),
        notes=form.get("notes").strip() or None,
    )
    end_day = when.date + timedelta(days=1) if when.end_time == "00:00" else when.date
    body = TimeRequestCreate(
        contract_id=contract_id,
        task_id=task_id,
        start=f"{when.date.isoformat()}T{when.start_time}:00",
        end=f"{end_day.isoformat()}T{when.end_time}:00",
        activity_description=when.notes,
    )
    return body, when.date
