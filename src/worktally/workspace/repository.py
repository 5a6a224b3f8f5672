from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate_prepared
from worktally.db.models import Membership, Workspace
from worktally.db.prepared import PreparedRead, RequestDb, Row

# The active workspaces where a user is an active member, oldest first, with the total for D5's meta
# counted in the same query (``api/pagination.paginate_prepared``).
_MEMBER_OF = (
    Membership.user_id == bindparam("user_id"),
    Membership.status == "active",
    Workspace.status == "active",
)
_PAGE = PreparedRead(
    select(
        Workspace.id,
        Workspace.owner_id,
        Workspace.name,
        Workspace.created_at,
        Workspace.activated_at,
        Membership.role,
        Membership.status,
        func.count().over().label("total"),
    )
    .join(Membership, Membership.workspace_id == Workspace.id)
    .where(*_MEMBER_OF)
    .order_by(Workspace.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_COUNT = PreparedRead(
    select(func.count().label("total"))
    .select_from(Workspace)
    .join(Membership, Membership.workspace_id == Workspace.id)
    .where(*_MEMBER_OF)
)


async def member_workspaces(db: RequestDb, user_id: int, page: PageParams) -> tuple[Sequence[Row], Pagination]:
    """One page of the user's workspaces and its meta (D5)."""
    return await paginate_prepared(db, _PAGE, _COUNT, page, user_id=user_id)


async def owned_workspace_named(session: AsyncSession, owner_id: int, name: str) -> int | None:
    """The id of a workspace ``owner_id`` owns by that name (the demo command's, made once), or None."""
    return (
        await session.execute(select(Workspace.id).where(Workspace.owner_id == owner_id, Workspace.name == name))
    ).scalar_one_or_none()
