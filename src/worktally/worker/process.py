"""A standalone worker process (``worktally worker``): its own engine, stopped by SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal

from worktally.config import Settings
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.worker.runner import DeliveryWorker, WorkerOptions, WorkerStats

log = logging.getLogger("worktally.worker")


async def run_process(settings: Settings, options: WorkerOptions) -> WorkerStats:
    engine = create_engine_for(settings.database_url, pool_size=max(2, min(options.concurrency, settings.db_pool_size)))
    worker = DeliveryWorker(create_sessionmaker(engine), options)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.request_stop)
    log.info(
        "webhook worker started (concurrency %d, timeout %gs, poll %gs)",
        options.concurrency,
        options.timeout,
        options.poll_interval,
    )
    try:
        await worker.run()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await engine.dispose()
    log.info("webhook worker stopped")
    return worker.stats
