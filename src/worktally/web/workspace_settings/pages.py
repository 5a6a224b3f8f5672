"""Workspace settings for Owner and Executive manager (issue #17): ``/settings/workspace`` (timezone, the
auto-approval of time requests, attendance expectations) and ``/settings/webhooks`` (list, create and edit
with event checkboxes, the delivery log with status and response, retry, a test event, pause, resume,
delete). Every action is the API's service call with the API's schema, so its rules and messages are the API's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import Permission as P
from worktally.core.errors import AppError, ForbiddenError
from worktally.web import lists
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.me.pages import timezones
from worktally.web.pages import Form, redirect
from worktally.webhook import service as webhooks
from worktally.webhook.events import EVENT_TYPES
from worktally.webhook.schemas import WebhookCreate, WebhookUpdate
from worktally.workspace import service as workspace
from worktally.workspace.schemas import WorkspaceSettingsUpdate

router = APIRouter(route_class=WebRoute)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DELIVERIES_SHOWN = 50


def _may(frame: Frame, permission: P) -> None:
    if not frame.principal.can(permission):
        raise ForbiddenError("Your role does not allow this page.", code="role_forbidden")


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhooks_allow_private_targets)


# --- the workspace's settings ---------------------------------------------------------------------------


async def _render_settings(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    current = await workspace.get_settings(session, frame.principal)
    shown: dict[str, Any] = current.model_dump() | (values or {})
    return page(
        request,
        "settings_workspace.html",
        frame,
        status_code=status_code,
        area="settings",
        values=shown,
        errors=errors or {},
        timezones=timezones(),
        weekdays=list(enumerate(WEEKDAYS)),
        may_write=frame.principal.can(P.WORKSPACE_SETTINGS_WRITE),
    )


@router.get("/settings/workspace")
async def settings_page(request: Request, session: SessionDep) -> Response:
    """The workspace's settings, as ``GET /workspaces/settings`` gives them."""
    frame = await member_frame(request, session)
    need(frame, "settings")
    return await _render_settings(request, session, frame)


def _settings_values(form: Form) -> dict[str, Any]:
    return {
        "timezone": form.get("timezone"),
        "auto_approve_time_requests": form.get("auto_approve_time_requests") == "on",
        "weekend_days": [int(v) for v in form.getlist("weekend_days") if v.isdigit()],
        "workday_start_time": form.get("workday_start_time"),
        "expected_daily_minutes": form.get("expected_daily_minutes") or None,
        "late_grace_minutes": form.get("late_grace_minutes") or None,
    }


@router.post("/settings/workspace")
async def save_settings(request: Request, session: SessionDep) -> Response:
    """Save the settings (``PUT /workspaces/settings``); refused input comes back with the API's messages."""
    frame, form = await posted(request, session)
    need(frame, "settings")
    _may(frame, P.WORKSPACE_SETTINGS_WRITE)
    values = _settings_values(form)
    try:
        body = WorkspaceSettingsUpdate.model_validate(values)
        await workspace.update_settings(session, frame.principal, body)
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        return await _render_settings(
            request, session, frame, status_code=error_status(request, exc), errors=errors, values=values
        )
    flash(request, "Workspace settings saved.")
    return redirect("/settings/workspace")


# --- webhooks (D11) -------------------------------------------------------------------------------------


