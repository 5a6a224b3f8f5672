"""Every query on changes (D19). The order and why it is safe on PostgreSQL: this package's docstring."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Row, and_, delete, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.change.kinds import ChangeRef
from worktally.db.models import Change, WebhookEvent

# The id of the writing transaction, and the oldest transaction still running (PostgreSQL 13+).
_CURRENT_TX = literal_column("pg_current_xact_id()::text::bigint", BigInteger)
_OLDEST_RUNNING_TX = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", BigInteger)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def add(session: AsyncSession, *, workspace_id: int, event_id: str, ref: ChangeRef, changed_at: datetime) -> None:
    """One change, flushed with the event that carries its data."""
    session.add(
        Change(
            tx=_CURRENT_TX if _is_postgres(session) else 0,
            workspace_id=workspace_id,
            type=ref.kind.name,
            resource_id=ref.resource_id,
            op=ref.op,
            user_id=ref.user_id,
            project_id=ref.project_id,
            event_id=event_id,
            changed_at=changed_at,
        )
    )


async def page(
    session: AsyncSession,
    *,
    workspace_id: int,
    after: tuple[int, int],
    visible: ColumnElement[bool] | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """Up to ``limit`` changes after ``after`` = (tx, id), oldest first, with their event's payload."""
    conditions: list[ColumnElement[bool]] = [
        Change.workspace_id == workspace_id,
        or_(Change.tx > after[0], and_(Change.tx == after[0], Change.id > after[1])),
    ]
    if _is_postgres(session):
        conditions.append(Change.tx < _OLDEST_RUNNING_TX)
    if visible is not None:
        conditions.append(visible)
    statement = (
        select(
            Change.id,
            Change.tx,
            Change.type,
            Change.resource_id,
            Change.op,
            Change.user_id,
            Change.changed_at,
            WebhookEvent.payload,
        )
        .outerjoin(WebhookEvent, WebhookEvent.id == Change.event_id)
        .where(*conditions)
        .order_by(Change.tx, Change.id)
        .limit(limit)
    )
    return (await session.execute(statement)).all()


async def purge_before(session: AsyncSession, *, cutoff: datetime, batch: int = 1000) -> int:
    """Delete up to ``batch`` changes older than ``cutoff``, oldest first, along the index on changed_at."""
    oldest = select(Change.id).where(Change.changed_at < cutoff).order_by(Change.changed_at).limit(batch)
    result = await session.execute(
        delete(Change).where(Change.id.in_(oldest.scalar_subquery())).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
