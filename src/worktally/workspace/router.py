from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from worktally.api.deps import request_db, require_identity
from worktally.api.envelope import Envelope, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.principal import Identity
from worktally.workspace import service
from worktally.workspace.schemas import WorkspaceRead

router = api_router("/workspaces", tags=["Workspaces"])


@router.get("", response_model=Envelope[list[WorkspaceRead]])
async def list_workspaces(
    identity: Annotated[Identity, require_identity()],
    request: Request,
    page: Annotated[PageParams, Depends(page_params())],
) -> Envelope[list[WorkspaceRead]]:
    """List the workspaces the caller belongs to."""
    items, meta = await service.list_workspaces(request_db(request), identity, page)
    return paginated(items, meta, message="Workspaces retrieved successfully")
