from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import RunningTracker


async def get_running(session: AsyncSession, workspace_id: int, user_id: int) -> RunningTracker | None:
    return (
        await session.execute(
            select(RunningTracker).where(RunningTracker.workspace_id == workspace_id, RunningTracker.user_id == user_id)
        )
    ).scalar_one_or_none()


async def insert_running(session: AsyncSession, tracker: RunningTracker) -> bool:
    """Insert; False when the user already has one (D9: the primary key decides, not a prior read)."""
    try:
        async with session.begin_nested():
            session.add(tracker)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def take_running(session: AsyncSession, workspace_id: int, user_id: int) -> Any | None:
    """Delete the user's running tracker and return it; of two concurrent stops only one gets it."""
    statement = (
        delete(RunningTracker)
        .where(RunningTracker.workspace_id == workspace_id, RunningTracker.user_id == user_id)
        .returning(
            RunningTracker.contract_id,
            RunningTracker.project_id,
            RunningTracker.task_id,
            RunningTracker.activity_description,
            RunningTracker.method,
            RunningTracker.started_at,
        )
    )
    return (await session.execute(statement)).first()
