from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth.permissions import Permission, Role
from worktally.auth.principal import Principal
from worktally.db.models import Membership, User
from worktally.member import service as member_service
from worktally.member.service import Invited
from worktally.project_viewer import repository
from worktally.project_viewer.errors import (
    ProjectAlreadyAssignedError,
    ProjectNotAssignedError,
    ProjectNotFoundError,
    ProjectViewerNotFoundError,
)
from worktally.project_viewer.schemas import ProjectViewerCreate, ProjectViewerRead, ViewerProject
from worktally.webhook.events import record_event


def _only_user(principal: Principal) -> int | None:
    """Owner and EM read every viewer; a viewer reads only themself."""
    return None if principal.can(Permission.PROJECT_VIEWERS_READ) else principal.user_id


def _to_read(row: Row[Any], projects: list[tuple[int, str]]) -> ProjectViewerRead:
    membership: Membership = row.Membership
    user: User = row.User
    return ProjectViewerRead(
        id=user.id,
        email=user.email,
        firstname=user.firstname,
        lastname=user.lastname,
        status=membership.status if membership.status in ("active", "inactive", "left") else None,
        member_since=membership.created_at,
        projects=[ViewerProject(project_id=pid, project_name=name) for pid, name in projects],
    )


async def list_viewers(
    session: AsyncSession, principal: Principal, *, page: PageParams, email: str | None = None
) -> tuple[Sequence[ProjectViewerRead], Pagination]:
    statement = repository.list_viewers(principal.workspace_id, only_user=_only_user(principal), email=email)
    rows, meta = await paginate(session, statement, page)
    projects = await repository.projects_of(session, principal.workspace_id, [row.User.id for row in rows])
    return [_to_read(row, projects[row.User.id]) for row in rows], meta


async def get_viewer(session: AsyncSession, principal: Principal, viewer_id: int) -> ProjectViewerRead:
    row = await repository.get_viewer(session, principal.workspace_id, viewer_id, only_user=_only_user(principal))
    if row is None:
        raise ProjectViewerNotFoundError()
    projects = await repository.projects_of(session, principal.workspace_id, [viewer_id])
    return _to_read(row, projects[viewer_id])


async def create_viewer(
    session: AsyncSession, principal: Principal, body: ProjectViewerCreate, *, public_url: str
) -> tuple[ProjectViewerRead, Invited]:
    """A project viewer is a member with the role ``Project viewer``, invited like any member (D12)."""
    invited = await member_service.invite(
        session,
        principal,
        email=body.email,
        firstname=body.firstname,
        lastname=body.lastname,
        role=Role.PROJECT_VIEWER.value,
        public_url=public_url,
    )
    read = await get_viewer(session, principal, invited.member.id)
    await record_event(session, workspace_id=principal.workspace_id, type="project_viewer.created", data=read)  # D19
    return read, invited


async def _changed(session: AsyncSession, principal: Principal, viewer_id: int) -> None:
    """D19: the viewer as its GET now returns it, for the changes feed."""
    read = await get_viewer(session, principal, viewer_id)
    await record_event(session, workspace_id=principal.workspace_id, type="project_viewer.updated", data=read)


async def archive_viewer(session: AsyncSession, principal: Principal, viewer_id: int) -> None:
    await member_service.archive_member(session, principal, viewer_id, viewer=True)
    await _changed(session, principal, viewer_id)


async def restore_viewer(session: AsyncSession, principal: Principal, viewer_id: int) -> None:
    await member_service.restore_member(session, principal, viewer_id, viewer=True)
    await _changed(session, principal, viewer_id)


async def _viewer_and_project(session: AsyncSession, principal: Principal, viewer_id: int, project_id: int) -> None:
    if await repository.get_viewer(session, principal.workspace_id, viewer_id, only_user=None) is None:
        raise ProjectViewerNotFoundError()
    if not await repository.project_exists(session, principal.workspace_id, project_id):
        raise ProjectNotFoundError()


async def assign_project(session: AsyncSession, principal: Principal, viewer_id: int, project_id: int) -> None:
    await _viewer_and_project(session, principal, viewer_id, project_id)
    if await repository.is_assigned(session, principal.workspace_id, viewer_id, project_id):
        raise ProjectAlreadyAssignedError()
    try:
        await repository.assign(session, principal.workspace_id, viewer_id, project_id)
    except IntegrityError:
        raise ProjectAlreadyAssignedError() from None
    await _changed(session, principal, viewer_id)


async def unassign_project(session: AsyncSession, principal: Principal, viewer_id: int, project_id: int) -> None:
    await _viewer_and_project(session, principal, viewer_id, project_id)
    if not await repository.is_assigned(session, principal.workspace_id, viewer_id, project_id):
        raise ProjectNotAssignedError()
    await repository.unassign(session, principal.workspace_id, viewer_id, project_id)
    await _changed(session, principal, viewer_id)
