"""Every query on changes (D19). Why a reader never passes a change that commits later: the package docstring."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.change.kinds import REACH, ChangeRef
from worktally.db.models import Change, WebhookEvent
from worktally.db.prepared import fetch_all

_PAST_EVERY_ID = 2**63 - 1
_REACH_LITERAL: ColumnElement[str] = literal_column(f"'{REACH}'")

# The advisory lock space of the feed's per-workspace lock: pg_advisory_xact_lock(FEED_LOCK, workspace_id).
FEED_LOCK = 0x57544348  # "WTCH"


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _workspace_lock(workspace_id: int, *, shared: bool) -> Any:
    lock = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
    return lock(literal(FEED_LOCK, Integer), bindparam("lock_workspace_id", workspace_id, type_=Integer))


_CHANGE_COLUMNS = ("workspace_id", "type", "resource_id", "op", "user_id", "project_id", "event_id", "changed_at")
_CHANGES: Table = Change.__table__  # type: ignore[assignment]  # Core: the ORM would take a dict of values for a bulk insert
_INSERT_CHANGE = insert(_CHANGES)
# PostgreSQL: the same INSERT, its values selected under the workspace's feed lock taken in shared mode.
_INSERT_CHANGE_LOCKED = insert(_CHANGES).from_select(
    [_CHANGES.c[name] for name in _CHANGE_COLUMNS],
    select(*(bindparam(name, type_=_CHANGES.c[name].type) for name in _CHANGE_COLUMNS)).select_from(
        select(
            func.pg_advisory_xact_lock_shared(
                literal(FEED_LOCK, Integer), bindparam("workspace_id", type_=Integer)
            ).label("locked")
        ).subquery()
    ),
)


async def add(session: AsyncSession, *, workspace_id: int, event_id: str, ref: ChangeRef, changed_at: datetime) -> None:
    """Insert one change in the session's transaction (statements built once: every event records one).

    On PostgreSQL the INSERT first takes the workspace's feed lock in shared mode (in the same statement: no
    extra round trip), so the change's id is drawn only while the lock is held, until the commit.
    """
    values = {
        "workspace_id": workspace_id,
        "type": ref.kind.name,
        "resource_id": ref.resource_id,
        "op": ref.op,
        "user_id": ref.user_id,
        "project_id": ref.project_id,
        "event_id": event_id,
        "changed_at": changed_at,
    }
    await session.execute(_INSERT_CHANGE_LOCKED if _is_postgres(session) else _INSERT_CHANGE, values)


async def page(
    session: AsyncSession,
    *,
    workspace_id: int,
    after: int,
    visible: ColumnElement[bool] | None,
    limit: int,
) -> Sequence[Sequence[Any]]:
    """Up to ``limit`` changes with an id above ``after``, oldest first, with their event's payload.

    Rows are tuples (id, type, resource_id, op, user_id, changed_at, payload), read with ``fetch_all``: the
    payload is a JSON string on PostgreSQL (asyncpg's own decoding), already a dict on SQLite.

    On PostgreSQL the workspace's feed lock is first taken exclusively: it waits for the transactions that
    drew change ids and have not committed yet, so every id below the next one drawn is committed (or gone).
    """
    if _is_postgres(session):
        await session.execute(select(_workspace_lock(workspace_id, shared=False)))
    # The row comparison, with workspace_id bounded above, is the range (workspace_id, id) > (ws, after) of
    # ix_changes_feed: the planner starts the scan exactly there. Written as workspace_id = ws AND id > after
    # it prefers the primary key (id > after) and filters out every other workspace's later changes: on a
    # million changes that made the tail of the feed (where clients poll) 40 ms instead of 0.1 (bench/changes.py).
    conditions: list[ColumnElement[bool]] = [
        tuple_(Change.workspace_id, Change.id) > tuple_(literal(workspace_id), literal(after)),
        Change.workspace_id <= workspace_id,
        Change.op != REACH,  # change/reach.py: read by ``horizon``, never listed
    ]
    if visible is not None:
        conditions.append(visible)
    statement = (
        select(
            Change.id,
            Change.type,
            Change.resource_id,
            Change.op,
            Change.user_id,
            Change.changed_at,
            WebhookEvent.payload,
        )
        .outerjoin(WebhookEvent, WebhookEvent.id == Change.event_id)
        .where(*conditions)
        .order_by(Change.workspace_id, Change.id)
        .limit(limit)
    )
    return await fetch_all(session, statement)


async def horizon(session: AsyncSession, *, workspace_id: int, user_id: int, since: int) -> tuple[int, bool]:
    """The workspace's newest change id, and whether ``user_id``'s reach changed after change ``since``.

    One statement, after ``page`` (which took the feed lock on PostgreSQL): both along ix_changes_feed.
    """
    # Both read along an index whatever plan PostgreSQL picks: the newest id backwards along ix_changes_feed
    # from (ws, the last id possible), the reach probe on the partial ix_changes_reach. Written as max(id) with
    # workspace_id = ws and as a range over ix_changes_feed, they walked the other workspaces' changes: 56 ms
    # of a 70 ms page on a million changes (bench/changes.py).
    newest = (
        select(Change.id)
        .where(  # not workspace_id = ws: the planner would drop it from the order and walk the primary key back
            tuple_(Change.workspace_id, Change.id) <= tuple_(literal(workspace_id), literal(_PAST_EVERY_ID)),
            Change.workspace_id >= workspace_id,
        )
        .order_by(Change.workspace_id.desc(), Change.id.desc())
        .limit(1)
    )
    moved = (
        select(Change.id)
        .where(
            Change.workspace_id == workspace_id,
            Change.user_id == user_id,
            Change.op == _REACH_LITERAL,  # a literal, not a parameter: the partial index's predicate must match
            Change.id > since,
        )
        .exists()
    )
    row = (await session.execute(select(newest.scalar_subquery(), moved))).one()
    return int(row[0] or 0), bool(row[1])


async def purge_before(session: AsyncSession, *, cutoff: datetime, batch: int = 1000) -> int:
    """Delete up to ``batch`` changes older than ``cutoff``, oldest first, along the index on changed_at."""
    oldest = select(Change.id).where(Change.changed_at < cutoff).order_by(Change.changed_at).limit(batch)
    result = await session.execute(
        delete(Change).where(Change.id.in_(oldest.scalar_subquery())).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
