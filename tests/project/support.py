"""Helpers shared by the project, contract and task tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.factories import WorkspaceFixture
from worktally.db.models import WebhookEvent

BAD_IDS = (0, -1, 2**31, 2**63)


async def events_of(ws: WorkspaceFixture, type: str) -> list[dict[str, Any]]:
    """The payloads of the outbox events of ``type`` in ``ws``, oldest first."""
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookEvent.payload)
            .where(WebhookEvent.workspace_id == ws.id, WebhookEvent.type == type)
            .order_by(WebhookEvent.created_at)
        )
        return [payload for (payload,) in rows]
