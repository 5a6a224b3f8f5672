from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import ActivitySlot


async def upsert(session: AsyncSession, workspace_id: int, user_id: int, slots: dict[datetime, int]) -> None:
    """Insert the slots, replacing the level of slots already reported."""
    if not slots:
        return
    rows = [
        {"workspace_id": workspace_id, "user_id": user_id, "slot_start": start, "activity_level": level}
        for start, level in sorted(slots.items())
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ActivitySlot).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["workspace_id", "user_id", "slot_start"],
        set_={"activity_level": statement.excluded.activity_level},
    )
    await session.execute(statement)
