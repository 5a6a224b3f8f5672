"""``worktally demo``: a demo workspace for `make run`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.cli.app import app
from worktally.cli.common import emit, in_transaction, load_settings, migrate_database


@app.command()
def demo(
    email: Annotated[str, typer.Option()] = "owner@demo.worktally.local",
    password: Annotated[str, typer.Option()] = "demo-password",
) -> None:
    """Create (once) a demo workspace with members, projects and time, and print a fresh token."""
    from worktally.auth.tokens import create_personal_token
    from worktally.demo import DemoContext, seeders
    from worktally.workspace import repository as workspaces
    from worktally.workspace.bootstrap import bootstrap as do_bootstrap
    from worktally.workspace.bootstrap import get_user_by_email

    settings = load_settings()
    migrate_database(settings)

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, email)
        existing = None
        if user is not None:
            existing = await workspaces.owned_workspace_named(session, user.id, "Demo Workspace")
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

    emit(in_transaction(settings, work))
