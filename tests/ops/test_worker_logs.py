"""D20: the webhook worker logs each delivery with the event's id (JSON: event_id, delivery_id, attempt, status)."""

from __future__ import annotations

import io
import json
import logging

from tests.webhook.conftest import Isolated, Receiver, wait_until
from tests.webhook.helpers import create_webhook, emit
from worktally.core.logs import JsonFormatter
from worktally.worker.runner import DeliveryWorker, WorkerOptions


async def test_each_delivery_is_logged_with_its_event_id(isolated: Isolated, receiver: Receiver) -> None:
    ws = await isolated.tenants.workspace()
    hook = await create_webhook(ws, url=receiver.url, events=["project.created"])
    event_id = await emit(ws)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("worktally.worker")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    worker = DeliveryWorker(isolated.sessionmaker, WorkerOptions(timeout=5, allow_private=True, poll_interval=0.05))
    worker.start(wake_on_commit=False)
    try:
        await wait_until(lambda: worker.stats.delivered >= 1)
    finally:
        await worker.stop()
        logger.removeHandler(handler)
        logger.setLevel(previous)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    delivered = [line for line in lines if line.get("event_id") == event_id]
    assert len(delivered) == 1
    assert delivered[0]["succeeded"] is True
    assert delivered[0]["status"] == 200
    assert delivered[0]["attempt"] == 1
    assert delivered[0]["delivery_id"]
    assert event_id in delivered[0]["message"]
    assert hook["token"] not in stream.getvalue()
