"""Webhook use cases (D11): register, change, remove, inspect deliveries, retry, send a test event."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate, paginate_scalars
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import NotFoundError, ValidationError
from worktally.core.updates import given_fields
from worktally.db.models import Webhook, WebhookAttempt, WebhookDelivery
from worktally.webhook import repository
from worktally.webhook.errors import DeliveryInProgressError, WebhookPausedError
from worktally.webhook.events import TEST_EVENT_TYPE, record_event, record_test_event
from worktally.webhook.schemas import (
    WebhookAttemptRead,
    WebhookCreate,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
)
from worktally.webhook.targets import TargetRefused, check_when_saving

SECRET_BYTES = 32


def new_secret() -> str:
    """A Standard Webhooks signing secret: ``whsec_`` + base64 of random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def to_read(webhook: Webhook) -> WebhookRead:
    return WebhookRead(
        id=webhook.id,
        url=webhook.url,
        events=list(webhook.events),
        token=webhook.secret,
        is_active=webhook.is_active,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


def delivery_to_read(
    delivery: WebhookDelivery, event_type: str, attempts: Sequence[WebhookAttempt]
) -> WebhookDeliveryRead:
    return WebhookDeliveryRead(
        id=delivery.id,
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event_type=event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        updated_at=delivery.updated_at,
        attempt_log=[
            WebhookAttemptRead(
                attempted_at=a.attempted_at, status_code=a.status_code, duration_ms=a.duration_ms, error=a.error
            )
            for a in attempts
        ],
    )


async def _changed(session: AsyncSession, principal: Principal, webhook: Webhook, event: str) -> WebhookRead:
    """D19: record the change for the changes feed (its secret left out of the log), return the webhook."""
    read = to_read(webhook)
    await record_event(
        session, workspace_id=principal.workspace_id, type=event, data=read.model_dump(mode="json", exclude={"token"})
    )
    return read


async def _checked_url(raw: str, *, allow_private: bool) -> str:
    try:
        return await check_when_saving(raw, allow_private=allow_private)
    except TargetRefused as exc:
        raise ValidationError({"url": [str(exc)]}) from exc


async def _get_or_404(session: AsyncSession, principal: Principal, webhook_id: str) -> Webhook:
    webhook = await repository.get_webhook(session, principal.workspace_id, webhook_id)
    if webhook is None:
        raise NotFoundError("Webhook not found.", code="webhook_not_found")
    return webhook


async def list_webhooks(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[WebhookRead], Pagination]:
    rows, meta = await paginate_scalars(session, repository.active_webhooks(principal.workspace_id), page)
    return [to_read(w) for w in rows], meta


async def create_webhook(
    session: AsyncSession, principal: Principal, body: WebhookCreate, *, allow_private: bool
) -> WebhookRead:
    url = await _checked_url(body.url, allow_private=allow_private)
    webhook = Webhook(
        workspace_id=principal.workspace_id,
        url=url,
        events=body.events,
        secret=new_secret(),
        is_active=True,
        created_by=principal.user_id,
    )
    session.add(webhook)
    await session.flush()
    return await _changed(session, principal, webhook, "webhook.created")


async def get_webhook(session: AsyncSession, principal: Principal, webhook_id: str) -> WebhookRead:
    return to_read(await _get_or_404(session, principal, webhook_id))


async def update_webhook(
    session: AsyncSession, principal: Principal, webhook_id: str, body: WebhookUpdate, *, allow_private: bool
) -> WebhookRead:
    webhook = await _get_or_404(session, principal, webhook_id)
    given_fields(body, "events", "is_active")
    webhook.url = await _checked_url(body.url, allow_private=allow_private)
    if body.events is not None:
        webhook.events = body.events
    if body.is_active is not None and body.is_active != webhook.is_active:
        webhook.is_active = body.is_active
        if not body.is_active:
            await repository.fail_pending(session, webhook.id, reason="The webhook was paused.", now=utc_now())
    webhook.updated_at = utc_now()
    await session.flush()
    return await _changed(session, principal, webhook, "webhook.updated")


async def delete_webhook(session: AsyncSession, principal: Principal, webhook_id: str) -> None:
    webhook = await _get_or_404(session, principal, webhook_id)
    now = utc_now()
    webhook.deleted_at = now
    webhook.is_active = False
    await repository.fail_pending(session, webhook.id, reason="The webhook was deleted.", now=now)
    await session.flush()
    await _changed(session, principal, webhook, "webhook.deleted")


async def list_deliveries(
    session: AsyncSession, principal: Principal, webhook_id: str, page: PageParams, *, status: str | None
) -> tuple[list[WebhookDeliveryRead], Pagination]:
    webhook = await _get_or_404(session, principal, webhook_id)
    rows, meta = await paginate(session, repository.deliveries_of(webhook.id, status), page)
    attempts = await repository.attempts_by_delivery(session, [delivery.id for delivery, _ in rows])
    return [delivery_to_read(delivery, type_, attempts.get(delivery.id, [])) for delivery, type_ in rows], meta


async def retry_delivery(
    session: AsyncSession, principal: Principal, webhook_id: str, delivery_id: str
) -> WebhookDeliveryRead:
    """Send again now, with a fresh backoff schedule; the event id (``webhook-id``) stays the same."""
    webhook = await _get_or_404(session, principal, webhook_id)
    if not webhook.is_active:
        raise WebhookPausedError()
    found = await repository.get_delivery(session, webhook.id, delivery_id)
    if found is None:
        raise NotFoundError("Delivery not found.", code="delivery_not_found")
    delivery, event_type = found
    now = utc_now()
    if delivery.status == "pending" and delivery.locked_until is not None and delivery.locked_until > now:
        raise DeliveryInProgressError()
    delivery.status = "pending"
    delivery.next_attempt_at = now
    delivery.locked_until = None
    delivery.backoff_from = delivery.attempts
    delivery.updated_at = now
    await session.flush()
    attempts = await repository.attempts_by_delivery(session, [delivery.id])
    return delivery_to_read(delivery, event_type, attempts.get(delivery.id, []))


async def send_test_event(session: AsyncSession, principal: Principal, webhook_id: str) -> WebhookDeliveryRead:
    webhook = await _get_or_404(session, principal, webhook_id)
    if not webhook.is_active:
        raise WebhookPausedError()
    delivery = await record_test_event(session, webhook=webhook)
    await session.refresh(delivery)
    return delivery_to_read(delivery, TEST_EVENT_TYPE, [])
