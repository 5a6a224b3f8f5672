from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.fields import valid_id
from worktally.api.pagination import AnySelect
from worktally.auth.visibility import IdSubquery
from worktally.contract.schemas import ContractFilters
from worktally.db import prepared
from worktally.db.models import Contract, Membership, Project, User

ContractRow = Row[Any]


def _with_names(workspace_id: int) -> AnySelect:
    """Live contracts with their project's and member's names, in one statement."""
    return (
        select(
            Contract,
            Project.name.label("project_name"),
            Project.icon.label("project_icon"),
            Project.is_billable.label("project_is_billable"),
            User.firstname,
            User.lastname,
            User.email,
            Membership.role,
        )
        .join(Project, Project.id == Contract.project_id)
        .join(User, User.id == Contract.user_id)
        .outerjoin(
            Membership,
            and_(Membership.workspace_id == Contract.workspace_id, Membership.user_id == Contract.user_id),
        )
        .where(Contract.workspace_id == workspace_id, Contract.deleted_at.is_(None))
    )


def _visible(statement: AnySelect, visible_projects: IdSubquery | None, visible_users: IdSubquery | None) -> AnySelect:
    if visible_projects is not None:
        statement = statement.where(Contract.project_id.in_(visible_projects))
    if visible_users is not None:
        statement = statement.where(Contract.user_id.in_(visible_users))
    return statement


def listing(
    workspace_id: int,
    filters: ContractFilters,
    *,
    visible_projects: IdSubquery | None,
    visible_users: IdSubquery | None,
) -> AnySelect:
    """Visible live contracts on unarchived projects, by id."""
    statement = _visible(_with_names(workspace_id), visible_projects, visible_users).where(Project.deleted_at.is_(None))
    if filters.project_id is not None:
        statement = statement.where(Contract.project_id == filters.project_id)
    if filters.user_id is not None:
        statement = statement.where(Contract.user_id == filters.user_id)
    if filters.status is not None:
        statement = statement.where(Contract.status == filters.status)
    return statement.order_by(Contract.id)


async def get_row(
    session: AsyncSession,
    workspace_id: int,
    contract_id: int,
    *,
    visible_projects: IdSubquery | None = None,
    visible_users: IdSubquery | None = None,
) -> ContractRow | None:
    if not valid_id(contract_id):
        return None
    statement = _visible(_with_names(workspace_id), visible_projects, visible_users).where(Contract.id == contract_id)
    row: ContractRow | None = (await session.execute(statement)).first()
    return row


async def live_for(session: AsyncSession, project_id: int, user_id: int) -> Contract | None:
    statement = select(Contract).where(
        Contract.project_id == project_id, Contract.user_id == user_id, Contract.deleted_at.is_(None)
    )
    return (await session.execute(statement)).scalars().first()


async def membership(session: AsyncSession, workspace_id: int, user_id: int) -> Membership | None:
    statement = select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    return (await session.execute(statement)).scalar_one_or_none()


# The contract time is saved on, with its project unless archived: every save of time on a contract asks.
_LIVE_CONTRACT_WITH_PROJECT = prepared.PreparedRead(
    select(
        Contract.id,
        Contract.status,
        Contract.weekly_hours_limit,
        Project.id.label("project_id"),
        Project.name.label("project_name"),
    )
    .outerjoin(Project, and_(Project.id == Contract.project_id, Project.deleted_at.is_(None)))
    .where(
        Contract.id == bindparam("contract_id"),
        Contract.workspace_id == bindparam("workspace_id"),
        Contract.user_id == bindparam("user_id"),
        Contract.deleted_at.is_(None),
    )
)


async def live_contract_with_project(
    session: AsyncSession, workspace_id: int, user_id: int, contract_id: int
) -> prepared.Row | None:
    """The member's live contract (``id``, ``status``, ``weekly_hours_limit``) with its project's ``project_id``
    and ``project_name``, both None when the project is archived; None for no such contract."""
    if not valid_id(contract_id):
        return None
    return await _LIVE_CONTRACT_WITH_PROJECT.first_in(
        session, workspace_id=workspace_id, user_id=user_id, contract_id=contract_id
    )


async def live_contract_on_project(
    session: AsyncSession, workspace_id: int, user_id: int, project_id: int
) -> int | None:
    """The id of the member's live contract on ``project_id``, if any."""
    if not valid_id(project_id):
        return None
    return (
        await session.execute(
            select(Contract.id).where(
                Contract.workspace_id == workspace_id,
                Contract.user_id == user_id,
                Contract.project_id == project_id,
                Contract.deleted_at.is_(None),
            )
        )
    ).scalar_one_or_none()
