"""The operator's view of credentials (the CLI's ``token list``, ``oauth-client list|revoke``).

Never a token, a secret or a hash: names, scopes and dates only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.tokens import parse_scopes
from worktally.core.clock import utc_now
from worktally.db.models import OAuthAuthorizationCode, OAuthClient, OAuthToken, PersonalAccessToken, User


@dataclass(frozen=True, slots=True)
class TokenSummary:
    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ClientSummary:
    client_id: str
    name: str
    owner_email: str
    public: bool
    redirect_uris: list[str]
    grant_types: list[str]
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


async def list_personal_tokens(session: AsyncSession, user_id: int) -> list[TokenSummary]:
    rows = await session.execute(
        select(
            PersonalAccessToken.id,
            PersonalAccessToken.name,
            PersonalAccessToken.scopes,
            PersonalAccessToken.created_at,
            PersonalAccessToken.expires_at,
            PersonalAccessToken.last_used_at,
            PersonalAccessToken.revoked_at,
        )
        .where(PersonalAccessToken.user_id == user_id)
        .order_by(PersonalAccessToken.id)
    )
    return [
        TokenSummary(
            id=row.id,
            name=row.name,
            scopes=sorted(parse_scopes(row.scopes)),
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
        for row in rows
    ]


async def list_clients(session: AsyncSession, owner_user_id: int | None = None) -> list[ClientSummary]:
    statement = (
        select(
            OAuthClient.client_id,
            OAuthClient.name,
            User.email,
            OAuthClient.client_secret_hash.is_(None).label("public"),
            OAuthClient.redirect_uris,
            OAuthClient.grant_types,
            OAuthClient.scope,
            OAuthClient.created_at,
            OAuthClient.revoked_at,
        )
        .join(User, User.id == OAuthClient.owner_user_id)
        .order_by(OAuthClient.id)
    )
    if owner_user_id is not None:
        statement = statement.where(OAuthClient.owner_user_id == owner_user_id)
    return [
        ClientSummary(
            client_id=row.client_id,
            name=row.name,
            owner_email=row.email,
            public=bool(row.public),
            redirect_uris=[uri for uri in row.redirect_uris.splitlines() if uri.strip()],
            grant_types=row.grant_types.split(),
            scopes=row.scope.split(),
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
        for row in await session.execute(statement)
    ]


async def revoke_client(session: AsyncSession, client_id: str) -> int | None:
    """Revoke an active client and everything it holds (tokens, unused codes): the number of tokens revoked,
    or None when there is no such active client."""
    now = utc_now()
    result = await session.execute(
        update(OAuthClient)
        .where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    tokens = await session.execute(
        update(OAuthToken)
        .where(
            OAuthToken.client_id == client_id,
            or_(OAuthToken.access_revoked_at.is_(None), OAuthToken.refresh_revoked_at.is_(None)),
        )
        .values(access_revoked_at=now, refresh_revoked_at=now)
    )
    await session.execute(
        update(OAuthAuthorizationCode)
        .where(OAuthAuthorizationCode.client_id == client_id, OAuthAuthorizationCode.used.is_(False))
        .values(used=True)
    )
    return int(tokens.rowcount)  # type: ignore[attr-defined]
