from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from worktally.api.deps import SessionDep, TransactionalRoute, require_identity
from worktally.api.envelope import Envelope, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.auth.principal import Identity
from worktally.workspace import service
from worktally.workspace.schemas import WorkspaceRead

router = APIRouter(prefix="/workspaces", tags=["Workspaces"], route_class=TransactionalRoute)


@router.get("", response_model=Envelope[list[WorkspaceRead]])
async def list_workspaces(
    identity: Annotated[Identity, require_identity()],
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params())],
) -> Envelope[list[WorkspaceRead]]:
    """List the workspaces the caller belongs to."""
    items, meta = await service.list_workspaces(session, identity, page)
    return paginated(items, meta, message="Workspaces retrieved successfully")
