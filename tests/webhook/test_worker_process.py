"""``worktally worker`` processes against a real receiver: faults, crashes, and two workers at once (D11)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook as Verifier

from tests.conftest import create_postgres_database, drop_postgres_database, need_service
from tests.factories.workspace import WorkspaceFixture
from tests.webhook.conftest import Isolated, Receiver, wait_until
from tests.webhook.helpers import create_webhook
from worktally.db.migrate import upgrade
from worktally.db.models import WebhookAttempt, WebhookDelivery
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.webhook.events import EVENT_TYPES, record_event

pytestmark = pytest.mark.slow


def _worktally_command() -> list[str]:
    script = Path(sys.executable).with_name("worktally")
    return [str(script)] if script.exists() else [sys.executable, "-m", "worktally.cli"]


class WorkerProcess:
    """One ``worktally worker`` subprocess; its stderr goes to a file (read on failure)."""

    def __init__(self, database_url: str, *, timeout: float, args: list[str]) -> None:
        env = {
            **os.environ,
            "WORKTALLY_DATABASE_URL": database_url,
            "WORKTALLY_WEBHOOKS_TIMEOUT_SECONDS": str(timeout),
            "WORKTALLY_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "WORKTALLY_LOG_LEVEL": "WARNING",
        }
        self.stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [*_worktally_command(), "worker", *args], env=env, stdout=subprocess.PIPE, stderr=self.stderr
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> dict[str, Any]:
        """SIGTERM, wait for a clean exit, return the JSON line it printed."""
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, self.log()
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        return result

    def log(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()


@contextmanager
def workers(database_url: str, count: int, *, timeout: float, args: list[str]) -> Iterator[list[WorkerProcess]]:
    started = [WorkerProcess(database_url, timeout=timeout, args=args) for _ in range(count)]
    try:
        yield started
    finally:
        for worker in started:
            worker.close()


async def emit_batch(ws: WorkspaceFixture, count: int, *, start: int) -> list[str]:
    """Record ``count`` events of every type in turn, in one transaction; returns their ids."""
    ids = []
    async with ws.tenants.sessionmaker() as session, session.begin():
        for n in range(start, start + count):
            type_ = EVENT_TYPES[n % len(EVENT_TYPES)]
            event = await record_event(session, workspace_id=ws.id, type=type_, data={"n": n})
            ids.append(event.id)
    return ids


def verify_all(receiver: Receiver, secret: str) -> dict[str, list[bytes]]:
    """Every request the receiver saw verifies, and names its own event: webhook-id → bodies."""
    bodies: dict[str, list[bytes]] = defaultdict(list)
    for request in receiver.snapshot():
        payload = Verifier(secret).verify(request.body, request.headers)
        assert payload["id"] == request.headers["webhook-id"]
        bodies[request.headers["webhook-id"]].append(request.body)
    return bodies


def _all_succeeded(sessionmaker: Any, expected: int) -> Any:
    async def check() -> bool:
        async with sessionmaker() as session:
            rows = (await session.execute(select(WebhookDelivery.status))).scalars().all()
        return len(rows) == expected and set(rows) == {"succeeded"}

    return check


class TestWorkerFaults:
    async def test_all_events_arrive_signed_through_outages_errors_hangs_and_a_crash(
        self, isolated: Isolated, receiver: Receiver
    ) -> None:
        ws = await isolated.tenants.workspace()
        hook = await create_webhook(ws, url=receiver.url, events=list(EVENT_TYPES))
        timeout = 0.5
        args = [
            "--concurrency", "50",
            "--poll-interval", "0.1",
            "--lease-seconds", "2",
            "--retry-schedule", ",".join(["0.3"] * 400),
        ]  # fmt: skip
        emitted: list[str] = []
        receiver.down()  # connection refused

        with workers(isolated.url, 1, timeout=timeout, args=args) as [first]:
            emitted += await emit_batch(ws, 50, start=0)
            await wait_until(self._attempts_with_error(isolated, "Connection failed"))

            receiver.mode = "error"
            receiver.up()
            emitted += await emit_batch(ws, 50, start=50)
            await wait_until(lambda: any(r.answered == 500 for r in receiver.snapshot()))

            receiver.mode = "hang"
            receiver.hang_seconds = 3.0
            receiver.after_hang_status = 504
            emitted += await emit_batch(ws, 50, start=100)
            await wait_until(lambda: sum(r.answered is None for r in receiver.snapshot()) >= 10)
            first.kill()  # mid-way: requests in flight, leases held

            with workers(isolated.url, 1, timeout=timeout, args=args) as [second]:
                emitted += await emit_batch(ws, 50, start=150)
                await wait_until(self._attempts_with_error(isolated, "Timed out"))

                receiver.mode = "ok"
                await wait_until(
                    lambda: {r.headers["webhook-id"] for r in receiver.succeeded()} >= set(emitted), seconds=120
                )
                await wait_until(_all_succeeded(isolated.sessionmaker, 200), seconds=30)
                summary = second.terminate()

        assert len(emitted) == len(set(emitted)) == 200
        bodies = verify_all(receiver, hook["token"])
        assert set(bodies) == set(emitted)
        # Retries and crash duplicates repeat the same event: the same id, the same body.
        assert all(len(set(versions)) == 1 for versions in bodies.values())
        assert summary["stopped"] is True

    @staticmethod
    def _attempts_with_error(iso: Isolated, prefix: str) -> Any:
        async def check() -> bool:
            async with iso.sessionmaker() as session:
                count = await session.scalar(
                    select(func.count()).select_from(WebhookAttempt).where(WebhookAttempt.error.startswith(prefix))
                )
            return bool(count)

        return check


class TestTwoWorkersOnPostgres:
    async def test_a_thousand_events_are_each_delivered_exactly_once(self, receiver: Receiver) -> None:
        server = need_service("WORKTALLY_TEST_POSTGRES_URL", "PostgreSQL")
        url, name = create_postgres_database(server, prefix="wt_hook_two")
        engine = create_engine_for(url)
        try:
            upgrade(url)
            await self._run(url, create_sessionmaker(engine), receiver)
        finally:
            await engine.dispose()
            drop_postgres_database(server, name)

    async def _run(self, url: str, sessionmaker: Any, receiver: Receiver) -> None:
        from tests.factories import Tenants

        tenants = Tenants(sessionmaker, None)  # type: ignore[arg-type]
        ws = await tenants.workspace()
        secret = await self._webhook(sessionmaker, ws.id, receiver.url)
        args = ["--concurrency", "20", "--poll-interval", "0.05"]

        with workers(url, 2, timeout=10.0, args=args) as started:
            emitted: list[str] = []
            for start in range(0, 1000, 100):
                emitted += await emit_batch(ws, 100, start=start)
            await wait_until(lambda: len(receiver.snapshot()) >= 1000, seconds=180)
            await wait_until(_all_succeeded(sessionmaker, 1000), seconds=60)
            summaries = [worker.terminate() for worker in started]

        bodies = verify_all(receiver, secret)
        assert set(bodies) == set(emitted)
        assert all(len(versions) == 1 for versions in bodies.values())  # exactly once
        assert len(receiver.snapshot()) == 1000
        assert sum(s["delivered"] for s in summaries) == 1000
        async with sessionmaker() as session:
            attempts = (await session.execute(select(WebhookDelivery.attempts))).scalars().all()
            errors = (
                await session.execute(select(WebhookAttempt.error).where(WebhookAttempt.error.is_not(None)))
            ).all()
        assert set(attempts) == {1}, errors

    @staticmethod
    async def _webhook(sessionmaker: Any, workspace_id: int, url: str) -> str:
        from worktally.db.models import Webhook
        from worktally.webhook.service import new_secret

        secret = new_secret()
        async with sessionmaker() as session, session.begin():
            session.add(Webhook(workspace_id=workspace_id, url=url, events=list(EVENT_TYPES), secret=secret))
        return secret
