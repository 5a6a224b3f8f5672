from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from worktally.api.deps import SessionDep, request_db, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import PROJECTS_READ, Permission
from worktally.auth.principal import Principal
from worktally.core.errors import ValidationError
from worktally.project import service
from worktally.project.schemas import ProjectCreate, ProjectRead, ProjectUpdate

router = api_router("/projects", tags=["Projects"])

ProjectsRead = Annotated[Principal, require(*PROJECTS_READ)]
ProjectsWrite = Annotated[Principal, require(Permission.PROJECTS_WRITE)]
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]
EXTENSION = {"x-worktally-extension": True}


@router.get("", response_model=Envelope[list[ProjectRead]])
async def list_projects(
    principal: ProjectsRead,
    session: SessionDep,
    page: Page,
    name: Annotated[
        str | None, Query(max_length=255, description="Case-insensitive partial match on the name.")
    ] = None,
) -> Envelope[list[ProjectRead]]:
    """List the projects the caller may see (archived projects are hidden)."""
    if name is not None and "\x00" in name:
        raise ValidationError({"name": ["The name must not contain NUL characters."]})
    items, meta = await service.list_projects(session, principal, name=name.strip() if name else None, page=page)
    return paginated(items, meta, message="Projects retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[ProjectRead])
async def create_project(principal: ProjectsWrite, body: ProjectCreate, session: SessionDep) -> Envelope[ProjectRead]:
    """Create a project (Owner and Executive manager)."""
    project = await service.create_project(session, principal, body)
    return ok(project, message="Project created successfully")


@router.get("/{project_id}", response_model=Envelope[ProjectRead])
async def get_project(principal: ProjectsRead, project_id: int, request: Request) -> Envelope[ProjectRead]:
    """Get one project."""
    # request_db(request) rather than a DbDep parameter: one dependency less on the busiest read (~25 µs).
    project = await service.get_project(request_db(request), principal, project_id)
    return ok(project, message="Project retrieved successfully")


@router.put("/{project_id}", response_model=Envelope[ProjectRead])
async def update_project(
    principal: ProjectsWrite, project_id: int, body: ProjectUpdate, session: SessionDep
) -> Envelope[ProjectRead]:
    """Update a project (Owner and Executive manager)."""
    project = await service.update_project(session, principal, project_id, body)
    return ok(project, message="Project updated successfully")


@router.delete("/{project_id}", response_model=Envelope[None])
async def delete_project(principal: ProjectsWrite, project_id: int, session: SessionDep) -> Envelope[None]:
    """Archive a project (D13); restore it with POST /projects/{project_id}/restore."""
    await service.delete_project(session, principal, project_id)
    return ok(None, message="Project deleted successfully")


@router.post("/{project_id}/restore", response_model=Envelope[ProjectRead], openapi_extra=EXTENSION)
async def restore_project(principal: ProjectsWrite, project_id: int, session: SessionDep) -> Envelope[ProjectRead]:
    """Restore an archived project."""
    project = await service.restore_project(session, principal, project_id)
    return ok(project, message="Project restored successfully")
