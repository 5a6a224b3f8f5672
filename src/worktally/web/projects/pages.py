"""Projects (``/projects``): the projects the role sees (D6) with estimation and budget against tracked time
and money as bars; create, edit, archive, restore (D13); each project's contracts (member, rate and currency,
weekly limit, screenshot mode, pause) and tasks with their assignees. The services and schemas are the API's;
tracked time and money come from the tracked-hours report (the same service call as the API's report)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep, request_db
from worktally.api.fields import valid_id
from worktally.auth.permissions import TASKS_WRITE, is_staff_role
from worktally.auth.permissions import Permission as P
from worktally.contract import service as contracts
from worktally.contract.rules import SCREENSHOT_LABELS
from worktally.contract.schemas import ContractCreate, ContractFilters, ContractUpdate
from worktally.core.errors import AppError, ForbiddenError, NotFoundError
from worktally.member import service as members
from worktally.project import service as projects
from worktally.project.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from worktally.report import params, queries
from worktally.report import service as reports
from worktally.task import service as tasks
from worktally.task.schemas import TaskCreate, TaskFilters
from worktally.web import charts, lists
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import Form, redirect
from worktally.web.reports.summary import Line, summarise

router = APIRouter(route_class=WebRoute)

TRACKED_DAYS = params.UNCAPPED_RANGE_DAYS  # the report's longest range: tracked time is that of the last year
_PROJECT_FIELDS = ("name", "is_billable", "rate", "estimation", "budget", "start_date", "deadline", "notes")


def _may(frame: Frame, *permissions: P) -> None:
    if not frame.principal.can_any(permissions):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")


def _id(raw: int, what: str) -> int:
    if not valid_id(raw):
        raise NotFoundError(f"{what} not found.")
    return raw


async def _tracked(session: AsyncSession, frame: Frame, project_ids: list[int] | None) -> dict[int | None, Line]:
    """Tracked minutes and money per project over the last year (the tracked-hours report)."""
    end = frame.today
    report = await reports.tracked_hours(
        session,
        frame.principal,
        period=params.DateRange(end - timedelta(days=TRACKED_DAYS - 1), end),
        filters=queries.TrackedFilters(project_ids=project_ids),
        currencies=None,
    )
    return {line.key: line for line in summarise(report).projects}


def _project_values(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _PROJECT_FIELDS:
        raw = form.get(name).strip()
        if name == "is_billable":
            values[name] = raw == "1"
        elif raw:
            values[name] = raw
        else:
            values[name] = None
    if values["name"] is None:
        values["name"] = ""
    return values


def _money(line: Line | None) -> Decimal | None:
    if line is None or line.cents is None:
        return None
    return Decimal(sum(line.cents.values())) / 100 if len(line.cents) <= 1 else None


async def _render_list(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    principal = frame.principal
    found = await lists.every(lambda p: projects.list_projects(session, principal, name=None, page=p))
    archived: list[ProjectRead] = []
    if principal.can(P.PROJECTS_WRITE):
        archived = await lists.every(lambda p: projects.list_archived_projects(session, principal, page=p))
    tracked = await _tracked(session, frame, None)
    return page(
        request,
        "projects.html",
        frame,
        status_code=status_code,
        area="projects",
        projects=sorted(found, key=lambda p: (p.name.lower(), p.id)),
        archived=archived,
        tracked=tracked,
        money=_money,
        meter=charts.meter,
        may_write=principal.can(P.PROJECTS_WRITE),
        errors=errors or {},
        values={"is_billable": True, **(values or {})},
    )


@router.get("/projects")
async def projects_page(request: Request, session: SessionDep) -> Response:
    """The projects the role sees, with estimation and budget against what is tracked."""
    frame = await member_frame(request, session)
    need(frame, "projects")
    return await _render_list(request, session, frame)


@router.post("/projects")
async def create_project(request: Request, session: SessionDep) -> Response:
    """A new project."""
    frame, form = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.PROJECTS_WRITE)
    values = _project_values(form)
    try:
        created = await projects.create_project(session, frame.principal, ProjectCreate.model_validate(values))
    except (AppError, PydanticValidationError) as exc:
        await session.rollback()
        return await _render_list(
            request, session, frame, status_code=error_status(request, exc), errors=form_errors(exc), values=values
        )
    flash(request, "Project created successfully")
    return redirect(f"/projects/{created.id}")


async def _render_project(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    project_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    principal = frame.principal
    project = await projects.get_project(request_db(request), principal, project_id)
    held = await lists.every(
        lambda p: contracts.list_contracts(session, principal, ContractFilters(project_id=project_id), p)
    )
    task_list = await lists.every(lambda p: tasks.list_tasks(session, principal, TaskFilters(project_id=project_id), p))
    people: list[Any] = []
    if principal.can(P.CONTRACTS_WRITE):
        people = await lists.every(lambda p: members.list_members(session, principal, page=p))
        people = [m for m in people if m.status != "left" and is_staff_role(m.current_role)]
    tracked = (await _tracked(session, frame, [project_id])).get(project_id)
    holders = {c.user_id for c in held}
    return page(
        request,
        "project.html",
        frame,
        status_code=status_code,
        area="projects",
        project=project,
        contracts=sorted(held, key=lambda c: ((c.user_firstname or "").lower(), c.id)),
        tasks=sorted(task_list, key=lambda t: (t.title.lower(), t.id)),
        candidates=[m for m in people if m.id not in holders],
        tracked=tracked,
        money=_money(tracked),
        meter=charts.meter,
        screenshot_modes=SCREENSHOT_LABELS,
        may_write=principal.can(P.PROJECTS_WRITE),
        may_contracts=principal.can(P.CONTRACTS_WRITE),
        may_tasks=principal.can_any(TASKS_WRITE),
        errors=errors or {},
        values=values or {},
    )


@router.get("/projects/{project_id}")
async def project_page(request: Request, session: SessionDep, project_id: int) -> Response:
    """A project: its details, contracts and tasks."""
    frame = await member_frame(request, session)
    need(frame, "projects")
    return await _render_project(request, session, frame, _id(project_id, "Project"))


async def _retry(
    request: Request, session: AsyncSession, frame: Frame, project_id: int, exc: Exception, prefix: str, form: Form
) -> Response:
    if isinstance(exc, NotFoundError):
        raise exc
    await session.rollback()
    errors = {f"{prefix}{k}": v for k, v in form_errors(exc).items()}
    values = {f"{prefix}{k}": v for k, v in form.items if k != "csrf_token"}
    return await _render_project(
        request, session, frame, project_id, status_code=error_status(request, exc), errors=errors, values=values
    )


@router.post("/projects/{project_id}")
async def update_project(request: Request, session: SessionDep, project_id: int) -> Response:
    """Save a project's details."""
    frame, form = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.PROJECTS_WRITE)
    project_id = _id(project_id, "Project")
    try:
        await projects.update_project(
            session, frame.principal, project_id, ProjectUpdate.model_validate(_project_values(form))
        )
    except (AppError, PydanticValidationError) as exc:
        return await _retry(request, session, frame, project_id, exc, "project-", form)
    flash(request, "Project updated successfully")
    return redirect(f"/projects/{project_id}")


