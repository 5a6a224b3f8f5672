"""Delivery through the worker loop (in this process) to a real HTTP receiver on loopback (D11)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from tests.conftest import make_settings
from tests.webhook.conftest import Isolated, Receiver, wait_until
from tests.webhook.helpers import create_webhook, delivery_ids, emit
from worktally.core.clock import utc_now
from worktally.db.models import Webhook, WebhookDelivery
from worktally.main import create_app
from worktally.webhook.events import EVENT_TYPES
from worktally.worker.runner import DeliveryWorker, WorkerOptions

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


@asynccontextmanager
async def running_worker(iso: Isolated, **options: Any) -> AsyncIterator[DeliveryWorker]:
    values: dict[str, Any] = {"timeout": 2.0, "allow_private": True, "poll_interval": 0.05, "concurrency": 10}
    values.update(options)
    worker = DeliveryWorker(iso.sessionmaker, WorkerOptions(**values))
    worker.start(wake_on_commit=False)
    try:
        yield worker
    finally:
        await worker.stop()


async def delivery_rows(iso: Isolated, webhook_id: str) -> list[WebhookDelivery]:
    async with iso.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id).order_by(WebhookDelivery.id)
        )
        return list(rows.scalars())


def verified(secret: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    payload: dict[str, Any] = Verifier(secret).verify(body, headers)
    return payload


class TestDelivery:
    async def test_every_event_type_arrives_once_signed_with_the_webhooks_secret(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url, events=list(EVENT_TYPES))
        emitted = {type_: await emit(ws, type_, {"id": n, "kind": type_}) for n, type_ in enumerate(EVENT_TYPES)}

        async with running_worker(isolated):
            await wait_until(lambda: len(receiver.succeeded()) >= len(EVENT_TYPES))

        received = receiver.snapshot()
        assert len(received) == len(EVENT_TYPES)
        payloads = [verified(hook["token"], r.body, r.headers) for r in received]
        assert {p["type"] for p in payloads} == set(EVENT_TYPES)
        for request, payload in zip(received, payloads, strict=True):
            assert request.headers["webhook-id"] == payload["id"] == emitted[payload["type"]]
            assert request.headers["content-type"] == "application/json"
            assert payload["workspace_id"] == ws.id
            assert TIMESTAMP.match(payload["timestamp"])
            assert payload["data"]["kind"] == payload["type"]
            assert set(payload) == {"id", "type", "workspace_id", "timestamp", "data"}

    async def test_a_wrong_secret_does_not_verify(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        await create_webhook(ws, url=receiver.url)
        other = await create_webhook(ws, url="https://unused.example/h", events=["task.deleted"])
        await emit(ws)

        async with running_worker(isolated):
            await wait_until(lambda: receiver.succeeded())

        [request] = receiver.snapshot()
        with pytest.raises(WebhookVerificationError):
            verified(other["token"], request.body, request.headers)

    async def test_success_is_recorded_with_its_attempt(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        await emit(ws)

        async with running_worker(isolated):
            await wait_until(lambda: receiver.succeeded())
            await wait_until(self._delivered(isolated, hook["id"]))

        [item] = (await ws.owner.api.get(f"/webhooks/{hook['id']}/deliveries")).json()["data"]
        assert item["status"] == "succeeded"
        assert item["attempts"] == 1
        assert item["last_status_code"] == 200
        assert item["next_attempt_at"] is None
        assert TIMESTAMP.match(item["delivered_at"])
        [attempt] = item["attempt_log"]
        assert attempt["status_code"] == 200 and attempt["error"] is None and attempt["duration_ms"] >= 0

    @staticmethod
    def _delivered(iso: Isolated, webhook_id: str, count: int = 1) -> Any:
        async def check() -> bool:
            rows = await delivery_rows(iso, webhook_id)
            return len(rows) >= count and all(r.status == "succeeded" for r in rows)

        return check

    async def test_the_test_event_is_delivered_signed(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        queued = await ws.owner.api.post(f"/webhooks/{hook['id']}/test")

        async with running_worker(isolated):
            await wait_until(lambda: receiver.succeeded())

        [request] = receiver.snapshot()
        payload = verified(hook["token"], request.body, request.headers)
        assert payload["type"] == "webhook.test"
        assert payload["id"] == queued.json()["data"]["event_id"]
        assert payload["data"]["webhook_id"] == hook["id"]

    async def test_failures_are_retried_with_the_same_webhook_id(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        event_id = await emit(ws)
        receiver.mode = "error"

        async with running_worker(isolated, retry_schedule=(0.05,) * 20):
            await wait_until(lambda: len(receiver.snapshot()) >= 2)
            receiver.mode = "ok"
            await wait_until(self._delivered(isolated, hook["id"]))

        requests = receiver.snapshot()
        assert {r.headers["webhook-id"] for r in requests} == {event_id}
        assert all(verified(hook["token"], r.body, r.headers)["id"] == event_id for r in requests)
        [item] = (await ws.owner.api.get(f"/webhooks/{hook['id']}/deliveries")).json()["data"]
        codes = [a["status_code"] for a in item["attempt_log"]]
        assert codes[-1] == 200 and set(codes[:-1]) == {500}
        assert item["attempts"] == len(codes)

    async def test_gives_up_when_the_schedule_is_used_up(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        await emit(ws)
        receiver.mode = "error"

        async with running_worker(isolated, retry_schedule=(0.05, 0.05)):

            async def failed() -> bool:
                return [r.status for r in await delivery_rows(isolated, hook["id"])] == ["failed"]

            await wait_until(failed)

        [row] = await delivery_rows(isolated, hook["id"])
        assert row.attempts == 3
        assert row.last_status_code == 500
        assert row.last_error == "The target answered HTTP 500."
        assert len(receiver.snapshot()) == 3

    async def test_timeouts_and_refused_connections_are_failed_attempts(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        await emit(ws)
        receiver.mode = "hang"

        async with running_worker(isolated, timeout=0.3, retry_schedule=(0.05,) * 50):
            await wait_until(lambda: len(receiver.snapshot()) >= 1)
            receiver.down()

            async def refused() -> bool:
                rows = await delivery_rows(isolated, hook["id"])
                return bool(rows[0].last_error and rows[0].last_error.startswith("Connection failed"))

            await wait_until(refused)

        [item] = (await ws.owner.api.get(f"/webhooks/{hook['id']}/deliveries")).json()["data"]
        errors = [a["error"] for a in item["attempt_log"]]
        assert errors[0] == "Timed out after 0.3 s."
        assert errors[-1].startswith("Connection failed")
        assert all(a["status_code"] is None for a in item["attempt_log"])
        assert item["status"] == "pending"

    async def test_a_manual_retry_sends_a_failed_delivery_again(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        event_id = await emit(ws)
        [delivery] = await delivery_ids(ws, hook["id"])
        async with isolated.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery).values(status="failed", attempts=11)
            )
        await ws.owner.api.post(f"/webhooks/{hook['id']}/deliveries/{delivery}/retry")

        async with running_worker(isolated):
            await wait_until(self._delivered(isolated, hook["id"]))

        [request] = receiver.snapshot()
        assert request.headers["webhook-id"] == event_id
        [row] = await delivery_rows(isolated, hook["id"])
        assert row.attempts == 12

    async def test_a_redirect_is_not_followed_and_counts_as_failure(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        await emit(ws)
        receiver.mode = "hang"
        receiver.after_hang_status = 302
        receiver.release.set()

        async with running_worker(isolated, retry_schedule=(60,)):

            async def attempted() -> bool:
                return (await delivery_rows(isolated, hook["id"]))[0].attempts == 1

            await wait_until(attempted)

        [row] = await delivery_rows(isolated, hook["id"])
        assert row.status == "pending"
        assert row.last_status_code == 302
        assert len(receiver.snapshot()) == 1

    async def test_a_webhook_deleted_after_the_event_is_not_called(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        await emit(ws)
        async with isolated.sessionmaker() as session, session.begin():
            await session.execute(update(Webhook).where(Webhook.id == hook["id"]).values(deleted_at=utc_now()))

        async with running_worker(isolated):

            async def given_up() -> bool:
                return [r.status for r in await delivery_rows(isolated, hook["id"])] == ["failed"]

            await wait_until(given_up)

        assert receiver.snapshot() == []

    async def test_private_targets_are_refused_at_delivery_time(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)  # saved while private targets were allowed
        await emit(ws)

        async with running_worker(isolated, allow_private=False, retry_schedule=(60,)):

            async def attempted() -> bool:
                return (await delivery_rows(isolated, hook["id"]))[0].attempts == 1

            await wait_until(attempted)

        [row] = await delivery_rows(isolated, hook["id"])
        assert row.last_error is not None and "private" in row.last_error
        assert receiver.snapshot() == []


class TestLease:
    async def test_an_expired_lease_is_claimed_again_with_the_same_webhook_id(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        event_id = await emit(ws)
        async with isolated.sessionmaker() as session, session.begin():
            # A worker claimed it and died: its lease ran out a second ago.
            await session.execute(update(WebhookDelivery).values(locked_until=utc_now() - timedelta(seconds=1)))

        async with running_worker(isolated):
            await wait_until(TestDelivery._delivered(isolated, hook["id"]))

        assert [r.headers["webhook-id"] for r in receiver.snapshot()] == [event_id]

    async def test_a_live_lease_is_not_claimed(self, isolated: Isolated) -> None:
        from worktally.worker import queue

        ws = await isolated.tenants.workspace()
        await create_webhook(ws)
        await emit(ws)
        now = utc_now()
        async with isolated.sessionmaker() as session, session.begin():
            first = await queue.claim_due(session, now=now, lease=now + timedelta(seconds=30), limit=10)
        async with isolated.sessionmaker() as session, session.begin():
            second = await queue.claim_due(session, now=now, lease=now + timedelta(seconds=30), limit=10)

        assert len(first) == 1
        assert second == []

    async def test_a_result_after_the_lease_was_lost_is_only_logged(self, isolated: Isolated) -> None:
        from worktally.worker import queue

        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws)
        await emit(ws)
        now = utc_now()
        async with isolated.sessionmaker() as session, session.begin():
            [stale] = await queue.claim_due(session, now=now, lease=now + timedelta(seconds=1), limit=10)
        later = now + timedelta(seconds=2)
        async with isolated.sessionmaker() as session, session.begin():
            [current] = await queue.claim_due(session, now=later, lease=later + timedelta(seconds=30), limit=10)

        async with isolated.sessionmaker() as session, session.begin():
            stored = await queue.record_attempt(
                session,
                stale,
                attempted_at=now,
                status_code=200,
                duration_ms=1,
                error=None,
                succeeded=True,
                next_attempt_at=None,
                now=later,
            )

        assert stored is False
        [row] = await delivery_rows(isolated, hook["id"])
        assert row.status == "pending"
        assert row.locked_until == current.lease


class TestRequestsDoNotWait:
    async def test_the_api_answers_before_a_hanging_target_does(self, isolated: Isolated, receiver: Receiver) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url)
        receiver.mode = "hang"
        app = create_app(make_settings(isolated.url, webhooks_inprocess_worker=True))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                headers = {"Authorization": f"Bearer {ws.owner.token}"}

                response = await http.post(
                    f"/api/v2/webhooks/{hook['id']}/test", params={"workspace_id": ws.id}, headers=headers
                )

                assert response.status_code == 201
                assert response.json()["data"]["status"] == "pending"
                # The in-process worker now sends it; the target holds the request until released.
                await wait_until(lambda: len(receiver.snapshot()) == 1)
                assert receiver.snapshot()[0].answered is None
                receiver.release.set()
                await wait_until(lambda: receiver.succeeded())
                await wait_until(TestDelivery._delivered(isolated, hook["id"]))

        payload = json.loads(receiver.snapshot()[0].body)
        assert payload["id"] == response.json()["data"]["event_id"]
