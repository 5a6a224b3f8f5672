from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from worktally.db.prepared import PreparedRead
from worktally.db.repository import get_in_workspace


def active_webhooks(workspace_id: int) -> Select[Webhook]:
    """The workspace's webhooks that are not deleted, oldest first."""
    return (
        select(Webhook)
        .where(Webhook.workspace_id == workspace_id, Webhook.deleted_at.is_(None))
        .order_by(Webhook.created_at, Webhook.id)
    )


_SUBSCRIPTIONS = PreparedRead(
    select(Webhook.id, Webhook.events).where(
        Webhook.workspace_id == bindparam("workspace_id"), Webhook.is_active.is_(True), Webhook.deleted_at.is_(None)
    )
)


async def subscriptions(session: AsyncSession, workspace_id: int) -> Sequence[tuple[str, list[str]]]:
    """Id and subscribed event types of each live, active webhook of the workspace (D11: who gets an event).

    Built once: every recorded event asks. On PostgreSQL the driver hands the JSON column over as its text.
    """
    rows = await _SUBSCRIPTIONS.all_in(session, workspace_id=workspace_id)
    return [(row["id"], json.loads(row["events"]) if isinstance(row["events"], str) else row["events"]) for row in rows]


# Core INSERTs built once, not the ORM's unit of work: every write of the API records an event.
_INSERT_EVENT = insert(WebhookEvent.__table__)  # type: ignore[arg-type]
_INSERT_DELIVERY = insert(WebhookDelivery.__table__)  # type: ignore[arg-type]


async def insert_event(session: AsyncSession, event: WebhookEvent) -> None:
    """Store ``event`` (a WebhookEvent that stays out of the session: its id and time are what callers read)."""
    values = {
        "id": event.id,
        "workspace_id": event.workspace_id,
        "type": event.type,
        "payload": event.payload,
        "created_at": event.created_at,
    }
    await session.execute(_INSERT_EVENT, values)


async def insert_deliveries(session: AsyncSession, deliveries: Sequence[dict[str, Any]]) -> None:
    """Store pending deliveries (``event_id``, ``webhook_id``, ``status``, ``next_attempt_at``) in one statement."""
    if deliveries:
        await session.execute(_INSERT_DELIVERY, list(deliveries))


async def get_webhook(session: AsyncSession, workspace_id: int, webhook_id: str) -> Webhook | None:
    return await get_in_workspace(session, Webhook, workspace_id, webhook_id, live=True)


def deliveries_of(webhook_id: str, status: str | None) -> Select[WebhookDelivery, str]:
    """A webhook's deliveries with their event type, newest first."""
    statement = (
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return statement


async def get_delivery(session: AsyncSession, webhook_id: str, delivery_id: str) -> tuple[WebhookDelivery, str] | None:
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookEvent.type)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def attempts_by_delivery(session: AsyncSession, delivery_ids: Sequence[str]) -> dict[str, list[WebhookAttempt]]:
    """Every attempt of these deliveries, oldest first, in one query."""
    found: dict[str, list[WebhookAttempt]] = defaultdict(list)
    if not delivery_ids:
        return found
    attempts = (
        await session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempted_at, WebhookAttempt.id)
        )
    ).scalars()
    for attempt in attempts:
        found[attempt.delivery_id].append(attempt)
    return found


async def fail_pending(session: AsyncSession, webhook_id: str, *, reason: str, now: datetime) -> None:
    """Give up the webhook's pending deliveries (it was deleted or paused)."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
        .values(status="failed", last_error=reason, next_attempt_at=now, locked_until=None, updated_at=now)
    )


async def probe_deliveries(session: AsyncSession) -> None:
    """Fails unless the deliveries table can be read (the worker's start-up check)."""
    await session.execute(select(WebhookDelivery.id).limit(1))
