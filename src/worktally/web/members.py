"""The member as the API shows it, for the ``member.activated`` webhook event (D11) after an invitation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Role
from worktally.auth.principal import Identity, Principal
from worktally.member import repository as member_repository
from worktally.member.schemas import MemberRead
from worktally.member.service import to_read
from worktally.web import repository


async def activated_member(session: AsyncSession, workspace_id: int, user_id: int) -> MemberRead | None:
    """``MemberRead`` as the workspace's managers see it: webhooks are theirs (D6, D11)."""
    owner_id = await repository.workspace_owner_id(session, workspace_id)
    if owner_id is None:
        return None
    row = await member_repository.get_member_row(session, workspace_id, user_id, visible=None, caller_id=owner_id)
    if row is None:
        return None
    viewer = Principal(
        identity=Identity(user_id=owner_id, scopes=frozenset({"read"}), token_kind="system", token_id=0),
        workspace_id=workspace_id,
        role=Role.OWNER,
        workspace_owner_id=owner_id,
        rate_status=1,
        timezone="UTC",
    )
    return to_read(row, viewer)