@router.post("/projects/{project_id}/archive")
async def archive_project(request: Request, session: SessionDep, project_id: int) -> Response:
    """Archive a project (D13: hidden from lists, its time kept)."""
    frame, _ = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.PROJECTS_WRITE)
    await projects.delete_project(session, frame.principal, _id(project_id, "Project"))
    flash(request, "Project archived. Restore it from the list of archived projects.")
    return redirect("/projects")


@router.post("/projects/{project_id}/restore")
async def restore_project(request: Request, session: SessionDep, project_id: int) -> Response:
    """Bring an archived project back."""
    frame, _ = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.PROJECTS_WRITE)
    restored = await projects.restore_project(session, frame.principal, _id(project_id, "Project"))
    flash(request, f"Project {restored.name} restored.")
    return redirect(f"/projects/{restored.id}")


# --- contracts ------------------------------------------------------------------------------------------


def _contract_values(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("user_id", "rate", "weekly_hours_limit", "screenshots", "status"):
        raw = form.get(name).strip()
        if raw:
            values[name] = raw
    return values


@router.post("/projects/{project_id}/contracts")
async def create_contract(request: Request, session: SessionDep, project_id: int) -> Response:
    """Put a member on the project with a rate, a weekly limit and a screenshot mode."""
    frame, form = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.CONTRACTS_WRITE)
    project_id = _id(project_id, "Project")
    try:
        body = ContractCreate.model_validate({**_contract_values(form), "project_id": project_id})
        await contracts.create_contract(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        return await _retry(request, session, frame, project_id, exc, "contract-", form)
    flash(request, "Contract created successfully")
    return redirect(f"/projects/{project_id}#contracts")


@router.post("/contracts/{contract_id}")
async def update_contract(request: Request, session: SessionDep, contract_id: int) -> Response:
    """Change a contract's rate, limit or screenshot mode, or pause and resume it."""
    frame, form = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.CONTRACTS_WRITE)
    contract = await contracts.get_contract(session, frame.principal, _id(contract_id, "Contract"))
    try:
        values = _contract_values(form)
        values.pop("user_id", None)
        await contracts.update_contract(session, frame.principal, contract.id, ContractUpdate.model_validate(values))
    except (AppError, PydanticValidationError) as exc:
        return await _retry(request, session, frame, contract.project_id, exc, f"c{contract.id}-", form)
    flash(request, "Contract updated successfully")
    return redirect(f"/projects/{contract.project_id}#contracts")


