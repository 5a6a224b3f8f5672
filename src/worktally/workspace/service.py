from __future__ import annotations

from collections.abc import Sequence

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, pagination_meta
from worktally.auth.principal import Identity
from worktally.db.prepared import RequestDb
from worktally.workspace import repository
from worktally.workspace.schemas import WorkspaceRead


async def list_workspaces(
    db: RequestDb, identity: Identity, page: PageParams
) -> tuple[Sequence[WorkspaceRead], Pagination]:
    rows, total = await repository.member_workspaces(db, identity.user_id, limit=page.per_page, offset=page.offset)
    items = [
        WorkspaceRead(
            id=row["id"],
            owner_id=row["owner_id"],
            user_id=identity.user_id,
            workspace_name=row["name"],
            role=row["role"],
            status=row["status"],
            created_at=row["created_at"],
            activated_at=row["activated_at"],
        )
        for row in rows
    ]
    return items, pagination_meta(total, page, len(items))
