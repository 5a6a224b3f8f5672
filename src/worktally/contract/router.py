from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, ok, paginated
from worktally.api.fields import id_query
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import CONTRACTS_READ, Permission
from worktally.auth.principal import Principal
from worktally.contract import service
from worktally.contract.rules import ContractStatus
from worktally.contract.schemas import ContractCreate, ContractFilters, ContractRead, ContractUpdate

router = api_router("/contracts", tags=["Contracts"])

ContractsRead = Annotated[Principal, require(*CONTRACTS_READ)]
ContractsWrite = Annotated[Principal, require(Permission.CONTRACTS_WRITE)]
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]
FilterId = Annotated[int | None, id_query()]


@router.get("", response_model=Envelope[list[ContractRead]])
async def list_contracts(
    principal: ContractsRead,
    session: SessionDep,
    page: Page,
    project_id: FilterId = None,
    user_id: FilterId = None,
    status: Annotated[ContractStatus | None, Query()] = None,
) -> Envelope[list[ContractRead]]:
    """List the contracts the caller may see."""
    filters = ContractFilters(project_id=project_id, user_id=user_id, status=status)
    items, meta = await service.list_contracts(session, principal, filters, page)
    return paginated(items, meta, message="Contracts retrieved successfully")


@router.post("", status_code=201, response_model=Envelope[ContractRead])
async def create_contract(
    principal: ContractsWrite, body: ContractCreate, session: SessionDep
) -> Envelope[ContractRead]:
    """Assign a member to a project (Owner and Executive manager)."""
    contract = await service.create_contract(session, principal, body)
    return ok(contract, message="Contract created successfully")


@router.get("/{contract_id}", response_model=Envelope[ContractRead])
async def get_contract(principal: ContractsRead, contract_id: int, session: SessionDep) -> Envelope[ContractRead]:
    """Get one contract."""
    contract = await service.get_contract(session, principal, contract_id)
    return ok(contract, message="Contract retrieved successfully")


@router.put("/{contract_id}", response_model=Envelope[ContractRead])
async def update_contract(
    principal: ContractsWrite, contract_id: int, body: ContractUpdate, session: SessionDep
) -> Envelope[ContractRead]:
    """Update a contract's limits, screenshots, rate or status (Owner and Executive manager)."""
    contract = await service.update_contract(session, principal, contract_id, body)
    return ok(contract, message="Contract updated successfully")


@router.delete("/{contract_id}", response_model=Envelope[None])
async def delete_contract(principal: ContractsWrite, contract_id: int, session: SessionDep) -> Envelope[None]:
    """Remove a contract (soft delete)."""
    await service.delete_contract(session, principal, contract_id)
    return ok(None, message="Contract deleted successfully")
