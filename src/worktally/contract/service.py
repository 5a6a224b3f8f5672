from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate
from worktally.auth import visibility
from worktally.auth.permissions import Permission
from worktally.auth.principal import Principal
from worktally.auth.visibility import IdSubquery
from worktally.contract import repository
from worktally.contract.errors import ContractExistsError, ContractNotFoundError, MemberNotFoundError
from worktally.contract.repository import ContractRow
from worktally.contract.rules import contract_user_role, rate_visible, screenshots_label
from worktally.contract.schemas import ContractCreate, ContractFilters, ContractRead, ContractUpdate
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.core.money import to_money
from worktally.core.updates import given_fields
from worktally.db.models import Contract
from worktally.project import repository as project_repository
from worktally.project.service import ProjectNotFoundError
from worktally.webhook.events import record_event


def reach(principal: Principal) -> tuple[IdSubquery | None, IdSubquery | None]:
    """(projects, users) whose contracts the caller may read (D6, §1.8); None is no restriction."""
    if principal.can(Permission.CONTRACTS_READ_ALL):
        return None, None
    if principal.can(Permission.CONTRACTS_READ_MANAGED):
        return visibility.project_ids(principal), None
    # Team managers: their teams' members and themselves; regular users: themselves.
    return None, visibility.user_ids(principal)


def _read(principal: Principal, row: ContractRow) -> ContractRead:
    contract: Contract = row.Contract
    shows_rate = rate_visible(
        caller_sees_rates=principal.sees_rates_of(contract.user_id), project_is_billable=row.project_is_billable
    )
    return ContractRead(
        id=contract.id,
        project_id=contract.project_id,
        project_name=row.project_name,
        project_icon=row.project_icon,
        user_id=contract.user_id,
        user_firstname=row.firstname,
        user_lastname=row.lastname,
        user_email=row.email,
        user_role=contract_user_role(row.role),
        weekly_hours_limit=contract.weekly_hours_limit,
        screenshots=contract.screenshots,
        screenshots_label=screenshots_label(contract.screenshots),
        rate=contract.rate if shows_rate else None,
        rate_type=contract.rate_type,
        status=contract.status,
        currency=contract.currency,
        created_at=contract.created_at,
        updated_at=contract.updated_at,
    )


async def _find_visible(session: AsyncSession, principal: Principal, contract_id: int) -> ContractRow:
    projects, users = reach(principal)
    row = await repository.get_row(
        session, principal.workspace_id, contract_id, visible_projects=projects, visible_users=users
    )
    if row is None:
        raise ContractNotFoundError()
    return row


async def _reread(session: AsyncSession, principal: Principal, contract_id: int) -> ContractRead:
    row = await repository.get_row(session, principal.workspace_id, contract_id)
    assert row is not None
    return _read(principal, row)


async def list_contracts(
    session: AsyncSession, principal: Principal, filters: ContractFilters, page: PageParams
) -> tuple[list[ContractRead], Pagination]:
    projects, users = reach(principal)
    statement = repository.listing(principal.workspace_id, filters, visible_projects=projects, visible_users=users)
    rows, meta = await paginate(session, statement, page)
    return [_read(principal, row) for row in rows], meta


async def get_contract(session: AsyncSession, principal: Principal, contract_id: int) -> ContractRead:
    return _read(principal, await _find_visible(session, principal, contract_id))


async def create_contract(session: AsyncSession, principal: Principal, body: ContractCreate) -> ContractRead:
    project = await project_repository.get(session, principal.workspace_id, body.project_id, None)
    if project is None:
        raise ProjectNotFoundError()
    if project.deleted_at is not None:
        raise ValidationError({"project_id": ["The selected project is archived."]})
    member = await repository.membership(session, principal.workspace_id, body.user_id)
    if member is None:
        raise MemberNotFoundError()
    if member.status == "left":  # D12: an invited (inactive) member may already get contracts
        raise ValidationError({"user_id": ["The selected member is archived."]})
    if await repository.live_for(session, project.id, body.user_id) is not None:
        raise ContractExistsError()
    saves_rate = rate_visible(
        caller_sees_rates=principal.can(Permission.RATES_READ_ALL), project_is_billable=project.is_billable
    )
    now = utc_now()
    contract = Contract(
        workspace_id=principal.workspace_id,
        project_id=project.id,
        user_id=body.user_id,
        weekly_hours_limit=body.weekly_hours_limit,
        screenshots=body.screenshots,
        rate=to_money(body.rate) if saves_rate and body.rate is not None else None,
        rate_type=body.rate_type,
        currency=project.currency,
        status="active",
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(contract)
    except IntegrityError as exc:  # D13: the unique index settles a race the check above missed.
        raise ContractExistsError() from exc
    read = await _reread(session, principal, contract.id)
    await record_event(session, workspace_id=principal.workspace_id, type="contract.created", data=read)
    return read


async def update_contract(
    session: AsyncSession, principal: Principal, contract_id: int, body: ContractUpdate
) -> ContractRead:
    row = await _find_visible(session, principal, contract_id)
    contract: Contract = row.Contract
    given = given_fields(body, "weekly_hours_limit", "screenshots", "rate_type", "status")
    if body.weekly_hours_limit is not None:
        contract.weekly_hours_limit = body.weekly_hours_limit
    if body.screenshots is not None:
        contract.screenshots = body.screenshots
    if body.rate_type is not None:
        contract.rate_type = body.rate_type
    if body.status is not None:
        contract.status = body.status
    if "rate" in given and rate_visible(
        caller_sees_rates=principal.can(Permission.RATES_READ_ALL), project_is_billable=row.project_is_billable
    ):
        contract.rate = to_money(body.rate) if body.rate is not None else None
    contract.updated_at = utc_now()
    await session.flush()
    read = _read(principal, row)
    await record_event(session, workspace_id=principal.workspace_id, type="contract.updated", data=read)
    return read


async def delete_contract(session: AsyncSession, principal: Principal, contract_id: int) -> None:
    row = await _find_visible(session, principal, contract_id)
    contract: Contract = row.Contract
    read = _read(principal, row)
    now = utc_now()
    contract.deleted_at = now
    contract.updated_at = now
    await session.flush()
    await record_event(session, workspace_id=principal.workspace_id, type="contract.deleted", data=read)
