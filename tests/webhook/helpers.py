from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.factories.workspace import WorkspaceFixture
from worktally.db.models import WebhookDelivery
from worktally.webhook.events import record_event


async def create_webhook(
    ws: WorkspaceFixture, *, url: str = "https://example.com/hook", events: list[str] | None = None
) -> dict[str, Any]:
    response = await ws.owner.api.post("/webhooks", json={"url": url, "events": events or ["project.created"]})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def emit(ws: WorkspaceFixture, type: str = "project.created", data: dict[str, Any] | None = None) -> str:
    """Record one event in ``ws`` as a domain would; returns the event id."""
    async with ws.tenants.sessionmaker() as session, session.begin():
        event = await record_event(session, workspace_id=ws.id, type=type, data=data or {"id": 1, "name": "P"})
        return event.id


async def delivery_ids(ws: WorkspaceFixture, webhook_id: str) -> list[str]:
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
        return list(rows.scalars())
