"""Reading the changes feed (D19)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.principal import Principal
from worktally.change import cursor as cursors
from worktally.change import repository
from worktally.change.errors import CursorExpiredError
from worktally.change.kinds import KINDS_BY_NAME
from worktally.change.schemas import ChangeRead
from worktally.change.visibility import visible_changes
from worktally.core.clock import utc_now

# Kinds whose ids are integers (D4); the others are opaque strings.
_INTEGER_IDS = frozenset(
    {"member", "team", "project", "contract", "task", "project_viewer", "tracking", "leave_policy"}
)


def _data(
    principal: Principal, type: str, user_id: int | None, payload: dict[str, Any] | None
) -> dict[str, Any] | None:
    if payload is None:
        return None
    data: dict[str, Any] = dict(payload.get("data") or {})
    kind = KINDS_BY_NAME[type]
    if kind.money_keys and not principal.sees_rates_of(user_id):  # D6, as the resource's own GET
        for key in kind.money_keys:
            if key in data:
                data[key] = None
    return data


async def list_changes(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int, retention_days: int
) -> tuple[list[ChangeRead], str | None, bool]:
    """A page of the changes ``principal`` may see after ``cursor``, its next cursor, and whether more follow."""
    after = cursors.START
    if cursor is not None:
        position = cursors.decode(cursor)
        if position.changed_at < utc_now() - timedelta(days=retention_days):
            raise CursorExpiredError()
        after = position.id
    rows = await repository.page(
        session, workspace_id=principal.workspace_id, after=after, visible=visible_changes(principal), limit=limit + 1
    )
    has_more = len(rows) > limit
    items = [
        ChangeRead(
            cursor=cursors.encode(row.id, row.changed_at),
            type=row.type,
            id=int(row.resource_id) if row.type in _INTEGER_IDS else row.resource_id,
            op=row.op,
            changed_at=row.changed_at,
            data=None if row.op == "delete" else _data(principal, row.type, row.user_id, row.payload),
        )
        for row in rows[:limit]
    ]
    next_cursor = items[-1].cursor if items else cursor
    return items, next_cursor, has_more
