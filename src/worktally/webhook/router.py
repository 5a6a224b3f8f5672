from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from worktally.api.deps import SessionDep, SettingsDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.webhook import service
from worktally.webhook.schemas import DeliveryStatus, WebhookCreate, WebhookDeliveryRead, WebhookRead, WebhookUpdate

router = api_router("/webhooks", tags=["Webhooks"])

WebhooksRead = Annotated[Principal, require(Permission.WEBHOOKS_READ)]
WebhooksWrite = Annotated[Principal, require(Permission.WEBHOOKS_WRITE)]
WebhookId = Annotated[str, Path(description="The webhook's id.")]
DeliveryId = Annotated[str, Path(description="The delivery's id.")]
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]

EXTENSION: dict[str, Any] = {"x-worktally-extension": True}


async def allow_private_targets(settings: SettingsDep) -> bool:
    return settings.webhooks_allow_private_targets


AllowPrivate = Annotated[bool, Depends(allow_private_targets)]


@router.get("", response_model=Envelope[list[WebhookRead]])
async def list_webhooks(principal: WebhooksRead, session: SessionDep, page: Page) -> Envelope[list[WebhookRead]]:
    """List the workspace's webhooks."""
    items, meta = await service.list_webhooks(session, principal, page)
    return paginated(items, meta, message="Webhooks retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[WebhookRead])
async def create_webhook(
    principal: WebhooksWrite, session: SessionDep, body: WebhookCreate, allow_private: AllowPrivate
) -> Envelope[WebhookRead]:
    """Register a webhook; the response carries its signing secret (`token`)."""
    created = await service.create_webhook(session, principal, body, allow_private=allow_private)
    return ok(created, message="Webhook created successfully")


@router.get("/{webhookId}", response_model=Envelope[WebhookRead])
async def get_webhook(
    principal: WebhooksRead, session: SessionDep, webhook_id: Annotated[WebhookId, Path(alias="webhookId")]
) -> Envelope[WebhookRead]:
    """Get one webhook with its signing secret."""
    return ok(await service.get_webhook(session, principal, webhook_id), message="Webhook retrieved successfully")


@router.put("/{webhookId}", response_model=Envelope[WebhookRead])
async def update_webhook(
    principal: WebhooksWrite,
    session: SessionDep,
    webhook_id: Annotated[WebhookId, Path(alias="webhookId")],
    body: WebhookUpdate,
    allow_private: AllowPrivate,
) -> Envelope[WebhookRead]:
    """Change a webhook's URL (required) and events; pause or resume it."""
    updated = await service.update_webhook(session, principal, webhook_id, body, allow_private=allow_private)
    return ok(updated, message="Webhook updated successfully")


@router.delete("/{webhookId}", response_model=Envelope[None])
async def delete_webhook(
    principal: WebhooksWrite, session: SessionDep, webhook_id: Annotated[WebhookId, Path(alias="webhookId")]
) -> Envelope[None]:
    """Delete a webhook; its pending deliveries are given up."""
    await service.delete_webhook(session, principal, webhook_id)
    return ok(None, message="Webhook deleted successfully")


@router.get("/{webhookId}/deliveries", response_model=Envelope[list[WebhookDeliveryRead]], openapi_extra=EXTENSION)
async def list_webhook_deliveries(
    principal: WebhooksRead,
    session: SessionDep,
    webhook_id: Annotated[WebhookId, Path(alias="webhookId")],
    page: Page,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries in this state.")] = None,
) -> Envelope[list[WebhookDeliveryRead]]:
    """List a webhook's deliveries, newest first, each with its attempts."""
    items, meta = await service.list_deliveries(session, principal, webhook_id, page, status=status)
    return paginated(items, meta, message="Deliveries retrieved successfully")


@router.post(
    "/{webhookId}/deliveries/{deliveryId}/retry",
    response_model=Envelope[WebhookDeliveryRead],
    openapi_extra=EXTENSION,
)
async def retry_webhook_delivery(
    principal: WebhooksWrite,
    session: SessionDep,
    webhook_id: Annotated[WebhookId, Path(alias="webhookId")],
    delivery_id: Annotated[DeliveryId, Path(alias="deliveryId")],
) -> Envelope[WebhookDeliveryRead]:
    """Send a delivery again now, with the same `webhook-id` and a fresh retry schedule."""
    delivery = await service.retry_delivery(session, principal, webhook_id, delivery_id)
    return ok(delivery, message="Delivery scheduled for retry")


@router.post(
    "/{webhookId}/test", status_code=201, response_model=Envelope[WebhookDeliveryRead], openapi_extra=EXTENSION
)
async def test_webhook(
    principal: WebhooksWrite, session: SessionDep, webhook_id: Annotated[WebhookId, Path(alias="webhookId")]
) -> Envelope[WebhookDeliveryRead]:
    """Queue a `webhook.test` event for this webhook only."""
    delivery = await service.send_test_event(session, principal, webhook_id)
    return ok(delivery, message="Test event queued for delivery")
