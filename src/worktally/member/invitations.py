"""D12: invitations. A single-use token, valid 7 days, stored only as a hash; the link is
``{public_url}/accept-invitation/{token}``. Accepting activates the member.

An invitation never sets or changes the password of an account that has one (issue #12: inviting the
e-mail of another workspace's owner must not hand their account to the inviter). Two ways to accept:

- ``accept``: the account has no password yet (this invitation created it, or it has only ever been
  invited): the invitee chooses its first password.
- ``accept_as``: the account has a password: its owner accepts by being signed in as that very account;
  nothing about the account changes but the new membership.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.sessions import password_problem
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.passwords import hash_password
from worktally.core.secrets import hash_token, new_token
from worktally.db.models import Invitation
from worktally.member import repository

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
    has_password: bool  # True: an existing account, which accepts by signing in (``accept_as``)


class InvitationRefused(Exception):
    """The invitation cannot be accepted this way; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SIGN_IN_REQUIRED = "sign_in_required"  # the account has a password: accept by signing in as it
WRONG_ACCOUNT = "wrong_account"  # signed in as someone else than the invited account
ALREADY_USED = "already_used"  # used or expired meanwhile, or the membership was archived


async def create_invitation(
    session: AsyncSession, *, workspace_id: int, user_id: int, public_url: str
) -> IssuedInvitation:
    """A fresh invitation; earlier unaccepted ones for the same member stop working."""
    now = utc_now()
    await repository.expire_open_invitations(session, workspace_id, user_id, now)
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
    row = await repository.pending_invitation(session, hash_token(token), utc_now())
    if row is None:
        return None
    return PendingInvitation(
        invitation_id=row.invitation_id,
        workspace_id=row.workspace_id,
        user_id=row.user_id,
        email=row.email,
        firstname=row.firstname,
        lastname=row.lastname,
        has_password=bool(row.has_password),
    )


async def _use(session: AsyncSession, invitation: PendingInvitation) -> None:
    """Mark the invitation used, once: a second request racing this one finds it used."""
    if not await repository.use_invitation(session, invitation.invitation_id, utc_now()):
        raise InvitationRefused(ALREADY_USED)


async def _activate(session: AsyncSession, invitation: PendingInvitation) -> None:
    """The invited membership becomes active; one archived meanwhile cannot be joined any more."""
    if not await repository.activate_invited(session, invitation.workspace_id, invitation.user_id, utc_now()):
        raise InvitationRefused(ALREADY_USED)


async def accept(
    session: AsyncSession,
    invitation: PendingInvitation,
    *,
    password: str,
    firstname: str | None = None,
    lastname: str | None = None,
) -> None:
    """Use the invitation of an account without a password: set its first password (and names), make the
    membership active. An account that has a password is refused (``SIGN_IN_REQUIRED``), also when it got
    one between the page and this request: the password is only written where there is none."""
    if invitation.has_password:
        raise InvitationRefused(SIGN_IN_REQUIRED)
    problem = password_problem(password)
    if problem is not None:
        raise ValidationError({"password": [problem]})
    password_hash = await asyncio.to_thread(hash_password, password)  # argon2: off the event loop
    await _use(session, invitation)
    values: dict[str, object] = {"password_hash": password_hash}
    if firstname:
        values["firstname"] = firstname
    if lastname:
        values["lastname"] = lastname
    if not await repository.set_first_password(session, invitation.user_id, values):
        raise InvitationRefused(SIGN_IN_REQUIRED)
    await _activate(session, invitation)


async def accept_as(session: AsyncSession, invitation: PendingInvitation, *, user_id: int) -> None:
    """Use the invitation as the signed-in user ``user_id``, who must be the invited account itself.
    Nothing of the account changes (password, names): only the membership becomes active."""
    if user_id != invitation.user_id:
        raise InvitationRefused(WRONG_ACCOUNT)
    await _use(session, invitation)
    await _activate(session, invitation)
