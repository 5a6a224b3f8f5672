from __future__ import annotations

from sqlalchemy import Select, select

from worktally.db.models import Membership, Workspace


def member_workspaces(user_id: int) -> Select[Workspace, str, str]:
    """The active workspaces where ``user_id`` is an active member, oldest first."""
    return (
        select(Workspace, Membership.role, Membership.status)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id, Membership.status == "active", Workspace.status == "active")
        .order_by(Workspace.id)
    )
