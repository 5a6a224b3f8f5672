"""Reaching a row of a workspace (D2, D3, D4): the one place that scopes a lookup by workspace and bounds its id.

Every workspace-owned table has ``workspace_id`` and ``id``; a row of another workspace, a deleted row (for a
``live`` lookup) and an id that no column can hold are all the same answer: no row, which the service turns into
its 404. Integer ids are 32-bit columns on PostgreSQL (``MAX_ID``): a larger one cannot exist and must not reach
the driver, so it is refused here before any statement is sent. Request schemas take their bounds from the same
constant (``api/fields.Id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

MAX_ID = 2**31 - 1

M = TypeVar("M")


def valid_id(value: int) -> bool:
    """``value`` can be the id of a row: from 1 to ``MAX_ID``."""
    return 1 <= value <= MAX_ID


def in_workspace(
    model: type[M],
    workspace_id: int,
    row_id: int | str,
    *,
    live: bool = False,
    where: Iterable[ColumnElement[bool]] = (),
) -> Select[M] | None:
    """``SELECT model`` of this workspace with this id (not deleted when ``live``); None when the id cannot exist."""
    if isinstance(row_id, int) and not valid_id(row_id):
        return None
    table: Any = model
    statement = select(model).where(table.workspace_id == workspace_id, table.id == row_id, *where)
    if live:
        statement = statement.where(table.deleted_at.is_(None))
    return statement


async def get_in_workspace(
    session: AsyncSession,
    model: type[M],
    workspace_id: int,
    row_id: int | str,
    *,
    live: bool = False,
    where: Iterable[ColumnElement[bool]] = (),
) -> M | None:
    """The row of ``in_workspace``, or None."""
    statement = in_workspace(model, workspace_id, row_id, live=live, where=where)
    if statement is None:
        return None
    row: M | None = (await session.execute(statement)).scalar_one_or_none()
    return row
