"""The outbox (D11): ``record_event`` stores an event and one pending delivery per subscribed webhook,
in the caller's transaction, so an event exists exactly when the change that caused it was committed.
Delivery happens later, in a worker; the request never waits on a target.
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import isoformat_z, utc_now
from worktally.db.models import Webhook, WebhookDelivery, WebhookEvent

EVENT_TYPES: tuple[str, ...] = (
    "tracker.started",
    "tracker.stopped",
    "member.invited",
    "member.updated",
    "member.deleted",
    "member.activated",
    "member.archived",
    "project.created",
    "project.updated",
    "project.deleted",
    "task.created",
    "task.updated",
    "task.deleted",
    # Extensions (D11).
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_request.created",
    "time_request.approved",
    "time_request.rejected",
    "timesheet.submitted",
    "timesheet.approved",
    "timesheet.rejected",
    "leave.requested",
    "leave.approved",
    "leave.rejected",
    "expense.created",
    "expense.updated",
    "expense.deleted",
    "contract.created",
    "contract.updated",
    "contract.deleted",
)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(16)


async def record_event(
    session: AsyncSession, *, workspace_id: int, type: str, data: BaseModel | dict[str, Any]
) -> WebhookEvent:
    """Store one event and its deliveries. ``data`` is the changed resource as the API returns it."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    now = utc_now()
    payload_data = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    event_id = new_event_id()
    event = WebhookEvent(
        id=event_id,
        workspace_id=workspace_id,
        type=type,
        created_at=now,
        payload={
            "id": event_id,
            "type": type,
            "workspace_id": workspace_id,
            "timestamp": isoformat_z(now),
            "data": payload_data,
        },
    )
    session.add(event)
    webhooks = (
        await session.execute(
            select(Webhook.id, Webhook.events).where(
                Webhook.workspace_id == workspace_id, Webhook.is_active.is_(True), Webhook.deleted_at.is_(None)
            )
        )
    ).all()
    for webhook_id, events in webhooks:
        if type in events:
            session.add(
                WebhookDelivery(webhook_id=webhook_id, event_id=event_id, status="pending", next_attempt_at=now)
            )
    await session.flush()
    return event
