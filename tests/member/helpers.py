"""Helpers for the people tests: database peeks and bulk rows (no argon2, no tokens)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from tests.factories.workspace import WorkspaceFixture, unique_email
from worktally.core.clock import utc_now
from worktally.db.models import Membership, User, WebhookEvent


async def membership(ws: WorkspaceFixture, user_id: int) -> Membership | None:
    async with ws.tenants.sessionmaker() as session:
        return (
            await session.execute(
                select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user_id)
            )
        ).scalar_one_or_none()


async def user(ws: WorkspaceFixture, user_id: int) -> User:
    async with ws.tenants.sessionmaker() as session:
        return (await session.execute(select(User).where(User.id == user_id))).scalar_one()


async def events(ws: WorkspaceFixture, type: str) -> list[dict[str, Any]]:
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookEvent.payload)
            .where(WebhookEvent.workspace_id == ws.id, WebhookEvent.type == type)
            .order_by(WebhookEvent.created_at)
        )
        return list(rows.scalars())


async def bulk_members(ws: WorkspaceFixture, count: int, *, role: str = "Regular User") -> list[int]:
    """``count`` active members, inserted in bulk; returns their user ids."""
    now = utc_now()
    async with ws.tenants.sessionmaker() as session, session.begin():
        emails = [unique_email("bulk") for _ in range(count)]
        await session.execute(
            insert(User),
            [
                {"email": e, "firstname": "Bulk", "lastname": str(i), "created_at": now, "updated_at": now}
                for i, e in enumerate(emails)
            ],
        )
        ids = list((await session.execute(select(User.id).where(User.email.in_(emails)))).scalars())
        await session.execute(
            insert(Membership),
            [
                {
                    "workspace_id": ws.id,
                    "user_id": uid,
                    "role": role,
                    "status": "active",
                    "rate_status": 0,
                    "rate_type": "hourly",
                    "currency": "USD",
                    "weekly_hours_limit": 168,
                    "screenshots": "full",
                    "is_blocked": False,
                    "created_at": now,
                    "updated_at": now,
                    "activated_at": now,
                }
                for uid in ids
            ],
        )
    return sorted(ids)
