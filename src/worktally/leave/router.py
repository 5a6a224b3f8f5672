from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Body, Depends, Path, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.fields import Id
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.leave import policy_service, service
from worktally.leave.schemas import (
    LeaveApprove,
    LeaveBalanceRead,
    LeaveCreate,
    LeaveFilters,
    LeavePolicyCreate,
    LeavePolicyRead,
    LeavePolicyUpdate,
    LeaveRead,
    LeaveReject,
)

router = api_router("/leaves", tags=["Leaves"])

EXTENSION = {"x-worktally-extension": True}
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]
ReadLeaves = Annotated[Principal, require(P.LEAVES_READ_ALL, P.LEAVES_READ_OWN)]
WriteLeaves = Annotated[Principal, require(P.LEAVES_WRITE_ALL, P.LEAVES_WRITE_OWN)]
ApproveLeaves = Annotated[Principal, require(P.LEAVES_APPROVE)]
ReadPolicies = Annotated[Principal, require(P.LEAVE_POLICIES_READ)]
WritePolicies = Annotated[Principal, require(P.LEAVE_POLICIES_WRITE)]
PolicyId = Annotated[int, Path(alias="policyId")]
LeaveRequestId = Annotated[str, Path(alias="leaveRequestId")]


@router.get("/policies", response_model=Envelope[list[LeavePolicyRead]])
async def list_leave_policies(
    principal: ReadPolicies, session: SessionDep, page: Page
) -> Envelope[list[LeavePolicyRead]]:
    """List leave policies (Owner/EM: all; others: those that apply to them)."""
    items, meta = await policy_service.list_policies(session, principal, page)
    return paginated(items, meta, message="Leave policies retrieved successfully")


@router.post("/policies", status_code=201, response_model=Envelope[LeavePolicyRead], openapi_extra=EXTENSION)
async def create_leave_policy(
    principal: WritePolicies, body: LeavePolicyCreate, session: SessionDep
) -> Envelope[LeavePolicyRead]:
    """Create a leave policy."""
    policy = await policy_service.create_policy(session, principal, body)
    return ok(policy, message="Leave policy created successfully")


@router.put("/policies/{policyId}", response_model=Envelope[LeavePolicyRead], openapi_extra=EXTENSION)
async def update_leave_policy(
    principal: WritePolicies, policy_id: PolicyId, body: LeavePolicyUpdate, session: SessionDep
) -> Envelope[LeavePolicyRead]:
    """Update a leave policy (its unit cannot change)."""
    policy = await policy_service.update_policy(session, principal, policy_id, body)
    return ok(policy, message="Leave policy updated successfully")


@router.delete("/policies/{policyId}", response_model=Envelope[None], openapi_extra=EXTENSION)
async def delete_leave_policy(principal: WritePolicies, policy_id: PolicyId, session: SessionDep) -> Envelope[None]:
    """Delete a leave policy (its requests are kept)."""
    await policy_service.delete_policy(session, principal, policy_id)
    return ok(None, message="Leave policy deleted successfully")


@router.get("/balances", response_model=Envelope[list[LeaveBalanceRead]])
async def list_leave_balances(
    principal: ReadLeaves,
    session: SessionDep,
    page: Page,
    date_from: Annotated[date, Query(description="Start of the range (YYYY-MM-DD).")],
    date_to: Annotated[date, Query(description="End of the range, on or after date_from.")],
    user_id: Annotated[Id | None, Query()] = None,
) -> Envelope[list[LeaveBalanceRead]]:
    """Leave balances per member and policy over a date range."""
    items, meta = await service.balances(
        session, principal, user_id=user_id, date_from=date_from, date_to=date_to, page=page
    )
    return paginated(items, meta, message="Leave balances retrieved successfully")


@router.get("", response_model=Envelope[list[LeaveRead]])
async def list_leaves(
    principal: ReadLeaves, session: SessionDep, page: Page, filters: Annotated[LeaveFilters, Query()]
) -> Envelope[list[LeaveRead]]:
    """List leave requests."""
    items, meta = await service.list_leaves(session, principal, filters, page)
    return paginated(items, meta, message="Leaves retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[LeaveRead])
async def request_leave(principal: WriteLeaves, body: LeaveCreate, session: SessionDep) -> Envelope[LeaveRead]:
    """Request leave (for yourself; Owner/EM for any member)."""
    leave = await service.request_leave(session, principal, body)
    return ok(leave, message="Leave request created successfully")


@router.put("/{leaveRequestId}/approve", response_model=Envelope[LeaveRead])
async def approve_leave(
    principal: ApproveLeaves,
    session: SessionDep,
    leave_request_id: LeaveRequestId,
    body: Annotated[LeaveApprove | None, Body()] = None,
) -> Envelope[LeaveRead]:
    """Approve a pending leave request."""
    leave = await service.approve_leave(session, principal, leave_request_id)
    return ok(leave, message="Leave request approved successfully")


@router.put("/{leaveRequestId}/reject", response_model=Envelope[LeaveRead])
async def reject_leave(
    principal: ApproveLeaves,
    session: SessionDep,
    leave_request_id: LeaveRequestId,
    body: Annotated[LeaveReject | None, Body()] = None,
) -> Envelope[LeaveRead]:
    """Reject a pending leave request."""
    leave = await service.reject_leave(session, principal, leave_request_id, body.reason if body else None)
    return ok(leave, message="Leave request rejected successfully")
