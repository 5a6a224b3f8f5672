"""The delivery loop shared by the in-process worker and ``worktally worker`` processes.

Up to ``concurrency`` deliveries are in flight at once. Whenever a slot is free the loop claims due
deliveries for the free slots; when nothing is due it sleeps ``poll_interval`` seconds or until woken
(the in-process worker is woken after each commit that recorded events). A lease lasts
``lease_seconds`` (by default the timeout plus 30 s): long enough for one attempt, short enough that
the work of a dead worker is soon picked up again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worktally.change.retention import purge_expired
from worktally.config import Settings
from worktally.core.clock import utc_now
from worktally.webhook.events import add_commit_listener, remove_commit_listener
from worktally.worker import queue
from worktally.worker.schedule import DEFAULT_RETRY_SCHEDULE, next_delay
from worktally.worker.sender import Outcome, new_client, send

log = logging.getLogger("worktally.worker")

LEASE_MARGIN_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    timeout: float = 10.0
    allow_private: bool = False
    concurrency: int = 10
    poll_interval: float = 1.0
    lease_seconds: float | None = None  # default: timeout + 30 s
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    # Purging expired idempotency answers and old changes (D18, D19) between deliveries; 0 turns it off.
    housekeeping_interval: float = 300.0
    changes_retention_days: int = 30

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> WorkerOptions:
        values: dict[str, object] = {
            "timeout": settings.webhooks_timeout_seconds,
            "allow_private": settings.webhooks_allow_private_targets,
            "changes_retention_days": settings.changes_retention_days,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def lease(self) -> timedelta:
        seconds = self.lease_seconds if self.lease_seconds is not None else self.timeout + LEASE_MARGIN_SECONDS
        return timedelta(seconds=seconds)


@dataclass
class WorkerStats:
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0


@dataclass
class DeliveryWorker:
    sessionmaker: async_sessionmaker[AsyncSession]
    options: WorkerOptions = field(default_factory=WorkerOptions)
    stats: WorkerStats = field(default_factory=WorkerStats)

    def __post_init__(self) -> None:
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._next_housekeeping = 0.0  # time.monotonic() of the next purge (D18, D19)

    # Lifecycle -------------------------------------------------------------------------------------

    def start(self, *, wake_on_commit: bool = True) -> None:
        """Run in the background of the current event loop (the in-process worker)."""
        if wake_on_commit:
            add_commit_listener(self.wake)
        self._task = asyncio.create_task(self.run(), name="worktally-webhook-worker")

    async def stop(self) -> None:
        remove_commit_listener(self.wake)
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    def request_stop(self) -> None:
        self._stop.set()

    def wake(self) -> None:
        self._wake.set()

    # The loop --------------------------------------------------------------------------------------

    async def run(self) -> None:
        async with new_client(self.options.timeout) as client:
            try:
                while not self._stop.is_set():
                    await self._step(client)
            finally:
                await self._drain()

    async def _housekeep(self) -> None:
        interval = self.options.housekeeping_interval
        if interval <= 0 or time.monotonic() < self._next_housekeeping:
            return
        self._next_housekeeping = time.monotonic() + interval
        try:
            await purge_expired(self.sessionmaker, changes_retention_days=self.options.changes_retention_days)
        except Exception:
            log.exception("purging expired idempotency keys and changes failed")

    async def _step(self, client: httpx.AsyncClient) -> None:
        await self._housekeep()
        free = self.options.concurrency - len(self._inflight)
        self._wake.clear()  # before claiming, so that a commit during the claim is not missed
        claimed: list[queue.ClaimedDelivery] = []
        if free > 0:
            try:
                claimed = await self._claim(free)
            except Exception:
                log.exception("claiming webhook deliveries failed")
        for item in claimed:
            task = asyncio.create_task(self._deliver(client, item))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        if free <= 0 or (claimed and len(claimed) == free):
            # Saturated: wait for a slot (or a stop request).
            await self._wait(set(self._inflight), seconds=None)
        elif not claimed:
            await self._wait(set(), seconds=self.options.poll_interval)

    async def _wait(self, inflight: set[asyncio.Task[None]], seconds: float | None) -> None:
        waiters = {asyncio.create_task(self._stop.wait()), asyncio.create_task(self._wake.wait())}
        try:
            await asyncio.wait(inflight | waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            for waiter in waiters:
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter

    async def _drain(self) -> None:
        """Let in-flight attempts finish (they are bounded by the timeout); a lease covers the rest."""
        if not self._inflight:
            return
        _done, pending = await asyncio.wait(set(self._inflight), timeout=self.options.timeout + 5)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _claim(self, limit: int) -> list[queue.ClaimedDelivery]:
        now = utc_now()
        async with self.sessionmaker() as session, session.begin():
            return await queue.claim_due(session, now=now, lease=now + self.options.lease, limit=limit)

    async def _deliver(self, client: httpx.AsyncClient, item: queue.ClaimedDelivery) -> None:
        try:
            if not item.webhook_usable:
                async with self.sessionmaker() as session, session.begin():
                    await queue.give_up(session, item, reason="The webhook was deleted or paused.", now=utc_now())
                self.stats.given_up += 1
                return
            outcome = await send(
                client,
                url=item.url,
                secret=item.secret,
                event_id=item.event_id,
                payload=item.payload,
                time_limit=self.options.timeout,
                allow_private=self.options.allow_private,
            )
            await self._record(item, outcome)
        except Exception:
            # The lease will expire and the delivery will be attempted again.
            log.exception("delivering %s failed unexpectedly", item.delivery_id)

    async def _record(self, item: queue.ClaimedDelivery, outcome: Outcome) -> None:
        now = utc_now()
        next_at = None
        if not outcome.succeeded:
            delay = next_delay(self.options.retry_schedule, item.attempts + 1 - item.backoff_from)
            next_at = now + timedelta(seconds=delay) if delay is not None else None
        async with self.sessionmaker() as session, session.begin():
            stored = await queue.record_attempt(
                session,
                item,
                attempted_at=outcome.attempted_at,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                error=outcome.error,
                succeeded=outcome.succeeded,
                next_attempt_at=next_at,
                now=now,
            )
        if outcome.succeeded:
            self.stats.delivered += 1
        else:
            self.stats.failed_attempts += 1
            if next_at is None:
                self.stats.given_up += 1
        fields = {
            "event_id": item.event_id,
            "delivery_id": item.delivery_id,
            "attempt": item.attempts + 1,
            "status": outcome.status_code,
            "duration_ms": outcome.duration_ms,
            "succeeded": outcome.succeeded,
        }
        if not stored:
            log.warning("lease on delivery %s was lost; its attempt was logged only", item.delivery_id, extra=fields)
        elif outcome.succeeded:
            log.info("delivered event %s (delivery %s)", item.event_id, item.delivery_id, extra=fields)
        else:
            log.info("delivery %s of event %s failed: %s", item.delivery_id, item.event_id, outcome.error, extra=fields)
