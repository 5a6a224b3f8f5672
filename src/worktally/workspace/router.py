from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from worktally.api.deps import SessionDep, request_db, require, require_identity
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission
from worktally.auth.principal import Identity, Principal
from worktally.workspace import service
from worktally.workspace.schemas import WorkspaceRead, WorkspaceSettingsRead, WorkspaceSettingsUpdate

router = api_router("/workspaces", tags=["Workspaces"])

EXTENSION: dict[str, Any] = {"x-worktally-extension": True}


@router.get("", response_model=Envelope[list[WorkspaceRead]])
async def list_workspaces(
    identity: Annotated[Identity, require_identity()],
    request: Request,
    page: Annotated[PageParams, Depends(page_params())],
) -> Envelope[list[WorkspaceRead]]:
    """List the workspaces the caller belongs to."""
    items, meta = await service.list_workspaces(request_db(request), identity, page)
    return paginated(items, meta, message="Workspaces retrieved successfully")


@router.get("/settings", response_model=Envelope[WorkspaceSettingsRead], openapi_extra=EXTENSION)
async def get_workspace_settings(
    principal: Annotated[Principal, require(Permission.WORKSPACES_READ)], session: SessionDep
) -> Envelope[WorkspaceSettingsRead]:
    """The workspace's settings: timezone, auto-approval of time requests, attendance expectations."""
    return ok(await service.get_settings(session, principal), message="Workspace settings retrieved successfully")


@router.put("/settings", response_model=Envelope[WorkspaceSettingsRead], openapi_extra=EXTENSION)
async def update_workspace_settings(
    principal: Annotated[Principal, require(Permission.WORKSPACE_SETTINGS_WRITE)],
    session: SessionDep,
    body: WorkspaceSettingsUpdate,
) -> Envelope[WorkspaceSettingsRead]:
    """Change the workspace's settings (Owner and Executive manager); omitted fields are unchanged."""
    updated = await service.update_settings(session, principal, body)
    return ok(updated, message="Workspace settings updated successfully")
