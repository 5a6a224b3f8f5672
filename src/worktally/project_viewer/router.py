from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Path, Query

from worktally.api.deps import SessionDep, SettingsDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.member.mail import deliver_invitation
from worktally.member.schemas import EmailFilter
from worktally.project_viewer import service
from worktally.project_viewer.schemas import ProjectAssignment, ProjectViewerCreate, ProjectViewerRead

router = api_router("/project-viewers", tags=["Project Viewers"])

# Owner and EM read every viewer; a viewer (the only other role with PROJECTS_READ_VIEWER) reads themself.
ViewersRead = Annotated[Principal, require(Permission.PROJECT_VIEWERS_READ, Permission.PROJECTS_READ_VIEWER)]
ViewersWrite = Annotated[Principal, require(Permission.PROJECT_VIEWERS_WRITE)]
ViewerId = Annotated[int, Path(alias="viewerId", description="The viewer's user id.")]


@router.get("", response_model=Envelope[list[ProjectViewerRead]])
async def list_project_viewers(
    principal: ViewersRead,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params())],
    email: Annotated[EmailFilter | None, Query(description="Exact e-mail, case-insensitive.")] = None,
) -> Envelope[list[ProjectViewerRead]]:
    """List project viewers."""
    items, meta = await service.list_viewers(session, principal, page=page, email=email)
    return paginated(items, meta, message="Project viewers retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[ProjectViewerRead])
async def create_project_viewer(
    principal: ViewersWrite,
    body: ProjectViewerCreate,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Envelope[ProjectViewerRead]:
    """Invite a project viewer."""
    viewer, invited = await service.create_viewer(session, principal, body, public_url=settings.public_url)
    background.add_task(deliver_invitation, settings, invited.mail)
    return ok(viewer, message="Project viewer created successfully")


@router.get("/{viewerId}", response_model=Envelope[ProjectViewerRead])
async def get_project_viewer(
    principal: ViewersRead, viewer_id: ViewerId, session: SessionDep
) -> Envelope[ProjectViewerRead]:
    """Get one project viewer with their projects."""
    viewer = await service.get_viewer(session, principal, viewer_id)
    return ok(viewer, message="Project viewer retrieved successfully")


@router.delete("/{viewerId}", response_model=Envelope[None])
async def archive_project_viewer(principal: ViewersWrite, viewer_id: ViewerId, session: SessionDep) -> Envelope[None]:
    """Archive a project viewer (restorable)."""
    await service.archive_viewer(session, principal, viewer_id)
    return ok(None, message="Project viewer archived successfully")


@router.post("/{viewerId}/restore", response_model=Envelope[None])
async def restore_project_viewer(principal: ViewersWrite, viewer_id: ViewerId, session: SessionDep) -> Envelope[None]:
    """Restore an archived project viewer."""
    await service.restore_viewer(session, principal, viewer_id)
    return ok(None, message="Project viewer restored successfully")


@router.post("/{viewerId}/assign-project", response_model=Envelope[None])
async def assign_project(
    principal: ViewersWrite, viewer_id: ViewerId, body: ProjectAssignment, session: SessionDep
) -> Envelope[None]:
    """Let a viewer see a project."""
    await service.assign_project(session, principal, viewer_id, body.project_id)
    return ok(None, message="Project assigned to viewer successfully")


@router.delete("/{viewerId}/unassign-project", response_model=Envelope[None])
async def unassign_project(
    principal: ViewersWrite, viewer_id: ViewerId, body: ProjectAssignment, session: SessionDep
) -> Envelope[None]:
    """Stop a viewer seeing a project."""
    await service.unassign_project(session, principal, viewer_id, body.project_id)
    return ok(None, message="Project unassigned from viewer successfully")
