from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.api.pagination import AnySelect
from worktally.auth.visibility import IdSubquery
from worktally.db import prepared
from worktally.db.models import Invitation, Membership, Team, TeamMember, User, Workspace
from worktally.db.prepared import PreparedRead


def _first_team(column: Any) -> Any:
    """D17: a member's team is the first team (by id) in this workspace that lists them as a member."""
    return (
        select(column)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(
            Team.workspace_id == Membership.workspace_id,
            TeamMember.user_id == Membership.user_id,
            TeamMember.is_manager.is_(False),
        )
        .order_by(Team.id)
        .limit(1)
        .correlate(Membership)
        .scalar_subquery()
    )


def member_rows(workspace_id: int) -> AnySelect:
    """One row per member: the membership, the user, the workspace's defaults and the member's team."""
    return (
        select(
            Membership,
            User,
            Workspace.timezone.label("workspace_timezone"),
            Workspace.name.label("workspace_name"),
            _first_team(Team.id).label("team_id"),
            _first_team(Team.name).label("team_name"),
        )
        .join(User, User.id == Membership.user_id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Membership.workspace_id == workspace_id)
    )


def _visible_to(statement: AnySelect, visible: IdSubquery | None, caller_id: int) -> AnySelect:
    if visible is None:
        return statement
    return statement.where(or_(Membership.user_id.in_(visible), Membership.user_id == caller_id))


def list_members(
    workspace_id: int,
    *,
    visible: IdSubquery | None,
    caller_id: int,
    email: str | None = None,
    status: str | None = None,
    role: str | None = None,
) -> AnySelect:
    statement = _visible_to(member_rows(workspace_id), visible, caller_id)
    if email is not None:
        statement = statement.where(User.email == email.strip().lower())
    if status is not None:
        statement = statement.where(Membership.status == status)
    # Project viewers have their own resource; /members lists them only when asked for.
    statement = statement.where(Membership.role == role if role is not None else Membership.is_staff)
    return statement.order_by(Membership.user_id)


async def get_member_row(
    session: AsyncSession, workspace_id: int, user_id: int, *, visible: IdSubquery | None, caller_id: int
) -> Row[Any] | None:
    if not valid_id(user_id):
        return None
    statement = _visible_to(member_rows(workspace_id), visible, caller_id).where(Membership.user_id == user_id)
    row: Row[Any] | None = (await session.execute(statement)).first()
    return row


async def get_membership(session: AsyncSession, workspace_id: int, user_id: int) -> Membership | None:
    if not valid_id(user_id):
        return None
    return (
        await session.execute(
            select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
        )
    ).scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: int) -> User:
    return (await session.execute(select(User).where(User.id == user_id))).scalar_one()


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.strip().lower()))).scalar_one_or_none()


async def has_active_membership(session: AsyncSession, user_id: int) -> bool:
    statement = select(exists().where(Membership.user_id == user_id, Membership.status == "active"))
    return bool((await session.execute(statement)).scalar_one())


async def belongs_to_other_workspace(session: AsyncSession, user_id: int, workspace_id: int) -> bool:
    statement = select(exists().where(Membership.user_id == user_id, Membership.workspace_id != workspace_id))
    return bool((await session.execute(statement)).scalar_one())


async def team_exists(session: AsyncSession, workspace_id: int, team_id: int) -> bool:
    if not valid_id(team_id):
        return False
    statement = select(exists().where(Team.id == team_id, Team.workspace_id == workspace_id))
    return bool((await session.execute(statement)).scalar_one())


async def set_member_team(session: AsyncSession, workspace_id: int, user_id: int, team_id: int | None) -> None:
    """Make ``team_id`` the member's only team in this workspace (as a member, not a manager)."""
    workspace_teams = select(Team.id).where(Team.workspace_id == workspace_id)
    await session.execute(
        delete(TeamMember)
        .where(
            TeamMember.user_id == user_id,
            TeamMember.is_manager.is_(False),
            TeamMember.team_id.in_(workspace_teams),
        )
        .execution_options(synchronize_session=False)
    )
    if team_id is not None:
        session.add(TeamMember(team_id=team_id, user_id=user_id, is_manager=False))
    await session.flush()


# Invitations (D12, member/invitations.py): each write is one conditional statement, so that two requests racing
# on the same invitation find it used.


async def expire_open_invitations(session: AsyncSession, workspace_id: int, user_id: int, now: datetime) -> None:
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


async def pending_invitation(
    session: AsyncSession, token_hash: str, now: datetime
) -> Row[int, int, int, str, str, str, bool] | None:
    """The unused, unexpired invitation with this token hash and its account (``has_password``), or None."""
    return (
        await session.execute(
            select(
                Invitation.id.label("invitation_id"),
                Invitation.workspace_id,
                User.id.label("user_id"),
                User.email,
                User.firstname,
                User.lastname,
                User.password_hash.is_not(None).label("has_password"),
            )
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.token_hash == token_hash, Invitation.accepted_at.is_(None), Invitation.expires_at > now)
        )
    ).first()


async def use_invitation(session: AsyncSession, invitation_id: int, now: datetime) -> bool:
    """Mark the invitation used if it is still unused and unexpired; False when it was not."""
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.accepted_at.is_(None), Invitation.expires_at > now)
        .values(accepted_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def activate_invited(session: AsyncSession, workspace_id: int, user_id: int, now: datetime) -> bool:
    """The invited (inactive) membership becomes active; False when it is not inactive any more."""
    result = await session.execute(
        update(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id, Membership.status == "inactive")
        .values(status="active", activated_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def set_first_password(session: AsyncSession, user_id: int, values: dict[str, object]) -> bool:
    """Write ``values`` (the password hash, names) on an account that has no password; False when it has one."""
    result = await session.execute(
        update(User).where(User.id == user_id, User.password_hash.is_(None)).values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# The member behind every time read and write (time_entry/targets.find_member): built once.
_TIME_MEMBER = PreparedRead(
    select(
        User.id,
        User.firstname,
        User.lastname,
        User.email,
        Membership.role,
        Membership.status,
        Membership.timezone,
        Membership.rate_status,
        Workspace.timezone.label("workspace_timezone"),
        Workspace.timesheet_period,
        Workspace.auto_approve_time_requests,
    )
    .join(Membership, Membership.user_id == User.id)
    .join(Workspace, Workspace.id == Membership.workspace_id)
    .where(Membership.workspace_id == bindparam("workspace_id"), Membership.user_id == bindparam("user_id"))
)


async def time_member(
    source: AsyncSession | prepared.RequestDb, workspace_id: int, user_id: int
) -> prepared.Row | None:
    """The user, membership (any status) and workspace settings time needs: in the session's transaction, or
    for a request that only reads, as its ``RequestDb`` reads."""
    if isinstance(source, prepared.RequestDb):
        return await _TIME_MEMBER.first(source, workspace_id=workspace_id, user_id=user_id)
    return await _TIME_MEMBER.first_in(source, workspace_id=workspace_id, user_id=user_id)
