"""Leave policies (D10): who they apply to, their allowance; soft deleted, so requests keep their policy.

A member that an edit of its members leaves out gets a ``leave_policy.withdrawn``
event: the changes feed takes the policy out of their list (D19).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.fields import valid_id
from worktally.api.pagination import PageParams, paginate_scalars
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import NotFoundError, ValidationError
from worktally.core.updates import given_fields
from worktally.db.models import LeavePolicy
from worktally.leave import repository, rules
from worktally.leave.schemas import (
    LeavePolicyCreate,
    LeavePolicyRead,
    LeavePolicyUpdate,
)
from worktally.webhook.events import record_event


def _policy_read(policy: LeavePolicy, member_ids: list[int] | None) -> LeavePolicyRead:
    return LeavePolicyRead(
        id=policy.id,
        name=policy.name,
        unit="days" if policy.unit == rules.DAYS else "hours",
        hours_per_day=policy.hours_per_day,
        is_paid=policy.is_paid,
        allowance=policy.allowance,
        allow_negative_balance=policy.allow_negative_balance,
        reason_required=policy.reason_required,
        applies_to_all=policy.applies_to_all,
        member_ids=None if policy.applies_to_all else member_ids or [],
        created_at=policy.created_at,
        updated_at=policy.updated_at,
    )


async def _policy_reads(session: AsyncSession, policies: Sequence[LeavePolicy]) -> list[LeavePolicyRead]:
    members = await repository.member_ids_by_policy(session, [p.id for p in policies if not p.applies_to_all])
    return [_policy_read(p, members.get(p.id)) for p in policies]


async def list_policies(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[LeavePolicyRead], Pagination]:
    """Owner/EM see every policy; everyone else the policies that apply to them."""
    for_user = None if principal.can(P.LEAVE_POLICIES_WRITE) else principal.user_id
    policies, meta = await paginate_scalars(session, repository.live_policies(principal.workspace_id, for_user), page)
    return await _policy_reads(session, policies), meta


async def _check_members(session: AsyncSession, workspace_id: int, member_ids: list[int]) -> None:
    unknown = sorted(set(member_ids) - await repository.existing_member_ids(session, workspace_id, member_ids))
    if unknown:
        raise ValidationError({"member_ids": [f"These ids are not members of the workspace: {unknown[:20]}."]})


async def create_policy(session: AsyncSession, principal: Principal, body: LeavePolicyCreate) -> LeavePolicyRead:
    if body.member_ids is not None:
        await _check_members(session, principal.workspace_id, body.member_ids)
    policy = LeavePolicy(
        workspace_id=principal.workspace_id,
        name=body.name,
        unit=body.unit,
        hours_per_day=body.hours_per_day,
        is_paid=body.is_paid,
        allowance=body.allowance,
        allow_negative_balance=body.allow_negative_balance,
        reason_required=body.reason_required,
        applies_to_all=body.member_ids is None,
    )
    session.add(policy)
    await session.flush()
    if body.member_ids is not None:
        await repository.set_policy_members(session, policy.id, body.member_ids)
    read = (await _policy_reads(session, [policy]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave_policy.created", data=read)  # D19
    return read


async def _policy_or_404(session: AsyncSession, principal: Principal, policy_id: int) -> LeavePolicy:
    policy = None
    if valid_id(policy_id):
        policy = await repository.get_policy(session, principal.workspace_id, policy_id)
    if policy is None:
        raise NotFoundError("Leave policy not found.", code="leave_policy_not_found")
    return policy


async def update_policy(
    session: AsyncSession, principal: Principal, policy_id: int, body: LeavePolicyUpdate
) -> LeavePolicyRead:
    policy = await _policy_or_404(session, principal, policy_id)
    if body.unit is not None and body.unit != policy.unit:
        raise ValidationError({"unit": ["The unit cannot be changed once the policy is created."]})
    not_null = ("name", "hours_per_day", "is_paid", "allowance", "allow_negative_balance", "reason_required")
    given = given_fields(body, *not_null)
    for field in not_null:
        if field in given:
            setattr(policy, field, getattr(body, field))
    withdrawn: set[int] = set()
    if "member_ids" in given:
        withdrawn = await _withdrawn_from(session, principal, policy, body.member_ids)
        if body.member_ids is None:
            policy.applies_to_all = True
            await repository.set_policy_members(session, policy.id, [])
        else:
            await _check_members(session, principal.workspace_id, body.member_ids)
            policy.applies_to_all = False
            await repository.set_policy_members(session, policy.id, body.member_ids)
    policy.updated_at = utc_now()
    await session.flush()
    read = (await _policy_reads(session, [policy]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave_policy.updated", data=read)  # D19
    for user_id in sorted(withdrawn):  # D19: gone from their list of policies, so a delete in their feed
        await record_event(
            session,
            workspace_id=principal.workspace_id,
            type="leave_policy.withdrawn",
            data={"id": policy.id, "user_id": user_id},
        )
    return read


async def _withdrawn_from(
    session: AsyncSession, principal: Principal, policy: LeavePolicy, member_ids: list[int] | None
) -> set[int]:
    """The members a policy stops applying to when its members become ``member_ids`` (None: everyone)."""
    if member_ids is None:
        return set()
    if policy.applies_to_all:
        before = await repository.workspace_member_ids(session, principal.workspace_id)
    else:
        before = set((await repository.member_ids_by_policy(session, [policy.id]))[policy.id])
    return before - set(member_ids)


async def delete_policy(session: AsyncSession, principal: Principal, policy_id: int) -> None:
    """Soft delete: requests keep their policy; no new request may use it."""
    policy = await _policy_or_404(session, principal, policy_id)
    policy.deleted_at = utc_now()
    await session.flush()
    read = (await _policy_reads(session, [policy]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="leave_policy.deleted", data=read)  # D19
