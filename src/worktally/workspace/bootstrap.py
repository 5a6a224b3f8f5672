"""Creating an owner and their workspace: used by the CLI's ``bootstrap`` and ``demo``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.permissions import Role
from worktally.core.clock import utc_now
from worktally.core.errors import ConflictError
from worktally.core.passwords import hash_password
from worktally.db.models import Membership, User, Workspace


@dataclass(frozen=True, slots=True)
class Bootstrapped:
    user_id: int
    workspace_id: int


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.strip().lower()))).scalar_one_or_none()


async def create_user(
    session: AsyncSession, *, email: str, firstname: str, lastname: str, password: str | None
) -> User:
    if await get_user_by_email(session, email) is not None:
        raise ConflictError(f"A user with the e-mail {email} already exists.", code="email_taken")
    user = User(
        email=email.strip().lower(),
        firstname=firstname,
        lastname=lastname,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    await session.flush()
    return user


async def create_workspace(session: AsyncSession, *, owner: User, name: str, timezone: str = "UTC") -> Workspace:
    now = utc_now()
    workspace = Workspace(name=name, owner_id=owner.id, status="active", timezone=timezone, activated_at=now)
    session.add(workspace)
    await session.flush()
    session.add(
        Membership(
            workspace_id=workspace.id,
            user_id=owner.id,
            role=Role.OWNER.value,
            status="active",
            rate_status=1,
            activated_at=now,
        )
    )
    await session.flush()
    return workspace


async def bootstrap(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    firstname: str,
    lastname: str,
    workspace_name: str,
) -> Bootstrapped:
    """A new owner with a password and a new workspace; an existing user just gets another workspace."""
    user = await get_user_by_email(session, email)
    if user is None:
        user = await create_user(session, email=email, firstname=firstname, lastname=lastname, password=password)
    workspace = await create_workspace(session, owner=user, name=workspace_name)
    return Bootstrapped(user_id=user.id, workspace_id=workspace.id)
