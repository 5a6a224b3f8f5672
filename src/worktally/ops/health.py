"""``/livez``, ``/readyz`` and ``/metrics`` (D20): outside ``/api/v2``, no envelope, no authentication.

``/livez`` answers from memory: the process runs its event loop. ``/readyz`` says whether this process can
serve: the database answers, its migrations are the code's head, and Redis (when configured) answers; a
503 names each failing check. Each check is bounded by ``CHECK_TIMEOUT`` seconds, so a probe never hangs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from worktally.config import Settings
from worktally.core.clock import utc_now
from worktally.db.read_pool import ReadPool
from worktally.ops import metrics, repository

log = logging.getLogger("worktally.ops")

CHECK_TIMEOUT = 3.0
_NO_STORE = {"Cache-Control": "no-store"}


@functools.cache
def head_revisions() -> frozenset[str]:
    """The migration heads this code expects (read once per process from the migration scripts)."""
    from alembic.script import ScriptDirectory

    from worktally.db.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def _failure(error: BaseException) -> str:
    # The exception's class only: driver messages may name hosts, users or files, never useful to a prober.
    if isinstance(error, TimeoutError):
        return f"no answer within {CHECK_TIMEOUT:g} s"
    return f"unavailable ({type(error).__name__})"


async def check_database(engine: AsyncEngine) -> dict[str, str]:
    """``database`` and ``migrations`` (the second only once the first answers)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), engine.connect() as conn:
            await repository.ping(conn)
            applied = await repository.applied_revisions(conn)
    except Exception as error:
        return {"database": _failure(error), "migrations": "not checked"}
    if applied is None:
        return {"database": "ok", "migrations": "not migrated"}
    if applied != head_revisions():
        return {"database": "ok", "migrations": f"at {', '.join(sorted(applied)) or 'nothing'}, not at head"}
    return {"database": "ok", "migrations": "ok"}


async def check_redis(url: str) -> str:
    import redis.asyncio as redis

    client: Any = redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await client.ping()
    except Exception as error:
        return _failure(error)
    finally:
        await client.aclose()
    return "ok"


async def readiness(app: Starlette) -> dict[str, str]:
    settings: Settings = app.state.settings
    engine: AsyncEngine | None = getattr(app.state, "engine", None)
    if engine is None:  # the lifespan has not run (or has ended)
        return {"database": "not started", "migrations": "not checked"}
    if settings.redis_url:
        database, redis_state = await asyncio.gather(check_database(engine), check_redis(settings.redis_url))
        return {**database, "redis": redis_state}
    return await check_database(engine)


async def livez(_request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


async def readyz(request: Request) -> Response:
    checks = await readiness(request.app)
    failed = [name for name, state in checks.items() if state != "ok"]
    if failed:
        log.warning("not ready: %s", ", ".join(f"{name} {checks[name]}" for name in failed))
        return JSONResponse({"status": "unavailable", "failed": failed, "checks": checks}, 503, headers=_NO_STORE)
    return JSONResponse({"status": "ok", "checks": checks}, headers=_NO_STORE)


def pool_samples(app: Starlette) -> list[metrics.PoolSample]:
    samples: list[metrics.PoolSample] = []
    engine: AsyncEngine | None = getattr(app.state, "engine", None)
    pool: Any = engine.pool if engine is not None else None
    if pool is not None and hasattr(pool, "checkedout"):
        size = pool.size() + max(0, getattr(pool, "_max_overflow", 0))
        samples.append(metrics.PoolSample("session", size, pool.checkedout(), pool.checkedout() + pool.checkedin()))
    read_pool: ReadPool | None = getattr(app.state, "read_pool", None)
    if read_pool is not None:
        opened, idle, size = read_pool.usage()
        samples.append(metrics.PoolSample("read", size, opened - idle, opened))
    return samples


async def queue_figures(app: Starlette) -> metrics.QueueFigures | None:
    engine: AsyncEngine | None = getattr(app.state, "engine", None)
    if engine is None:
        return None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), engine.connect() as conn:
            pending, oldest, failed = await repository.queue_figures(conn)
    except Exception as error:
        log.warning("metrics: the webhook queue could not be read: %s", _failure(error))
        return None
    age = max(0.0, (utc_now() - oldest).total_seconds()) if oldest is not None else 0.0
    return metrics.QueueFigures(pending=pending, oldest_pending_age_seconds=age, failed=failed)


async def metrics_endpoint(request: Request) -> Response:
    metrics.sample_pools(pool_samples(request.app))
    body = metrics.exposition(await queue_figures(request.app))
    return Response(body, media_type=metrics.CONTENT_TYPE, headers=_NO_STORE)


POOL_SAMPLE_SECONDS = 5.0


async def sample_pools_forever(app: Starlette) -> None:
    """Each process's pool gauges, kept fresh for a scrape that another worker answers."""
    while True:
        metrics.sample_pools(pool_samples(app))
        await asyncio.sleep(POOL_SAMPLE_SECONDS)


class _NamedRoute(Route):
    """A plain route that leaves itself in the scope, as FastAPI's do, for the metrics' route label."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


ROUTES = (
    _NamedRoute("/livez", livez, methods=["GET"], include_in_schema=False),
    _NamedRoute("/readyz", readyz, methods=["GET"], include_in_schema=False),
    _NamedRoute("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False),
)
