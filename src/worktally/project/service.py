from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate_scalars
from worktally.auth import visibility
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.change import reach
from worktally.core.clock import utc_now
from worktally.core.errors import ConflictError, NotFoundError, ValidationError
from worktally.core.money import to_money
from worktally.core.updates import given_fields
from worktally.db.models import Project, Tag
from worktally.db.prepared import RequestDb
from worktally.project import repository
from worktally.project.schemas import ProjectCreate, ProjectRead, ProjectUpdate, TagInput, TagRead
from worktally.webhook.events import record_event


class ProjectNotFoundError(NotFoundError):
    message = "Project not found."
    code = "project_not_found"


def _to_read(principal: Principal, values: Mapping[str, Any], tags: list[TagRead], contracts_count: int) -> ProjectRead:
    # D6: rates and money (the budget too) only for those who see every rate.
    sees_money = principal.can(Permission.RATES_READ_ALL)
    return ProjectRead(
        id=values["id"],
        name=values["name"],
        owner_id=principal.workspace_owner_id,
        start_date=values["start_date"],
        deadline=values["deadline"],
        estimation=values["estimation"],
        budget_estimation=values["budget_estimation"] if sees_money else None,
        notes=values["notes"],
        icon=values["icon"],
        is_billable=values["is_billable"],
        rate=values["rate"] if sees_money else None,
        weekly_hours_limit=values["weekly_hours_limit"],
        screenshots=values["screenshots"],
        tags=tags,
        contracts_count=contracts_count,
        status=values["status"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        deleted_at=values["deleted_at"],
    )


async def read_many(session: AsyncSession, principal: Principal, projects: Sequence[Project]) -> list[ProjectRead]:
    """Projects as the API returns them: tags and active contract counts in one query each."""
    ids = [p.id for p in projects]
    tags = await repository.tags_by_project(session, ids)
    counts = await repository.active_contract_counts(session, ids)
    return [
        _to_read(
            principal,
            {name: getattr(p, name) for name in repository.PROJECT_COLUMNS},
            [TagRead(id=t.id, name=t.name, color=t.color) for t in tags.get(p.id, [])],
            counts.get(p.id, 0),
        )
        for p in projects
    ]


async def read_one(session: AsyncSession, principal: Principal, project: Project) -> ProjectRead:
    [read] = await read_many(session, principal, [project])
    return read


async def find_visible(session: AsyncSession, principal: Principal, project_id: int) -> Project:
    """The project if the caller may see it (archived included), else 404 (D2)."""
    project = await repository.get(session, principal.workspace_id, project_id, visibility.project_ids(principal))
    if project is None:
        raise ProjectNotFoundError()
    return project


async def list_projects(
    session: AsyncSession, principal: Principal, *, name: str | None, page: PageParams
) -> tuple[list[ProjectRead], Pagination]:
    statement = repository.live_projects(principal.workspace_id, visibility.project_ids(principal), name=name)
    projects, meta = await paginate_scalars(session, statement, page)
    return await read_many(session, principal, projects), meta


async def list_archived_projects(
    session: AsyncSession, principal: Principal, *, page: PageParams
) -> tuple[list[ProjectRead], Pagination]:
    """Archived projects, for restoring them (D13 hides them from ``list_projects``)."""
    statement = repository.archived_projects(principal.workspace_id, visibility.project_ids(principal))
    projects, meta = await paginate_scalars(session, statement, page)
    return await read_many(session, principal, projects), meta


async def get_project(db: RequestDb, principal: Principal, project_id: int) -> ProjectRead:
    """GET /projects/{id}: the busiest read, in one prepared query (db/prepared.py)."""
    rows = await repository.visible_with_tags(db, principal, project_id)
    if not rows:
        raise ProjectNotFoundError()
    tags = [TagRead(id=r["tag_id"], name=r["tag_name"], color=r["tag_color"]) for r in rows if r["tag_id"] is not None]
    return _to_read(principal, rows[0], tags, rows[0]["contracts_count"])


def _check_dates(project: Project) -> None:
    if project.start_date and project.deadline and project.deadline < project.start_date:
        raise ValidationError({"deadline": ["The deadline must be a date after or equal to start_date."]})


async def _resolve_tags(session: AsyncSession, workspace_id: int, inputs: list[TagInput]) -> list[int]:
    """Tag ids for these names, creating missing tags and taking any colour given (workspace-wide)."""
    wanted: dict[str, str | None] = {}
    for tag in inputs:
        if tag.name not in wanted or tag.color is not None:
            wanted[tag.name] = tag.color
    existing: dict[str, Tag] = {}
    for stored in await repository.tags_named(session, workspace_id, wanted):
        existing.setdefault(stored.name, stored)
    for name, color in wanted.items():
        found = existing.get(name)
        if found is None:
            found = Tag(workspace_id=workspace_id, name=name, color=color)
            session.add(found)
            existing[name] = found
        elif color is not None:
            found.color = color
    await session.flush()
    return [existing[name].id for name in wanted]


def _apply(project: Project, body: ProjectCreate | ProjectUpdate) -> None:
    given = given_fields(body, "name", "is_billable")
    if body.name is not None:
        project.name = body.name
    if body.is_billable is not None:
        project.is_billable = body.is_billable
    if "start_date" in given:
        project.start_date = body.start_date
    if "deadline" in given:
        project.deadline = body.deadline
    if "estimation" in given:
        project.estimation = to_money(body.estimation) if body.estimation is not None else None
    if "budget" in given:
        project.budget_estimation = to_money(body.budget) if body.budget is not None else None
    if "notes" in given:
        project.notes = body.notes
    if "icon" in given:
        project.icon = body.icon
    if "rate" in given:
        project.rate = to_money(body.rate) if body.rate is not None else None
    _check_dates(project)


async def create_project(session: AsyncSession, principal: Principal, body: ProjectCreate) -> ProjectRead:
    now = utc_now()
    project = Project(
        workspace_id=principal.workspace_id,
        name=body.name,
        is_billable=True,
        status=1,
        weekly_hours_limit=168,
        screenshots="full",
        created_at=now,
        updated_at=now,
    )
    _apply(project, body)
    session.add(project)
    await session.flush()
    tags = body.tag_inputs()
    if tags:
        await repository.replace_tags(session, project.id, await _resolve_tags(session, principal.workspace_id, tags))
    read = await read_one(session, principal, project)
    await record_event(session, workspace_id=principal.workspace_id, type="project.created", data=read)
    return read


async def update_project(
    session: AsyncSession, principal: Principal, project_id: int, body: ProjectUpdate
) -> ProjectRead:
    project = await find_visible(session, principal, project_id)
    if project.deleted_at is not None:
        raise ConflictError("The project is archived; restore it first.", code="project_archived")
    _apply(project, body)
    project.updated_at = utc_now()
    tags = body.tag_inputs()
    if tags is not None:
        await repository.replace_tags(session, project.id, await _resolve_tags(session, principal.workspace_id, tags))
    await session.flush()
    read = await read_one(session, principal, project)
    event = await record_event(session, workspace_id=principal.workspace_id, type="project.updated", data=read)
    # Its contracts and tasks are in the lists again: every member lists afresh (D19, change/reach.py).
    await reach.everyone(session, workspace_id=principal.workspace_id, event_id=event.id, changed_at=event.created_at)
    return read


async def delete_project(session: AsyncSession, principal: Principal, project_id: int) -> None:
    """D13: archive (``deleted_at``); contracts, tasks and time are kept."""
    project = await find_visible(session, principal, project_id)
    if project.deleted_at is not None:
        raise ProjectNotFoundError()
    now = utc_now()
    project.deleted_at = now
    project.updated_at = now
    await session.flush()
    read = await read_one(session, principal, project)
    await record_event(session, workspace_id=principal.workspace_id, type="project.deleted", data=read)


async def restore_project(session: AsyncSession, principal: Principal, project_id: int) -> ProjectRead:
    project = await find_visible(session, principal, project_id)
    if project.deleted_at is None:
        raise ConflictError("The project is not archived.", code="project_not_archived")
    project.deleted_at = None
    project.updated_at = utc_now()
    await session.flush()
    read = await read_one(session, principal, project)
    event = await record_event(session, workspace_id=principal.workspace_id, type="project.updated", data=read)
    # Its contracts and tasks are in the lists again: every member lists afresh (D19, change/reach.py).
    await reach.everyone(session, workspace_id=principal.workspace_id, event_id=event.id, changed_at=event.created_at)
    return read
