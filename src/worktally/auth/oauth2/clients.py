"""OAuth2 client registration (the CLI and the web UI use this)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token
from worktally.db.models import OAuthClient


@dataclass(frozen=True, slots=True)
class CreatedClient:
    client_id: str
    client_secret: str | None


async def create_client(
    session: AsyncSession,
    *,
    owner_user_id: int,
    name: str,
    redirect_uris: list[str],
    public: bool = False,
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token", "client_credentials"),
) -> CreatedClient:
    client_id = "wtc_" + secrets.token_urlsafe(18)
    client_secret = None if public else "wts_" + secrets.token_urlsafe(32)
    if public:
        grant_types = tuple(g for g in grant_types if g != "client_credentials")
    session.add(
        OAuthClient(
            client_id=client_id,
            client_secret_hash=hash_token(client_secret) if client_secret else None,
            name=name,
            owner_user_id=owner_user_id,
            redirect_uris="\n".join(redirect_uris),
            grant_types=" ".join(grant_types),
            scope="read write admin",
            created_at=utc_now(),
        )
    )
    await session.flush()
    return CreatedClient(client_id=client_id, client_secret=client_secret)
