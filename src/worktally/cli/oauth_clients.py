"""``worktally oauth-client create|list|revoke``: OAuth2 client applications (D7)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.cli.app import oauth_app
from worktally.cli.common import emit, fail, in_transaction, load_settings
from worktally.core.clock import isoformat_z


@oauth_app.command("create")
def oauth_client_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    redirect_uri: Annotated[list[str], typer.Option("--redirect-uri", help="Repeat for several; matched exactly.")],
    public: Annotated[bool, typer.Option("--public", help="A public client: no secret, PKCE required.")] = False,
) -> None:
    """Register an OAuth2 client application owned by a user."""
    from worktally.auth.oauth2.clients import create_client
    from worktally.auth.oauth2.redirect_uris import redirect_uri_problem
    from worktally.workspace.bootstrap import get_user_by_email

    name = name.strip()
    if not name or len(name) > 200 or any(ord(ch) < 32 for ch in name):
        fail("--name must be 1 to 200 printable characters", 2)
    for uri in redirect_uri:
        problem = redirect_uri_problem(uri)
        if problem is not None:
            fail(problem, 2)
    settings = load_settings()

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, email)
        if user is None:
            fail(f"no user with e-mail {email}")
        created = await create_client(
            session, owner_user_id=user.id, name=name, redirect_uris=list(dict.fromkeys(redirect_uri)), public=public
        )
        return {"client_id": created.client_id, "client_secret": created.client_secret}

    emit(in_transaction(settings, work))


@oauth_app.command("list")
def oauth_client_list(
    email: Annotated[str | None, typer.Option(help="Only the applications this user owns.")] = None,
) -> None:
    """Registered applications (never a secret), revoked ones included and marked."""
    from worktally.auth.admin import list_clients
    from worktally.workspace.bootstrap import get_user_by_email

    settings = load_settings()

    async def work(session: AsyncSession) -> dict[str, Any]:
        owner_id = None
        if email is not None:
            user = await get_user_by_email(session, email)
            if user is None:
                fail(f"no user with e-mail {email}")
            owner_id = user.id
        clients = await list_clients(session, owner_id)
        return {
            "clients": [
                {
                    "client_id": client.client_id,
                    "name": client.name,
                    "owner_email": client.owner_email,
                    "public": client.public,
                    "redirect_uris": client.redirect_uris,
                    "grant_types": client.grant_types,
                    "scopes": client.scopes,
                    "created_at": isoformat_z(client.created_at),
                    "revoked": client.revoked_at is not None,
                    "revoked_at": isoformat_z(client.revoked_at) if client.revoked_at else None,
                }
                for client in clients
            ]
        }

    emit(in_transaction(settings, work))


@oauth_app.command("revoke")
def oauth_client_revoke(client_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke an application: its tokens stop working at once and it can get no new ones."""
    from worktally.auth.admin import revoke_client

    settings = load_settings()
    revoked = in_transaction(settings, lambda session: revoke_client(session, client_id))
    if revoked is None:
        fail(f"no active OAuth client {client_id}")
    emit({"revoked": True, "tokens_revoked": revoked})
