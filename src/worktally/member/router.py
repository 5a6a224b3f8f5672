from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Path, Query

from worktally.api.deps import SessionDep, SettingsDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import MEMBERS_READ, Permission, Role
from worktally.auth.principal import Principal
from worktally.member import service
from worktally.member.mail import deliver_invitation
from worktally.member.schemas import (
    EmailFilter,
    MemberInvite,
    MemberInvited,
    MemberRead,
    MemberStatus,
    MemberUpdate,
)

router = api_router("/members", tags=["Members"])

MembersRead = Annotated[Principal, require(*MEMBERS_READ)]
MembersWrite = Annotated[Principal, require(Permission.MEMBERS_WRITE)]
MemberId = Annotated[int, Path(alias="memberId", description="The member's user id.")]
EXTENSION = {"x-worktally-extension": True}


@router.get("", response_model=Envelope[list[MemberRead]])
async def list_members(
    principal: MembersRead,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params())],
    email: Annotated[EmailFilter | None, Query(description="Exact e-mail, case-insensitive.")] = None,
    status: Annotated[MemberStatus | None, Query()] = None,
    role: Annotated[Role | None, Query(description="Project viewers are listed only when this asks for them.")] = None,
) -> Envelope[list[MemberRead]]:
    """List the members the caller may see."""
    items, meta = await service.list_members(session, principal, page=page, email=email, status=status, role=role)
    return paginated(items, meta, message="Members retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[MemberInvited])
async def invite_member(
    principal: MembersWrite,
    body: MemberInvite,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
) -> Envelope[MemberInvited]:
    """Invite a member by e-mail."""
    invited = await service.invite(
        session,
        principal,
        email=body.email,
        firstname=body.firstname,
        lastname=body.lastname,
        role=body.role,
        public_url=settings.public_url,
    )
    # Background tasks run after the response, so after the commit: no e-mail for a rolled-back invite.
    background.add_task(deliver_invitation, settings, invited.mail)
    data = MemberInvited(user_id=invited.member.id, invitation_link=invited.link_for_inviter)
    return ok(data, message="Member invited successfully")


@router.get("/{memberId}", response_model=Envelope[MemberRead])
async def get_member(principal: MembersRead, member_id: MemberId, session: SessionDep) -> Envelope[MemberRead]:
    """Get one member."""
    return ok(await service.get_member(session, principal, member_id), message="Member retrieved successfully")


@router.put("/{memberId}", response_model=Envelope[MemberRead])
async def update_member(
    principal: MembersWrite, member_id: MemberId, body: MemberUpdate, session: SessionDep
) -> Envelope[MemberRead]:
    """Update a member's profile, role, rates and limits."""
    member = await service.update_member(session, principal, member_id, body)
    return ok(member, message="Member updated successfully")


@router.delete("/{memberId}", response_model=Envelope[None])
async def archive_member(principal: MembersWrite, member_id: MemberId, session: SessionDep) -> Envelope[None]:
    """Archive (delete) a member: status left, access revoked, data kept."""
    await service.archive_member(session, principal, member_id)
    return ok(None, message="Member archived successfully")


@router.post("/{memberId}/restore", response_model=Envelope[MemberRead], openapi_extra=EXTENSION)
async def restore_member(principal: MembersWrite, member_id: MemberId, session: SessionDep) -> Envelope[MemberRead]:
    """Restore an archived member."""
    member = await service.restore_member(session, principal, member_id)
    return ok(member, message="Member restored successfully")
