from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth import visibility
from worktally.auth.permissions import Role, is_staff_role
from worktally.auth.principal import Principal
from worktally.auth.sessions import end_sessions
from worktally.auth.token_repository import revoke_all_for_user
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.updates import given_fields
from worktally.db.models import Membership, User
from worktally.member import invitations, repository
from worktally.member.errors import (
    EmailTakenError,
    ExecutiveManagerProtectedError,
    MemberAlreadyArchivedError,
    MemberExistsError,
    MemberNotArchivedError,
    MemberNotFoundError,
    OwnerProtectedError,
)
from worktally.member.mail import InvitationMail
from worktally.member.schemas import MemberRead, MemberUpdate
from worktally.webhook.events import record_event


@dataclass(frozen=True, slots=True)
class Invited:
    member: MemberRead
    workspace_name: str
    invitation_link: str  # for the invitee's mailbox; shown to the inviter only when ``new_account``
    new_account: bool  # True: this invitation created the account (it has no password yet)
    signs_in: bool  # True: the account has a password, so its owner accepts by signing in

    @property
    def link_for_inviter(self) -> str | None:
        """Issue #12: the inviter never gets a link to an account that existed before the invitation;
        only the invitee's mailbox (or the server log, without SMTP) does, and that link makes them sign in."""
        return self.invitation_link if self.new_account else None

    @property
    def mail(self) -> InvitationMail:
        """The invitee's e-mail, whoever invited them (API, project viewers, web): a link to choose a password,
        or to sign in and accept when the account has one (``signs_in``)."""
        return InvitationMail(
            to=self.member.email,
            firstname=self.member.firstname,
            workspace_name=self.workspace_name,
            link=self.invitation_link,
            existing_account=self.signs_in,
        )


def to_read(row: Row[Any], principal: Principal) -> MemberRead:
    return _member_read(row, with_rate=principal.sees_rates_of(row.User.id))


def _member_read(row: Row[Any], *, with_rate: bool) -> MemberRead:
    membership: Membership = row.Membership
    user: User = row.User
    return MemberRead(
        id=user.id,
        email=user.email,
        firstname=user.firstname,
        lastname=user.lastname,
        avatar=user.avatar,
        current_role=membership.role,
        timezone=membership.timezone or row.workspace_timezone,
        status=membership.status,
        team_id=row.team_id,
        team_name=row.team_name,
        title=membership.title,
        rate=membership.rate if with_rate else None,
        rate_status=membership.rate_status,
        rate_type=membership.rate_type,
        currency=membership.currency,
        screenshots=membership.screenshots,
        weekly_hours_limit=membership.weekly_hours_limit,
        is_blocked=membership.is_blocked,
        created_at=membership.created_at,
        updated_at=membership.updated_at,
        deleted_at=membership.deleted_at,
    )


async def managers_view(session: AsyncSession, workspace_id: int, user_id: int) -> MemberRead | None:
    """The member as the workspace's managers see it (their rate shown), for the data of an event recorded
    without a caller (``member.activated`` after an invitation): webhooks are the managers' (D6, D11)."""
    row = await repository.get_member_row(session, workspace_id, user_id, visible=None, caller_id=user_id)
    return _member_read(row, with_rate=True) if row is not None else None


async def _read_row(session: AsyncSession, principal: Principal, member_id: int) -> Row[Any]:
    """The member as the caller may see them (D6, §1.8); invisible is the same as absent (D2)."""
    row = await repository.get_member_row(
        session,
        principal.workspace_id,
        member_id,
        visible=visibility.user_ids(principal),
        caller_id=principal.user_id,
    )
    if row is None:
        raise MemberNotFoundError()
    return row


async def list_members(
    session: AsyncSession,
    principal: Principal,
    *,
    page: PageParams,
    email: str | None = None,
    status: str | None = None,
    role: str | None = None,
) -> tuple[Sequence[MemberRead], Pagination]:
    statement = repository.list_members(
        principal.workspace_id,
        visible=visibility.user_ids(principal),
        caller_id=principal.user_id,
        email=email,
        status=status,
        role=role,
    )
    rows, meta = await paginate(session, statement, page)
    return [to_read(row, principal) for row in rows], meta


async def get_member(session: AsyncSession, principal: Principal, member_id: int) -> MemberRead:
    return to_read(await _read_row(session, principal, member_id), principal)


async def invite(
    session: AsyncSession,
    principal: Principal,
    *,
    email: str,
    firstname: str,
    lastname: str,
    role: str,
    public_url: str,
) -> Invited:
    """D12: a new inactive member (and a new user without a password if the e-mail is new), invited.

    An existing account keeps everything it has (password, names): the invitation only adds the membership,
    which its owner activates by signing in (``invitations.accept_as``)."""
    user = await repository.find_user_by_email(session, email)
    if user is not None and await repository.get_membership(session, principal.workspace_id, user.id) is not None:
        raise MemberExistsError()
    new_account = user is None
    signs_in = user is not None and user.password_hash is not None
    try:
        if user is None:
            user = User(email=email, firstname=firstname, lastname=lastname, password_hash=None)
            session.add(user)
            await session.flush()
        session.add(
            Membership(
                workspace_id=principal.workspace_id,
                user_id=user.id,
                role=role,
                status="inactive",
                invited_by=principal.user_id,
            )
        )
        await session.flush()
    except IntegrityError:
        # Another request invited the same e-mail at the same moment.
        raise MemberExistsError() from None
    issued = await invitations.create_invitation(
        session, workspace_id=principal.workspace_id, user_id=user.id, public_url=public_url
    )
    row = await _read_row(session, principal, user.id)
    member = to_read(row, principal)
    await record_event(session, workspace_id=principal.workspace_id, type="member.invited", data=member)
    return Invited(
        member=member,
        workspace_name=row.workspace_name,
        invitation_link=issued.link,
        new_account=new_account,
        signs_in=signs_in,
    )