@router.post("/contracts/{contract_id}/delete")
async def delete_contract(request: Request, session: SessionDep, contract_id: int) -> Response:
    """End a contract."""
    frame, _ = await posted(request, session)
    need(frame, "projects")
    _may(frame, P.CONTRACTS_WRITE)
    contract = await contracts.get_contract(session, frame.principal, _id(contract_id, "Contract"))
    try:
        await contracts.delete_contract(session, frame.principal, contract.id)
    except AppError as exc:
        if isinstance(exc, NotFoundError):
            raise
        await session.rollback()
        flash(request, exc.message, "error")
        return redirect(f"/projects/{contract.project_id}#contracts")
    flash(request, "Contract deleted successfully")
    return redirect(f"/projects/{contract.project_id}#contracts")


# --- tasks ------------------------------------------------------------------------------------------------


@router.post("/projects/{project_id}/tasks")
async def create_task(request: Request, session: SessionDep, project_id: int) -> Response:
    """A new task with its assignees (who must hold a contract on the project)."""
    frame, form = await posted(request, session)
    need(frame, "projects")
    _may(frame, *TASKS_WRITE)
    project_id = _id(project_id, "Project")
    try:
        body = TaskCreate.model_validate(
            {
                "project_id": project_id,
                "title": form.get("title"),
                "description": form.get("description") or None,
                "assignees": [v for v in form.getlist("assignees") if v],
            }
        )
        await tasks.create_task(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        return await _retry(request, session, frame, project_id, exc, "task-", form)
    flash(request, "Task created successfully")
    return redirect(f"/projects/{project_id}#tasks")


@router.post("/projects/{project_id}/tasks/{task_id}/delete")
async def delete_task(request: Request, session: SessionDep, project_id: int, task_id: int) -> Response:
    """Delete a task."""
    frame, _ = await posted(request, session)
    need(frame, "projects")
    _may(frame, *TASKS_WRITE)
    await tasks.delete_task(session, frame.principal, _id(task_id, "Task"), _id(project_id, "Project"))
    flash(request, "Task deleted successfully")
    return redirect(f"/projects/{project_id}#tasks")
