"""The outbox (D11): ``record_event`` stores an event and one pending delivery per subscribed webhook,
in the caller's transaction, so an event exists exactly when the change that caused it was committed.
The same record feeds the changes feed (D19, ``worktally.change``): one log, two readers.
Delivery happens later, in a worker (``worktally.worker``); the request never waits on a target.
An in-process worker may ask to be woken when a transaction that recorded events commits
(``add_commit_listener``); other workers poll.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.change import reach
from worktally.change import repository as changes
from worktally.change.kinds import change_of
from worktally.core.clock import isoformat_z, utc_now
from worktally.db.models import Webhook, WebhookDelivery, WebhookEvent
from worktally.webhook import repository

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


# Changes of resources that have no public webhook event (D19): recorded for the changes feed through the same
# log, never delivered (not subscribable).
CHANGE_ONLY_EVENT_TYPES: tuple[str, ...] = (
    "team.created",
    "team.updated",
    "team.deleted",
    "project_viewer.created",
    "project_viewer.updated",
    "project_viewer.deleted",
    "timesheet.created",
    "timesheet.unsubmitted",
    "leave_policy.created",
    "leave_policy.updated",
    "leave_policy.deleted",
    "leave_policy.withdrawn",  # no longer applies to data.user_id: a delete for them alone
    "expense_category.created",
    "expense_category.updated",
    "expense_category.deleted",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
)
_DELIVERABLE = frozenset(EVENT_TYPES)
_RECORDABLE = _DELIVERABLE | frozenset(CHANGE_ONLY_EVENT_TYPES)

# Sent only by POST /webhooks/{id}/test, to that webhook alone; not subscribable (not in EVENT_TYPES).
TEST_EVENT_TYPE = "webhook.test"

_commit_listeners: set[Callable[[], None]] = set()
_WAKE_FLAG = "worktally.webhook.wake_on_commit"


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(16)


def add_commit_listener(listener: Callable[[], None]) -> None:
    """Call ``listener`` after every commit of a transaction that recorded events (in this process)."""
    _commit_listeners.add(listener)


def remove_commit_listener(listener: Callable[[], None]) -> None:
    _commit_listeners.discard(listener)


def _notify_after_commit(session: AsyncSession) -> None:
    if not _commit_listeners or session.info.get(_WAKE_FLAG):
        return
    session.info[_WAKE_FLAG] = True

    def wake(sync_session: Any) -> None:
        sync_session.info.pop(_WAKE_FLAG, None)
        for listener in list(_commit_listeners):
            listener()

    sa_event.listen(session.sync_session, "after_commit", wake, once=True)


def _new_event(workspace_id: int, type: str, data: BaseModel | dict[str, Any]) -> WebhookEvent:
    now = utc_now()
    payload_data = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    event_id = new_event_id()
    return WebhookEvent(
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


async def record_event(
    session: AsyncSession, *, workspace_id: int, type: str, data: BaseModel | dict[str, Any]
) -> WebhookEvent:
    """Store one event, its deliveries and its change (D19). ``data`` is the changed resource as the API returns it."""
    if type not in _RECORDABLE:
        raise ValueError(f"unknown webhook event type {type!r}")
    event = _new_event(workspace_id, type, data)
    await session.flush()  # what the caller holds pending goes first, as it did when the event was an ORM add
    # Core INSERTs built once, not the ORM's unit of work: every write of the API records an event. The
    # returned WebhookEvent is not in the session (its callers read its id and created_at).
    await repository.insert_event(session, event)
    if type in _DELIVERABLE:
        deliveries = [
            {"event_id": event.id, "webhook_id": webhook_id, "status": "pending", "next_attempt_at": event.created_at}
            for webhook_id, events in await repository.subscriptions(session, workspace_id)
            if type in events
        ]
        await repository.insert_deliveries(session, deliveries)
    resource: dict[str, Any] = event.payload["data"]
    ref = change_of(type, resource)
    if ref is not None:
        reached = await reach.reached_members(session, workspace_id, type, resource)
        await changes.add(session, workspace_id=workspace_id, event_id=event.id, ref=ref, changed_at=event.created_at)
        await reach.record(
            session, workspace_id=workspace_id, event_id=event.id, members=reached, changed_at=event.created_at
        )
        if type == "project.deleted":
            await reach.project_archived(
                session,
                workspace_id=workspace_id,
                event_id=event.id,
                project_id=int(ref.resource_id),
                changed_at=event.created_at,
            )
    _notify_after_commit(session)
    return event


async def record_test_event(session: AsyncSession, *, webhook: Webhook) -> WebhookDelivery:
    """A ``webhook.test`` event, delivered to ``webhook`` only."""
    event = _new_event(
        webhook.workspace_id,
        TEST_EVENT_TYPE,
        {"webhook_id": webhook.id, "url": webhook.url, "message": "This is a test event from Worktally."},
    )
    session.add(event)
    await session.flush()  # the event row first: the delivery points at it
    delivery = WebhookDelivery(
        webhook_id=webhook.id, event_id=event.id, status="pending", next_attempt_at=event.created_at
    )
    session.add(delivery)
    await session.flush()
    _notify_after_commit(session)
    return delivery
