"""The operational queries: is the database there, at which migration, and how the webhook queue stands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from worktally.db.models import WebhookDelivery, WebhookEvent


async def ping(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT 1"))


async def applied_revisions(conn: AsyncConnection) -> set[str] | None:
    """The revisions in ``alembic_version``; None when the table does not exist (never migrated)."""
    exists = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "alembic_version"))
    if not exists:
        return None
    return set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())


async def queue_figures(conn: AsyncConnection) -> tuple[int, datetime | None, int]:
    """(pending deliveries, when the oldest event with a pending delivery happened, deliveries given up)."""
    pending, oldest = (
        await conn.execute(
            select(func.count(), func.min(WebhookEvent.created_at))
            .select_from(WebhookDelivery)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.status == "pending")
        )
    ).one()
    failed = (
        await conn.execute(select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "failed"))
    ).scalar_one()
    return int(pending), oldest, int(failed)