async def _changeable(
    session: AsyncSession, principal: Principal, member_id: int, *, allow_self: bool, viewer: bool = False
) -> Membership:
    """The membership a manager is about to change, after the D6 protections of the owner and of EMs."""
    membership = await repository.get_membership(session, principal.workspace_id, member_id)
    if membership is None or (viewer and is_staff_role(membership.role)):
        raise MemberNotFoundError()
    if membership.role == Role.OWNER.value:
        raise OwnerProtectedError()
    is_self = membership.user_id == principal.user_id
    if (
        membership.role == Role.EXECUTIVE_MANAGER.value
        and principal.role is not Role.OWNER
        and not (is_self and allow_self)
    ):
        raise ExecutiveManagerProtectedError()
    return membership


async def update_member(session: AsyncSession, principal: Principal, member_id: int, body: MemberUpdate) -> MemberRead:
    given = given_fields(
        body, "email", "firstname", "lastname", "role", "rate_status", "weekly_hours_limit", "remove_avatar"
    )
    membership = await _changeable(session, principal, member_id, allow_self=body.role is None)
    user = await repository.get_user(session, membership.user_id)

    if (
        "team_id" in given
        and body.team_id is not None
        and not await repository.team_exists(session, principal.workspace_id, body.team_id)
    ):
        raise ValidationError({"team_id": ["The selected team does not exist in this workspace."]})
    if body.email is not None and body.email != user.email:
        if await repository.find_user_by_email(session, body.email) is not None:
            raise EmailTakenError()
        # A user is one person across workspaces; one workspace's managers must not re-route their sign-in.
        if await repository.belongs_to_other_workspace(session, user.id, principal.workspace_id):
            raise ValidationError(
                {"email": ["The email of a member who also belongs to other workspaces cannot be changed here."]}
            )
        user.email = body.email

    if body.firstname is not None:
        user.firstname = body.firstname
    if body.lastname is not None:
        user.lastname = body.lastname
    if body.remove_avatar == 1:
        user.avatar = None
    if "timezone" in given:
        membership.timezone = body.timezone
    if body.role is not None:
        membership.role = body.role
    if body.rate_status is not None:
        membership.rate_status = body.rate_status
    if body.weekly_hours_limit is not None:
        membership.weekly_hours_limit = body.weekly_hours_limit
    if "title" in given:
        membership.title = body.title or None
    if "rate" in given:
        membership.rate = body.rate
    if "team_id" in given:
        await repository.set_member_team(session, principal.workspace_id, membership.user_id, body.team_id)
    membership.updated_at = utc_now()
    try:
        await session.flush()
    except IntegrityError:
        raise EmailTakenError() from None

    member = await get_member(session, principal, membership.user_id)
    await record_event(session, workspace_id=principal.workspace_id, type="member.updated", data=member)
    return member


async def archive_member(
    session: AsyncSession, principal: Principal, member_id: int, *, viewer: bool = False
) -> MemberRead:
    """D12: status ``left``, data kept. The member loses this workspace at once (only active members
    get a principal); their tokens are revoked when no other workspace still has them active. Every
    browser session of a member who had joined ends (issue #12): they sign in again to reach the
    workspaces they keep."""
    membership = await _changeable(session, principal, member_id, allow_self=False, viewer=viewer)
    if membership.status == "left":
        raise MemberAlreadyArchivedError()
    was_active = membership.status == "active"
    now = utc_now()
    membership.status = "left"
    membership.deleted_at = now
    membership.updated_at = now
    await session.flush()
    if not await repository.has_active_membership(session, membership.user_id):
        await revoke_all_for_user(session, membership.user_id)
    if was_active:
        # Not for an invitation never accepted: else any workspace could sign anybody out, by e-mail alone.
        await end_sessions(session, membership.user_id)

    member = await get_member(session, principal, membership.user_id)
    await record_event(session, workspace_id=principal.workspace_id, type="member.archived", data=member)
    await record_event(session, workspace_id=principal.workspace_id, type="member.deleted", data=member)
    return member


async def restore_member(
    session: AsyncSession, principal: Principal, member_id: int, *, viewer: bool = False
) -> MemberRead:
    """Back to ``active`` if they had accepted their invitation, else ``inactive`` (still invited)."""
    membership = await _changeable(session, principal, member_id, allow_self=False, viewer=viewer)
    if membership.status != "left":
        raise MemberNotArchivedError()
    membership.status = "active" if membership.activated_at is not None else "inactive"
    membership.deleted_at = None
    membership.updated_at = utc_now()
    await session.flush()

    member = await get_member(session, principal, membership.user_id)
    event = "member.activated" if membership.status == "active" else "member.updated"
    await record_event(session, workspace_id=principal.workspace_id, type=event, data=member)
    return member