async def _render_webhooks(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    hooks = await lists.every(lambda p: webhooks.list_webhooks(session, frame.principal, p))
    return page(
        request,
        "settings_webhooks.html",
        frame,
        status_code=status_code,
        area="settings",
        webhooks=hooks,
        event_types=EVENT_TYPES,
        errors=errors or {},
        values={"url": "", "events": [], **(values or {})},
        may_write=frame.principal.can(P.WEBHOOKS_WRITE),
    )


async def _render_webhook(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    webhook_id: str,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    hook = await webhooks.get_webhook(session, frame.principal, webhook_id)
    deliveries, meta = await webhooks.list_deliveries(
        session, frame.principal, webhook_id, PageParams(1, DELIVERIES_SHOWN), status=None
    )
    return page(
        request,
        "settings_webhook.html",
        frame,
        status_code=status_code,
        area="settings",
        hook=hook,
        deliveries=deliveries,
        total_deliveries=meta.total,
        event_types=EVENT_TYPES,
        errors=errors or {},
        values={"url": hook.url, "events": hook.events, **(values or {})},
        may_write=frame.principal.can(P.WEBHOOKS_WRITE),
    )


@router.get("/settings/webhooks")
async def webhooks_page(request: Request, session: SessionDep) -> Response:
    """The workspace's webhooks and the form to add one."""
    frame = await member_frame(request, session)
    need(frame, "settings")
    _may(frame, P.WEBHOOKS_READ)
    return await _render_webhooks(request, session, frame)


@router.post("/settings/webhooks")
async def create_webhook(request: Request, session: SessionDep) -> Response:
    """Register a webhook (``POST /webhooks``); its page shows the signing secret."""
    frame, form = await posted(request, session)
    need(frame, "settings")
    _may(frame, P.WEBHOOKS_WRITE)
    values = {"url": form.get("url"), "events": form.getlist("events")}
    try:
        body = WebhookCreate.model_validate(values)
        created = await webhooks.create_webhook(session, frame.principal, body, allow_private=_allow_private(request))
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        return await _render_webhooks(
            request, session, frame, status_code=error_status(request, exc), errors=errors, values=values
        )
    flash(request, "Webhook created.")
    return redirect(f"/settings/webhooks/{created.id}")


@router.get("/settings/webhooks/{webhook_id}")
async def webhook_page(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """One webhook: its URL and events, its secret, and its delivery log (newest first)."""
    frame = await member_frame(request, session)
    need(frame, "settings")
    _may(frame, P.WEBHOOKS_READ)
    return await _render_webhook(request, session, frame, webhook_id)


@router.post("/settings/webhooks/{webhook_id}")
async def update_webhook(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """Change the URL and events (``PUT /webhooks/{id}``)."""
    frame, form = await posted(request, session)
    need(frame, "settings")
    _may(frame, P.WEBHOOKS_WRITE)
    values = {"url": form.get("url"), "events": form.getlist("events")}
    try:
        body = WebhookUpdate.model_validate(values)
        await webhooks.update_webhook(session, frame.principal, webhook_id, body, allow_private=_allow_private(request))
    except (AppError, PydanticValidationError) as exc:
        if isinstance(exc, AppError) and exc.status_code == 404:
            raise
        errors = form_errors(exc)
        await session.rollback()
        return await _render_webhook(
            request, session, frame, webhook_id, status_code=error_status(request, exc), errors=errors, values=values
        )
    flash(request, "Webhook saved.")
    return redirect(f"/settings/webhooks/{webhook_id}")


async def _action(
    request: Request, session: SessionDep, webhook_id: str, action: str, delivery_id: str = ""
) -> Response:
    frame, _ = await posted(request, session)
    need(frame, "settings")
    _may(frame, P.WEBHOOKS_WRITE)
    principal = frame.principal
    target = f"/settings/webhooks/{webhook_id}"
    try:
        if action in ("pause", "resume"):
            hook = await webhooks.get_webhook(session, principal, webhook_id)
            body = WebhookUpdate(url=hook.url, is_active=action == "resume")
            await webhooks.update_webhook(session, principal, webhook_id, body, allow_private=_allow_private(request))
            flash(request, "Webhook paused." if action == "pause" else "Webhook resumed.")
        elif action == "delete":
            await webhooks.delete_webhook(session, principal, webhook_id)
            flash(request, "Webhook deleted.")
            target = "/settings/webhooks"
        elif action == "test":
            await webhooks.send_test_event(session, principal, webhook_id)
            flash(request, "Test event queued for delivery.")
        else:
            await webhooks.retry_delivery(session, principal, webhook_id, delivery_id)
            flash(request, "Delivery scheduled for retry.")
    except AppError as exc:
        if exc.status_code == 404:
            raise
        await session.rollback()
        flash(request, exc.message, "error")
    return redirect(target)


@router.post("/settings/webhooks/{webhook_id}/pause")
async def pause_webhook(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """Pause deliveries (pending ones are given up, as through the API)."""
    return await _action(request, session, webhook_id, "pause")


@router.post("/settings/webhooks/{webhook_id}/resume")
async def resume_webhook(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """Resume deliveries."""
    return await _action(request, session, webhook_id, "resume")


@router.post("/settings/webhooks/{webhook_id}/delete")
async def delete_webhook(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """Delete the webhook."""
    return await _action(request, session, webhook_id, "delete")


@router.post("/settings/webhooks/{webhook_id}/test")
async def test_webhook(request: Request, session: SessionDep, webhook_id: str) -> Response:
    """Queue a ``webhook.test`` event for this webhook only."""
    return await _action(request, session, webhook_id, "test")


@router.post("/settings/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(request: Request, session: SessionDep, webhook_id: str, delivery_id: str) -> Response:
    """Send a delivery again now."""
    return await _action(request, session, webhook_id, "retry", delivery_id)
