"""The queries of the browser pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import OAuthClient, PersonalAccessToken, User, Workspace


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def workspace_name(session: AsyncSession, workspace_id: int) -> str:
    name = (await session.execute(select(Workspace.name).where(Workspace.id == workspace_id))).scalar_one_or_none()
    return name or ""


async def active_tokens(session: AsyncSession, user_id: int, now: datetime) -> Sequence[PersonalAccessToken]:
    return (
        (
            await session.execute(
                select(PersonalAccessToken)
                .where(
                    PersonalAccessToken.user_id == user_id,
                    PersonalAccessToken.revoked_at.is_(None),
                    PersonalAccessToken.expires_at > now,
                )
                .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())
            )
        )
        .scalars()
        .all()
    )


async def revoke_token(session: AsyncSession, user_id: int, token_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(PersonalAccessToken)
        .where(
            PersonalAccessToken.id == token_id,
            PersonalAccessToken.user_id == user_id,
            PersonalAccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def owned_clients(session: AsyncSession, user_id: int) -> Sequence[OAuthClient]:
    return (
        (
            await session.execute(
                select(OAuthClient)
                .where(OAuthClient.owner_user_id == user_id, OAuthClient.revoked_at.is_(None))
                .order_by(OAuthClient.created_at.desc(), OAuthClient.id.desc())
            )
        )
        .scalars()
        .all()
    )
