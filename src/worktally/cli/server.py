"""Running the server: ``migrate``, ``serve``, ``worker``."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from worktally.cli.app import app
from worktally.cli.common import database_failure, emit, fail, in_transaction, load_settings, migrate_database
from worktally.core.secrets import SecretKeyFileError
from worktally.ops import cli as ops_cli


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = load_settings()
    migrate_database(settings)
    emit({"migrated": True})


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=1000, help="Deliveries in flight at once.")] = 10,
    poll_interval: Annotated[float, typer.Option(min=0.01, help="Seconds between polls when idle.")] = 1.0,
    lease_seconds: Annotated[
        float | None, typer.Option(min=0.1, help="How long a claim lasts (default: timeout + 30 s).")
    ] = None,
    retry_schedule: Annotated[
        str | None, typer.Option(help="Comma-separated seconds between attempts (default: 5,30,120,…,86400).")
    ] = None,
) -> None:
    """Deliver webhooks until stopped (SIGTERM/SIGINT); safe to run several at once."""
    from worktally.webhook import repository as webhook_repository
    from worktally.worker.process import run_process
    from worktally.worker.runner import WorkerOptions
    from worktally.worker.schedule import DEFAULT_RETRY_SCHEDULE, parse_schedule

    try:
        schedule = parse_schedule(retry_schedule) if retry_schedule is not None else DEFAULT_RETRY_SCHEDULE
    except ValueError:
        fail("--retry-schedule must be comma-separated numbers of seconds, each >= 0", 2)
    settings = load_settings()
    # Out of reach or not migrated at start: one line and a non-zero exit (later outages are retried).
    in_transaction(settings, webhook_repository.probe_deliveries)
    options = WorkerOptions.from_settings(
        settings,
        concurrency=concurrency,
        poll_interval=poll_interval,
        lease_seconds=lease_seconds,
        retry_schedule=schedule,
    )
    try:
        stats = asyncio.run(run_process(settings, options))
    except Exception as exc:
        database_failure(settings, exc)
    emit({"stopped": True, "delivered": stats.delivered, "failed_attempts": stats.failed_attempts})


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Apply pending migrations, then serve the API."""
    import uvicorn

    settings = load_settings()
    migrate_database(settings)
    try:
        settings.resolved_secret_key()  # create the shared key once, before the workers start (D7)
    except SecretKeyFileError as exc:
        fail(str(exc))
    ops_cli.before_serve(settings, workers)  # the connection budget; metrics shared by the workers
    uvicorn.run(
        "worktally.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        access_log=False,
        # Importing the app takes seconds on a busy host; uvicorn's 5 s default restarts workers in a loop.
        timeout_worker_healthcheck=30,
        log_config=None,  # worktally.asgi configures logging in each worker (D20)
    )


ops_cli.register(app)  # backup, restore (D20)
