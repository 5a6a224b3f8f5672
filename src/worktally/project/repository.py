from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.auth import visibility
from worktally.auth.permissions import Role
from worktally.auth.principal import Principal
from worktally.auth.visibility import IdSubquery
from worktally.db.models import Contract, Project, ProjectTag, Tag
from worktally.db.prepared import PreparedRead, RequestDb, Row
from worktally.db.repository import get_in_workspace


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def live_projects(workspace_id: int, visible: IdSubquery | None, *, name: str | None = None) -> Select[Project]:
    """Unarchived projects of the workspace the caller may see, optionally by name fragment, by id."""
    statement = select(Project).where(Project.workspace_id == workspace_id, Project.deleted_at.is_(None))
    if visible is not None:
        statement = statement.where(Project.id.in_(visible))
    if name:
        # ILIKE on PostgreSQL; lower(...) LIKE lower(...) on SQLite.
        statement = statement.where(Project.name.ilike(_like_pattern(name), escape="\\"))
    return statement.order_by(Project.id)


def archived_projects(workspace_id: int, visible: IdSubquery | None) -> Select[Project]:
    """Archived projects (D13) the caller may see, most recently archived first (the web app's restore list)."""
    statement = select(Project).where(Project.workspace_id == workspace_id, Project.deleted_at.is_not(None))
    if visible is not None:
        statement = statement.where(Project.id.in_(visible))
    return statement.order_by(Project.deleted_at.desc(), Project.id)


async def get(session: AsyncSession, workspace_id: int, project_id: int, visible: IdSubquery | None) -> Project | None:
    """A project of the workspace (archived too) if the caller may see it."""
    return await get_in_workspace(
        session, Project, workspace_id, project_id, where=() if visible is None else (Project.id.in_(visible),)
    )


# One project as GET /projects/{id} shows it, in one round trip: its columns, its live contracts counted, and
# one row per tag (NULLs when it has none), tags in name order.
PROJECT_COLUMNS = (
    "id", "name", "start_date", "deadline", "estimation", "budget_estimation", "notes", "icon", "is_billable",
    "rate", "weekly_hours_limit", "screenshots", "status", "created_at", "updated_at", "deleted_at",
)  # fmt: skip
_ACTIVE_CONTRACTS = (
    select(func.count())
    .where(Contract.project_id == Project.id, Contract.deleted_at.is_(None), Contract.status == "active")
    .scalar_subquery()
)
_PROJECT_WITH_TAGS = (
    select(
        *(getattr(Project, name) for name in PROJECT_COLUMNS),
        _ACTIVE_CONTRACTS.label("contracts_count"),
        Tag.id.label("tag_id"),
        Tag.name.label("tag_name"),
        Tag.color.label("tag_color"),
    )
    .outerjoin(ProjectTag, ProjectTag.project_id == Project.id)
    .outerjoin(Tag, Tag.id == ProjectTag.tag_id)
    .where(Project.workspace_id == bindparam("workspace_id"), Project.id == bindparam("project_id"))
    .order_by(Tag.name, Tag.id)
)
_PROJECT_WITH_TAGS_FOR: dict[Role, PreparedRead] = {}


async def visible_with_tags(db: RequestDb, principal: Principal, project_id: int) -> Sequence[Row]:
    """A project of the workspace (archived too) if the caller may see it: one row per tag, none if not found."""
    if not valid_id(project_id):
        return []
    prepared = _PROJECT_WITH_TAGS_FOR.get(principal.role)
    if prepared is None:  # the visibility subquery's shape depends on the role only
        visible = visibility.project_ids(principal)
        statement = _PROJECT_WITH_TAGS if visible is None else _PROJECT_WITH_TAGS.where(Project.id.in_(visible))
        prepared = _PROJECT_WITH_TAGS_FOR[principal.role] = PreparedRead(statement)
    return await prepared.all(
        db, workspace_id=principal.workspace_id, project_id=project_id, **visibility.parameters(principal)
    )


async def tags_by_project(session: AsyncSession, project_ids: Collection[int]) -> dict[int, list[Tag]]:
    if not project_ids:
        return {}
    rows = await session.execute(
        select(ProjectTag.project_id, Tag)
        .join(Tag, Tag.id == ProjectTag.tag_id)
        .where(ProjectTag.project_id.in_(project_ids))
        .order_by(ProjectTag.project_id, Tag.name, Tag.id)
    )
    found: dict[int, list[Tag]] = {}
    for project_id, tag in rows:
        found.setdefault(project_id, []).append(tag)
    return found


async def active_contract_counts(session: AsyncSession, project_ids: Collection[int]) -> dict[int, int]:
    if not project_ids:
        return {}
    rows = await session.execute(
        select(Contract.project_id, func.count())
        .where(Contract.project_id.in_(project_ids), Contract.deleted_at.is_(None), Contract.status == "active")
        .group_by(Contract.project_id)
    )
    return {project_id: int(count) for project_id, count in rows}


async def tags_named(session: AsyncSession, workspace_id: int, names: Collection[str]) -> Sequence[Tag]:
    if not names:
        return []
    statement = select(Tag).where(Tag.workspace_id == workspace_id, Tag.name.in_(names)).order_by(Tag.id)
    return (await session.execute(statement)).scalars().all()


async def replace_tags(session: AsyncSession, project_id: int, tag_ids: Collection[int]) -> None:
    await session.execute(delete(ProjectTag).where(ProjectTag.project_id == project_id))
    session.add_all(ProjectTag(project_id=project_id, tag_id=tag_id) for tag_id in tag_ids)
    await session.flush()
