"""D12: invitations. A single-use token, valid 7 days, stored only as a hash; the link is
``{public_url}/accept-invitation/{token}``. Accepting sets the password and activates the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.core.passwords import hash_password
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import Invitation, Membership, User

INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    token: str
    link: str


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    invitation_id: int
    workspace_id: int
    user_id: int
    email: str
    firstname: str
    lastname: str


async def create_invitation(
    session: AsyncSession, *, workspace_id: int, user_id: int, public_url: str
) -> IssuedInvitation:
    """A fresh invitation; earlier unaccepted ones for the same member stop working."""
    now = utc_now()
    await session.execute(
        update(Invitation)
        .where(
            Invitation.workspace_id == workspace_id,
            Invitation.user_id == user_id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = new_token("", 32)
    session.add(
        Invitation(
            workspace_id=workspace_id,
            user_id=user_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    await session.flush()
    return IssuedInvitation(token=token, link=f"{public_url.rstrip('/')}/accept-invitation/{token}")


async def find_pending(session: AsyncSession, token: str) -> PendingInvitation | None:
    """The invitation behind ``token`` if it is unused and unexpired."""
    row = (
        await session.execute(
            select(Invitation.id, Invitation.workspace_id, User.id, User.email, User.firstname, User.lastname)
            .join(User, User.id == Invitation.user_id)
            .where(
                Invitation.token_hash == hash_token(token),
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utc_now(),
            )
        )
    ).first()
    if row is None:
        return None
    return PendingInvitation(
        invitation_id=row[0], workspace_id=row[1], user_id=row[2], email=row[3], firstname=row[4], lastname=row[5]
    )


async def accept(
    session: AsyncSession,
    invitation: PendingInvitation,
    *,
    password: str,
    firstname: str | None = None,
    lastname: str | None = None,
) -> None:
    """Use the invitation once: set the password (and names), make the membership active."""
    now = utc_now()
    await session.execute(update(Invitation).where(Invitation.id == invitation.invitation_id).values(accepted_at=now))
    values: dict[str, object] = {"password_hash": hash_password(password)}
    if firstname:
        values["firstname"] = firstname
    if lastname:
        values["lastname"] = lastname
    await session.execute(update(User).where(User.id == invitation.user_id).values(**values))
    await session.execute(
        update(Membership)
        .where(
            Membership.workspace_id == invitation.workspace_id,
            Membership.user_id == invitation.user_id,
            Membership.status == "inactive",
        )
        .values(status="active", activated_at=now)
    )
