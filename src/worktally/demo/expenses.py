from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.demo import DemoContext


async def seed(session: AsyncSession, context: DemoContext) -> None:
    """Nothing yet."""
