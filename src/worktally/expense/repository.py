from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.auth.visibility import IdSubquery
from worktally.db.functions import exact_sum_hundredths, from_hundredths
from worktally.db.models import Expense, ExpenseCategory, Membership, Project, User, Workspace
from worktally.db.repository import get_in_workspace
from worktally.expense.schemas import ExpenseFilters


def _conditions(workspace_id: int, filters: ExpenseFilters, only_user: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Expense.workspace_id == workspace_id]
    if only_user is not None:
        conditions.append(Expense.user_id == only_user)
    if filters.id is not None:
        conditions.append(Expense.id == filters.id)
    if filters.user_id is not None:
        conditions.append(Expense.user_id == filters.user_id)
    if filters.date_from is not None:
        conditions.append(Expense.expense_date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(Expense.expense_date <= filters.date_to)
    return conditions


def expenses(workspace_id: int, filters: ExpenseFilters, only_user: int | None) -> Select[Expense]:
    """Matching expenses, newest date first, ties by id."""
    return (
        select(Expense)
        .where(*_conditions(workspace_id, filters, only_user))
        .order_by(Expense.expense_date.desc(), Expense.id)
    )


async def total_amount(
    session: AsyncSession, workspace_id: int, filters: ExpenseFilters, only_user: int | None
) -> Decimal:
    """The exact sum of the matching amounts, computed in SQL (D14)."""
    total = exact_sum_hundredths(Expense.amount)
    value = (await session.execute(select(total).where(*_conditions(workspace_id, filters, only_user)))).scalar_one()
    return from_hundredths(value)


async def get(session: AsyncSession, workspace_id: int, expense_id: str) -> Expense | None:
    return await get_in_workspace(session, Expense, workspace_id, expense_id)


async def insert_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert (demo data, benchmarks): one INSERT ... VALUES statement per batch."""
    for start in range(0, len(rows), 1000):
        await session.execute(insert(Expense), list(rows[start : start + 1000]))


async def workspace_currency(session: AsyncSession, workspace_id: int) -> str:
    return (await session.execute(select(Workspace.currency).where(Workspace.id == workspace_id))).scalar_one()


async def is_member(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    found = await session.execute(
        select(Membership.id).where(
            Membership.workspace_id == workspace_id,
            Membership.user_id == user_id,
            Membership.status != "left",
        )
    )
    return found.first() is not None


async def project_visible(
    session: AsyncSession, workspace_id: int, project_id: int, visible: IdSubquery | None
) -> bool:
    statement = select(Project.id).where(
        Project.workspace_id == workspace_id, Project.id == project_id, Project.deleted_at.is_(None)
    )
    if visible is not None:
        statement = statement.where(Project.id.in_(visible))
    return (await session.execute(statement)).first() is not None


async def user_names(session: AsyncSession, user_ids: Collection[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.firstname, User.lastname).where(User.id.in_(user_ids)))
    return {uid: f"{first} {last}".strip() for uid, first, last in rows}


async def project_names(session: AsyncSession, project_ids: Collection[int]) -> dict[int, str]:
    if not project_ids:
        return {}
    rows = await session.execute(select(Project.id, Project.name).where(Project.id.in_(project_ids)))
    return {pid: name for pid, name in rows}


async def category_names(session: AsyncSession, category_ids: Collection[str]) -> dict[str, str]:
    """Names of categories, deleted ones too (an expense keeps showing its category)."""
    if not category_ids:
        return {}
    rows = await session.execute(
        select(ExpenseCategory.id, ExpenseCategory.name).where(ExpenseCategory.id.in_(category_ids))
    )
    return {cid: name for cid, name in rows}


# --- categories ----------------------------------------------------------------------------------


def live_categories(workspace_id: int) -> Select[ExpenseCategory]:
    return (
        select(ExpenseCategory)
        .where(ExpenseCategory.workspace_id == workspace_id, ExpenseCategory.deleted_at.is_(None))
        .order_by(ExpenseCategory.name, ExpenseCategory.id)
    )


async def get_category(session: AsyncSession, workspace_id: int, category_id: str) -> ExpenseCategory | None:
    return await get_in_workspace(session, ExpenseCategory, workspace_id, category_id, live=True)


async def category_named(session: AsyncSession, workspace_id: int, name: str) -> ExpenseCategory | None:
    """A live category with this name, ignoring case."""
    statement = select(ExpenseCategory).where(
        ExpenseCategory.workspace_id == workspace_id,
        ExpenseCategory.deleted_at.is_(None),
        func.lower(ExpenseCategory.name) == name.lower(),
    )
    return (await session.execute(statement.limit(1))).scalar_one_or_none()
