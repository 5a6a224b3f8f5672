"""``create_app(settings)``: middleware, routers and error handlers, wired once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from worktally import __version__
from worktally.activity.router import router as activity_router
from worktally.api.body_limit import BodyLimitMiddleware
from worktally.api.content_type import JsonCharsetMiddleware
from worktally.api.docs import install_docs
from worktally.api.errors import register_error_handlers
from worktally.api.openapi import document_api
from worktally.api.rate_limit import RateLimiter, RateLimitHeadersMiddleware
from worktally.api.routing import API_PREFIX, api_routes, app_routes
from worktally.auth.oauth2.engine import dispose_sync_engine
from worktally.auth.oauth2.router import router as oauth2_router
from worktally.change.router import router as change_router
from worktally.config import Settings
from worktally.contract.router import router as contract_router
from worktally.core.logs import install_redaction
from worktally.db.read_pool import create_read_pool
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.db.sqlite_access import create_sqlite_access
from worktally.expense.router import router as expense_router
from worktally.leave.router import router as leave_router
from worktally.mcp_server import McpEndpoint
from worktally.member.router import router as member_router
from worktally.ops import health as ops_health
from worktally.ops.collector import tuned_collector
from worktally.ops.http import ObservabilityMiddleware
from worktally.project.router import router as project_router
from worktally.project_viewer.router import router as project_viewer_router
from worktally.report.router import router as report_router
from worktally.task.router import router as task_router
from worktally.team.router import router as team_router
from worktally.time_entry.router import router as time_entry_router
from worktally.time_request.router import router as time_request_router
from worktally.timesheet.router import router as timesheet_router
from worktally.tracking.router import router as tracking_router
from worktally.web.router import router as web_router
from worktally.web.session import BrowserSessionMiddleware
from worktally.webhook.router import router as webhook_router
from worktally.workspace.router import router as workspace_router

log = logging.getLogger("worktally")


DOMAIN_ROUTERS: tuple[APIRouter, ...] = (
    workspace_router,
    member_router,
    team_router,
    project_router,
    contract_router,
    task_router,
    project_viewer_router,
    tracking_router,
    activity_router,
    time_entry_router,
    time_request_router,
    timesheet_router,
    leave_router,
    expense_router,
    report_router,
    webhook_router,
    change_router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    install_redaction()  # D20: no secret reaches a log line, whoever configured the handlers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine_for(settings.database_url, pool_size=settings.db_pool_size, echo=settings.db_echo)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_pool = create_read_pool(engine, settings.db_pool_size)
        app.state.sqlite = create_sqlite_access(settings.database_url)
        app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.redis_url)
        webhook_worker = None
        if settings.webhooks_inprocess_worker:
            from worktally.worker.runner import DeliveryWorker, WorkerOptions

            webhook_worker = DeliveryWorker(app.state.sessionmaker, WorkerOptions.from_settings(settings))
            webhook_worker.start()
        pool_sampler = asyncio.create_task(ops_health.sample_pools_forever(app), name="worktally-pool-sampler")
        try:
            with tuned_collector(settings.gc_tuned):  # ops/collector.py, with its measurement
                async with mcp.running():  # D22: /mcp's session manager
                    yield
        finally:
            pool_sampler.cancel()
            if webhook_worker is not None:
                await webhook_worker.stop()
            if app.state.read_pool is not None:
                await app.state.read_pool.close()
            if app.state.sqlite is not None:
                app.state.sqlite.close()
            await engine.dispose()
            dispose_sync_engine(app.state)

    app = FastAPI(
        title="Worktally — WebWork Time Tracker REST API V2",
        version=__version__,
        summary="A self-hostable server speaking the WebWork Time Tracker REST API V2.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # api/docs.py serves Swagger UI from an installed package, not a CDN
        redoc_url=None,
        lifespan=lifespan,
        routes=app_routes(DOMAIN_ROUTERS),
        telemetry={
            "tracing": settings.opentelemetry,
            "metrics": settings.opentelemetry,
            "logs": settings.opentelemetry,
        },
    )
    app.state.settings = settings
    document_api(app, api_routes(DOMAIN_ROUTERS))
    install_docs(app)

    app.router.routes[:0] = ops_health.ROUTES  # D20: /livez, /readyz, /metrics
    app.include_router(oauth2_router)
    mcp = McpEndpoint(app, settings.public_url)  # D22: /mcp and its RFC 9728 metadata
    app.router.routes.extend(mcp.routes)
    app.include_router(web_router)

    register_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(
        BrowserSessionMiddleware,
        api_prefix=API_PREFIX,
        secret_key=settings.resolved_secret_key(),
        session_cookie="worktally_session",
        same_site="lax",
        https_only=settings.public_url.startswith("https://"),
    )
    app.add_middleware(ObservabilityMiddleware)  # request ids, metrics and the log line of D20
    app.add_middleware(JsonCharsetMiddleware)  # D1: outermost, so every JSON response says its charset
    return app
