"""``worktally token create|list|revoke``: personal access tokens (D7)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.cli.app import token_app
from worktally.cli.common import emit, fail, in_transaction, load_settings
from worktally.core.clock import isoformat_z


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
        fail("scopes must be a comma-separated subset of read,write", 2)
    settings = load_settings()

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, email)
        if user is None:
            fail(f"no user with e-mail {email}")
        issued = await create_personal_token(session, user_id=user.id, name=name, scopes=wanted)
        return {"token": issued.token, "expires_at": isoformat_z(issued.expires_at)}

    emit(in_transaction(settings, work))


@token_app.command("list")
def token_list(email: Annotated[str, typer.Option()]) -> None:
    """A user's personal access tokens: names, scopes and dates (never the token)."""
    from worktally.auth.admin import list_personal_tokens
    from worktally.workspace.bootstrap import get_user_by_email

    settings = load_settings()

    async def work(session: AsyncSession) -> dict[str, Any]:
        user = await get_user_by_email(session, email)
        if user is None:
            fail(f"no user with e-mail {email}")
        tokens = await list_personal_tokens(session, user.id)
        return {
            "tokens": [
                {
                    "id": token.id,
                    "name": token.name,
                    "scopes": token.scopes,
                    "created_at": isoformat_z(token.created_at),
                    "expires_at": isoformat_z(token.expires_at),
                    "last_used_at": isoformat_z(token.last_used_at) if token.last_used_at else None,
                    "revoked": token.revoked_at is not None,
                    "revoked_at": isoformat_z(token.revoked_at) if token.revoked_at else None,
                }
                for token in tokens
            ]
        }

    emit(in_transaction(settings, work))


@token_app.command("revoke")
def token_revoke(token: Annotated[str, typer.Argument()]) -> None:
    """Revoke a personal access token; it stops working at once."""
    from worktally.auth.token_repository import revoke_personal_token

    settings = load_settings()
    if not in_transaction(settings, lambda session: revoke_personal_token(session, token)):
        fail("no such active token")
    emit({"revoked": True})
