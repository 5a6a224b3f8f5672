"""Every query the delivery worker runs: claim due deliveries under a lease, store attempts and results.

Claiming is one short transaction. On PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` lets concurrent
workers pass over each other's rows; on SQLite (one writer at a time, ``BEGIN IMMEDIATE``) the same
statement runs without the lock clause. On both, the lease is set by a compare-and-set ``UPDATE``
(still due, lease free or expired), so a row is only ever claimed by one worker per lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    delivery_id: str
    event_id: str
    payload: dict[str, Any]
    url: str
    secret: str
    webhook_usable: bool  # not deleted and not paused
    attempts: int
    backoff_from: int
    lease: datetime  # our locked_until: the fencing token for storing the result


def _due(now: datetime) -> Any:
    return (
        (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at <= now)
        & or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now)
    )


async def claim_due(session: AsyncSession, *, now: datetime, lease: datetime, limit: int) -> list[ClaimedDelivery]:
    """Lease up to ``limit`` due deliveries until ``lease``; the caller commits."""
    candidates = (
        (
            await session.execute(
                select(WebhookDelivery.id)
                .where(_due(now))
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    if not candidates:
        return []
    claimed = (
        (
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(candidates), _due(now))
                .values(locked_until=lease)
                .returning(WebhookDelivery.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = (
        await session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.event_id,
                WebhookDelivery.attempts,
                WebhookDelivery.backoff_from,
                WebhookEvent.payload,
                Webhook.url,
                Webhook.secret,
                Webhook.is_active,
                Webhook.deleted_at,
            )
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.id.in_(claimed))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        )
    ).all()
    return [
        ClaimedDelivery(
            delivery_id=row.id,
            event_id=row.event_id,
            payload=row.payload,
            url=row.url,
            secret=row.secret,
            webhook_usable=bool(row.is_active) and row.deleted_at is None,
            attempts=row.attempts,
            backoff_from=row.backoff_from,
            lease=lease,
        )
        for row in rows
    ]


def _ours(claimed: ClaimedDelivery) -> Any:
    return (WebhookDelivery.id == claimed.delivery_id) & (WebhookDelivery.locked_until == claimed.lease)


async def record_attempt(
    session: AsyncSession,
    claimed: ClaimedDelivery,
    *,
    attempted_at: datetime,
    status_code: int | None,
    duration_ms: int,
    error: str | None,
    succeeded: bool,
    next_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Log the attempt, then store the outcome if the lease is still ours; returns whether it was."""
    session.add(
        WebhookAttempt(
            delivery_id=claimed.delivery_id,
            attempted_at=attempted_at,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
        )
    )
    values: dict[str, Any] = {
        "attempts": WebhookDelivery.attempts + 1,
        "last_status_code": status_code,
        "last_error": error,
        "locked_until": None,
        "updated_at": now,
    }
    if succeeded:
        values.update(status="succeeded", delivered_at=now)
    elif next_attempt_at is None:
        values.update(status="failed")
    else:
        values.update(next_attempt_at=next_attempt_at)
    result = await session.execute(
        update(WebhookDelivery).where(_ours(claimed)).values(**values).execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def give_up(session: AsyncSession, claimed: ClaimedDelivery, *, reason: str, now: datetime) -> None:
    """Fail a delivery without sending (its webhook was deleted or paused after the event)."""
    await session.execute(
        update(WebhookDelivery)
        .where(_ours(claimed))
        .values(status="failed", last_error=reason, locked_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
