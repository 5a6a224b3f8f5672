"""Reading the changes feed (D19)."""

from __future__ import annotations

import json
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

_PAST_EVERY_CHANGE = 2**63 - 1  # ``since`` without a cursor: nothing to be out of date with

# Kinds whose ids are integers (D4); the others are opaque strings.
_INTEGER_IDS = frozenset(
    {"member", "team", "project", "contract", "task", "project_viewer", "tracking", "leave_policy"}
)


def _data(
    principal: Principal, type: str, user_id: int | None, payload: str | dict[str, Any] | None
) -> dict[str, Any] | None:
    if payload is None:
        return None
    event = json.loads(payload) if isinstance(payload, str) else payload
    data: dict[str, Any] = event.get("data") or {}
    kind = KINDS_BY_NAME[type]
    if kind.money_keys and not principal.sees_rates_of(user_id):  # D6, as the resource's own GET
        data = {k: None if k in kind.money_keys else v for k, v in data.items()}
    return data


async def list_changes(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int, retention_days: int
) -> tuple[list[ChangeRead], str | None, bool]:
    """A page of the changes ``principal`` may see after ``cursor``, its next cursor, and whether more follow."""
    position = None
    if cursor is not None:
        position = cursors.decode(cursor)
        if position.changed_at < utc_now() - timedelta(days=retention_days):
            raise CursorExpiredError()
    after = position.id if position is not None else cursors.START
    rows = await repository.page(
        session, workspace_id=principal.workspace_id, after=after, visible=visible_changes(principal), limit=limit + 1
    )
    # A cursor given out before the caller's reach changed cannot bring their copy up to date (change/reach.py).
    newest, reach_moved = await repository.horizon(
        session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        since=position.horizon if position is not None else _PAST_EVERY_CHANGE,
    )
    if reach_moved:
        raise CursorExpiredError(
            "What you may see in this workspace has changed since this cursor was given out: list afresh."
        )
    has_more = len(rows) > limit
    # Built without validation: every field comes from our own columns and the event log's JSON.
    items = [
        ChangeRead.model_construct(
            cursor=cursors.encode(id, changed_at, newest),
            type=type,
            id=int(resource_id) if type in _INTEGER_IDS else resource_id,
            op=op,
            changed_at=changed_at,
            data=None if op == "delete" else _data(principal, type, user_id, payload),
        )
        for id, type, resource_id, op, user_id, changed_at, payload in rows[:limit]
    ]
    if items:
        next_cursor: str | None = items[-1].cursor
    elif position is not None:
        next_cursor = cursors.encode(position.id, position.changed_at, newest)  # the same place, seen later
    else:
        next_cursor = None
    return items, next_cursor, has_more
