"""Housekeeping of the two logs with a retention (D18, D19), run from the webhook worker's loop.

Each pass deletes in batches along an index (``idempotency_keys.expires_at``, ``changes.changed_at``), one
short transaction a batch, and stops after ``max_batches`` so that a backlog never holds the loop long.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worktally.change import repository as changes
from worktally.core.clock import utc_now
from worktally.idempotency import repository as idempotency


async def purge_expired(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    changes_retention_days: int,
    batch: int = 1000,
    max_batches: int = 20,
) -> int:
    """Delete expired idempotency answers and changes older than the retention; how many rows went."""
    removed = 0
    for table in ("idempotency_keys", "changes"):
        for _ in range(max_batches):
            async with sessionmaker() as session, session.begin():
                if table == "idempotency_keys":
                    count = await idempotency.purge_expired(session, now=utc_now(), batch=batch)
                else:
                    cutoff = utc_now() - timedelta(days=changes_retention_days)
                    count = await changes.purge_before(session, cutoff=cutoff, batch=batch)
            removed += count
            if count < batch:
                break
    return removed
