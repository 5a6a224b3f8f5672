"""Personal access tokens (D7) and the lookup of any bearer token to an identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.principal import Identity
from worktally.core.clock import utc_now
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import OAuthToken, PersonalAccessToken

PAT_PREFIX = "wtp_"
ACCESS_TOKEN_PREFIX = "wta_"
REFRESH_TOKEN_PREFIX = "wtr_"
PAT_LIFETIME = timedelta(days=182)  # about six months
LAST_USED_RESOLUTION = timedelta(minutes=1)  # do not write on every request


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: datetime
    id: int


def parse_scopes(raw: str) -> frozenset[str]:
    return frozenset(s for s in raw.replace(",", " ").split() if s)


async def create_personal_token(
    session: AsyncSession,
    *,
    user_id: int,
    name: str = "API token",
    scopes: frozenset[str] = frozenset({"read", "write"}),
    lifetime: timedelta = PAT_LIFETIME,
) -> IssuedToken:
    token = new_token(PAT_PREFIX)
    now = utc_now()
    row = PersonalAccessToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        scopes=" ".join(sorted(scopes)),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    await session.flush()
    return IssuedToken(token=token, expires_at=row.expires_at, id=row.id)


async def revoke_personal_token(session: AsyncSession, token: str) -> bool:
    result = await session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.token_hash == hash_token(token), PersonalAccessToken.revoked_at.is_(None))
        .values(revoked_at=utc_now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_all_for_user(session: AsyncSession, user_id: int) -> None:
    """Every token of a user stops working at once (archived members, D12)."""
    now = utc_now()
    await session.execute(
        update(PersonalAccessToken)
        .where(PersonalAccessToken.user_id == user_id, PersonalAccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.execute(
        update(OAuthToken)
        .where(
            OAuthToken.user_id == user_id,
            or_(OAuthToken.access_revoked_at.is_(None), OAuthToken.refresh_revoked_at.is_(None)),
        )
        .values(access_revoked_at=now, refresh_revoked_at=now)
    )


async def identify(session: AsyncSession, token: str) -> Identity | None:
    """The identity behind a bearer token, or None if unknown, expired or revoked (D7)."""
    now = utc_now()
    token_hash = hash_token(token)
    if token.startswith(PAT_PREFIX):
        pat = (
            await session.execute(
                select(
                    PersonalAccessToken.id,
                    PersonalAccessToken.user_id,
                    PersonalAccessToken.scopes,
                    PersonalAccessToken.last_used_at,
                ).where(
                    PersonalAccessToken.token_hash == token_hash,
                    PersonalAccessToken.revoked_at.is_(None),
                    PersonalAccessToken.expires_at > now,
                )
            )
        ).first()
        if pat is None:
            return None
        if pat.last_used_at is None or now - pat.last_used_at >= LAST_USED_RESOLUTION:
            await session.execute(
                update(PersonalAccessToken).where(PersonalAccessToken.id == pat.id).values(last_used_at=now)
            )
        return Identity(user_id=pat.user_id, scopes=parse_scopes(pat.scopes), token_kind="pat", token_id=pat.id)
    if token.startswith(ACCESS_TOKEN_PREFIX):
        oauth = (
            await session.execute(
                select(
                    OAuthToken.id, OAuthToken.user_id, OAuthToken.scope, OAuthToken.client_id, OAuthToken.last_used_at
                ).where(
                    OAuthToken.access_token_hash == token_hash,
                    OAuthToken.access_revoked_at.is_(None),
                    OAuthToken.access_expires_at > now,
                )
            )
        ).first()
        if oauth is None:
            return None
        if oauth.last_used_at is None or now - oauth.last_used_at >= LAST_USED_RESOLUTION:
            await session.execute(update(OAuthToken).where(OAuthToken.id == oauth.id).values(last_used_at=now))
        return Identity(
            user_id=oauth.user_id,
            scopes=parse_scopes(oauth.scope),
            token_kind="oauth",
            token_id=oauth.id,
            client_id=oauth.client_id,
        )
    return None
