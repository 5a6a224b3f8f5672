from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth.principal import Identity
from worktally.workspace import repository
from worktally.workspace.schemas import WorkspaceRead


async def list_workspaces(
    session: AsyncSession, identity: Identity, page: PageParams
) -> tuple[Sequence[WorkspaceRead], Pagination]:
    rows, meta = await paginate(session, repository.member_workspaces(identity.user_id), page)
    items = [
        WorkspaceRead(
            id=ws.id,
            owner_id=ws.owner_id,
            user_id=identity.user_id,
            workspace_name=ws.name,
            role=role,
            status=status,
            created_at=ws.created_at,
            activated_at=ws.activated_at.strftime("%Y-%m-%d %H:%M:%S") if ws.activated_at else None,
        )
        for ws, role, status in rows
    ]
    return items, meta
