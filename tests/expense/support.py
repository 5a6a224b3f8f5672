from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.factories import Member, WorkspaceFixture
from worktally.db.models import WebhookEvent
from worktally.webhook.events import EVENT_TYPES


async def make_category(ws: WorkspaceFixture, name: str = "Travel") -> dict[str, Any]:
    response = await ws.owner.api.post("/expenses/categories", json={"name": name})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def make_expense(member: Member, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"expense_name": "Office Supplies", "date": "2024-01-15", "amount": 150.5}
    body.update(fields)
    response = await member.api.post("/expenses", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def event_types(ws: WorkspaceFixture) -> list[str]:
    """The webhook events recorded in ``ws`` (not the changes feed's change-only ones, D19)."""
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookEvent.type)
            .where(WebhookEvent.workspace_id == ws.id, WebhookEvent.type.in_(EVENT_TYPES))
            .order_by(WebhookEvent.created_at)
        )
        return list(rows.scalars())
