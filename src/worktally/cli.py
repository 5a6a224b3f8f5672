"""The operator CLI (D7). Each command prints exactly one JSON object on stdout; logs go to stderr."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.config import Settings
from worktally.core.logs import configure_logging
from worktally.db.session import create_engine_for, create_sessionmaker
from worktally.ops import cli as ops_cli

app = typer.Typer(help="Worktally: a self-hostable WebWork Time Tracker REST API V2 server.", no_args_is_help=True)
token_app = typer.Typer(help="Personal access tokens.", no_args_is_help=True)
oauth_app = typer.Typer(help="OAuth2 client applications.", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(oauth_app, name="oauth-client")

T = TypeVar("T")
log = logging.getLogger("worktally.cli")


def _configure_logging(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)  # D20: text or JSON on stderr, secrets redacted


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def _fail(message: str, code: int = 1) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code)


def _migrate(settings: Settings) -> None:
    from worktally.db.migrate import upgrade

    upgrade(settings.database_url)


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine_for(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = Settings()
    _configure_logging(settings)
    _migrate(settings)
    _emit({"migrated": True})


@app.command()
def bootstrap(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    first_name: Annotated[str, typer.Option("--first-name")],
    last_name: Annotated[str, typer.Option("--last-name")],
    workspace: Annotated[str, typer.Option()],
) -> None:
    """Create the owner, the workspace and a read+write token."""
    from worktally.auth.tokens import create_personal_token
    from worktally.workspace.bootstrap import bootstrap as do_bootstrap

    settings = Settings()
    _configure_logging(settings)
    _migrate(settings)

    async def work(session: AsyncSession) -> dict[str, Any]:
        done = await do_bootstrap(
            session,
            email=email,
            password=password,
            firstname=first_name,
            lastname=last_name,
            workspace_name=workspace,
        )
        issued = await create_personal_token(session, user_id=done.user_id, name="bootstrap")
        return {"user_id": done.user_id, "workspace_id": done.workspace_id, "token": issued.token}

    _emit(_in_transaction(settings, work))


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()] = "CLI token",
    scopes: Annotated[str, typer.Option(help="Comma-separated: read,write")] = "read,write",
) -> None:
    """Create a personal access token for a user (shown once)."""
    from worktally.auth.tokens import create_personal_token, parse_scopes
    from worktally.workspace.bootstrap import get_user_by_email

    wanted = parse_scopes(scopes)
    if not wanted or not wanted <= {"read", "write"}:
        _fail("scopes must be a comma-separated subset of read,write", 2)
    settings = Settings()
    _configure_logging(settings)

    async def work(session: AsyncSession) -> dict[str, Any] | None:
        user = await get_user_by_email(session, email)
        if user is None:
            return None
        issued = await create_personal_token(session, user_id=user.id, name=name, scopes=wanted)
        return {"token": issued.token, "expires_at": issued.expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}

    result = _in_transaction(settings, work)
    if result is None:
        _fail(f"no user with e-mail {email}")
    else:
        _emit(result)


@token_app.command("revoke")
def token_revoke(token: Annotated[str, typer.Argument()]) -> None:
    """Revoke a personal access token; it stops working at once."""
    from worktally.auth.tokens import revoke_personal_token

    settings = Settings()
    _configure_logging(settings)
    revoked = _in_transaction(settings, lambda session: revoke_personal_token(session, token))
    if not revoked:
        _fail("no such active token")
    _emit({"revoked": True})


@oauth_app.command("create")
def oauth_client_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    redirect_uri: Annotated[str, typer.Option("--redirect-uri")],
    public: Annotated[bool, typer.Option("--public", help="A public client: no secret, PKCE required.")] = False,
) -> None:
    """Register an OAuth2 client application owned by a user."""
    from worktally.auth.oauth2.clients import create_client
    from worktally.workspace.bootstrap import get_user_by_email

    settings = Settings()
    _configure_logging(settings)

    async def work(session: AsyncSession) -> dict[str, Any] | None:
        user = await get_user_by_email(session, email)
        if user is None:
            return None
        created = await create_client(
            session, owner_user_id=user.id, name=name, redirect_uris=[redirect_uri], public=public
        )
        return {"client_id": created.client_id, "client_secret": created.client_secret}

    result = _in_transaction(settings, work)
    if result is None:
        _fail(f"no user with e-mail {email}")
    else:
        _emit(result)


@app.command()
def demo(
    email: Annotated[str, typer.Option()] = "owner@demo.worktally.local",
    password: Annotated[str, typer.Option()] = "demo-password",
) -> None:
    """Create (once) a demo workspace with members, projects and time, and print a fresh token."""
    from worktally.auth.tokens import create_personal_token
    from worktally.db.models import Workspace
    from worktally.demo import DemoContext, seeders
    from worktally.workspace.bootstrap import bootstrap as do_bootstrap
    from worktally.workspace.bootstrap import get_user_by_email

    settings = Settings()
    _configure_logging(settings)
    _migrate(settings)

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, email)
        existing = None
        if user is not None:
            existing = (
                await session.execute(
                    select(Workspace.id).where(Workspace.owner_id == user.id, Workspace.name == "Demo Workspace")
                )
            ).scalar_one_or_none()
        if existing is None:
            done = await do_bootstrap(
                session,
                email=email,
                password=password,
                firstname="Dana",
                lastname="Demo",
                workspace_name="Demo Workspace",
            )
            context = DemoContext(workspace_id=done.workspace_id, owner_id=done.user_id)
            for seeder in seeders():
                await seeder(session, context)
            user_id, workspace_id = done.user_id, done.workspace_id
        else:
            assert user is not None
            user_id, workspace_id = user.id, existing
        issued = await create_personal_token(session, user_id=user_id, name="demo")
        return {"user_id": user_id, "workspace_id": workspace_id, "token": issued.token, "email": email}

    _emit(_in_transaction(settings, work))


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
    from worktally.worker.process import run_process
    from worktally.worker.runner import WorkerOptions
    from worktally.worker.schedule import DEFAULT_RETRY_SCHEDULE, parse_schedule

    try:
        schedule = parse_schedule(retry_schedule) if retry_schedule is not None else DEFAULT_RETRY_SCHEDULE
    except ValueError:
        _fail("--retry-schedule must be comma-separated numbers of seconds, each >= 0", 2)
    settings = Settings()
    _configure_logging(settings)
    options = WorkerOptions.from_settings(
        settings,
        concurrency=concurrency,
        poll_interval=poll_interval,
        lease_seconds=lease_seconds,
        retry_schedule=schedule,
    )
    stats = asyncio.run(run_process(settings, options))
    _emit({"stopped": True, "delivered": stats.delivered, "failed_attempts": stats.failed_attempts})


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Apply pending migrations, then serve the API."""
    import uvicorn

    settings = Settings()
    _configure_logging(settings)
    _migrate(settings)
    settings.resolved_secret_key()  # create the shared key once, before the workers start
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


if __name__ == "__main__":  # pragma: no cover
    app()
