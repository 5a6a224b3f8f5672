"""Expenses and their categories (D14). Regular users manage their own expenses; Owner/EM all (D6).

Amounts are ``Decimal`` from the request to the column and back; list totals are summed in SQL.
Expense amounts are the member's own claims, not rates, so D6's rate masking does not apply to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.envelope import Pagination
from worktally.api.pagination import PageParams, paginate_scalars
from worktally.auth import visibility
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from worktally.core.timezones import zone
from worktally.core.updates import given_fields
from worktally.db.models import Expense, ExpenseCategory
from worktally.expense import repository
from worktally.expense.schemas import (
    ExpenseCategoryCreate,
    ExpenseCategoryRead,
    ExpenseCategoryUpdate,
    ExpenseCreate,
    ExpenseFilters,
    ExpenseRead,
    ExpenseUpdate,
)
from worktally.webhook.events import record_event

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MAX_PUBLIC_ID = 36


def display_date(day: date) -> str:
    """The catalogue's ``"Jan 15, 2024"``, independent of the server's locale."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _local_day(instant: datetime, timezone: str) -> date:
    return instant.astimezone(zone(timezone)).date()


async def _reads(session: AsyncSession, principal: Principal, expenses: Sequence[Expense]) -> list[ExpenseRead]:
    members = await repository.user_names(session, {e.user_id for e in expenses})
    projects = await repository.project_names(session, {e.project_id for e in expenses if e.project_id})
    categories = await repository.category_names(session, {e.category_id for e in expenses if e.category_id})
    return [
        ExpenseRead(
            id=e.id,
            member=members.get(e.user_id),
            expense_date=display_date(e.expense_date),
            expense_name=e.expense_name,
            project=projects.get(e.project_id) if e.project_id else None,
            category=categories.get(e.category_id) if e.category_id else None,
            amount=e.amount,
            note=e.note,
            type="billable" if e.is_billable else "non-billable",
            added_dte=display_date(_local_day(e.created_at, principal.timezone)),
            date=e.expense_date,
            user_id=e.user_id,
            project_id=e.project_id,
            category_id=e.category_id,
            currency=e.currency,
            created_at=e.created_at,
            updated_at=e.updated_at,
        )
        for e in expenses
    ]


def _only_own(principal: Principal, user_id: int | None) -> int | None:
    if principal.can(P.EXPENSES_READ_ALL):
        return None
    if user_id is not None and user_id != principal.user_id:
        raise ForbiddenError("You may only read your own expenses.", code="expenses_forbidden")
    return principal.user_id


async def list_expenses(
    session: AsyncSession, principal: Principal, filters: ExpenseFilters, page: PageParams
) -> tuple[list[ExpenseRead], Pagination, Decimal, str]:
    """One page of matching expenses, the exact total of all of them, and the workspace's currency."""
    if filters.date_from is not None and filters.date_to is not None and filters.date_to < filters.date_from:
        raise ValidationError({"date_to": ["The date_to must be a date after or equal to date_from."]})
    only_user = _only_own(principal, filters.user_id)
    statement = repository.expenses(principal.workspace_id, filters, only_user)
    expenses, meta = await paginate_scalars(session, statement, page)
    total = await repository.total_amount(session, principal.workspace_id, filters, only_user)
    currency = await repository.workspace_currency(session, principal.workspace_id)
    return await _reads(session, principal, expenses), meta, total, currency


async def _check_references(
    session: AsyncSession, principal: Principal, *, category_id: str | None, project_id: int | None
) -> None:
    errors: dict[str, list[str]] = {}
    if category_id is not None and (
        len(category_id) > _MAX_PUBLIC_ID
        or await repository.get_category(session, principal.workspace_id, category_id) is None
    ):
        errors["category_id"] = ["The selected category_id is invalid."]
    if project_id is not None and not await repository.project_visible(
        session, principal.workspace_id, project_id, visibility.project_ids(principal)
    ):
        errors["project_id"] = ["The selected project_id is invalid."]
    if errors:
        raise ValidationError(errors)


async def create_expense(session: AsyncSession, principal: Principal, body: ExpenseCreate) -> ExpenseRead:
    user_id = body.user_id if body.user_id is not None else principal.user_id
    if user_id != principal.user_id:
        if not principal.can(P.EXPENSES_WRITE_ALL):
            raise ForbiddenError("You may only add your own expenses.", code="expenses_forbidden")
        if not await repository.is_member(session, principal.workspace_id, user_id):
            raise ValidationError({"user_id": ["The selected user_id is not a member of this workspace."]})
    await _check_references(session, principal, category_id=body.category_id, project_id=body.project_id)
    expense = Expense(
        workspace_id=principal.workspace_id,
        user_id=user_id,
        project_id=body.project_id,
        category_id=body.category_id,
        expense_name=body.expense_name,
        expense_date=body.date,
        amount=body.amount,
        currency=await repository.workspace_currency(session, principal.workspace_id),
        note=body.note,
        is_billable=body.is_billable,
    )
    session.add(expense)
    await session.flush()
    read = (await _reads(session, principal, [expense]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="expense.created", data=read)
    return read


async def _writable(session: AsyncSession, principal: Principal, expense_id: str) -> Expense:
    expense = None
    if len(expense_id) <= _MAX_PUBLIC_ID and "\x00" not in expense_id:
        expense = await repository.get(session, principal.workspace_id, expense_id)
    if expense is None or (not principal.can(P.EXPENSES_WRITE_ALL) and expense.user_id != principal.user_id):
        raise NotFoundError("Expense not found.", code="expense_not_found")
    return expense


async def update_expense(
    session: AsyncSession, principal: Principal, expense_id: str, body: ExpenseUpdate
) -> ExpenseRead:
    expense = await _writable(session, principal, expense_id)
    given = given_fields(body, "expense_name", "date", "amount", "is_billable")
    await _check_references(
        session,
        principal,
        category_id=body.category_id if "category_id" in given else None,
        project_id=body.project_id if "project_id" in given else None,
    )
    if body.expense_name is not None:
        expense.expense_name = body.expense_name
    if body.date is not None:
        expense.expense_date = body.date
    if body.amount is not None:
        expense.amount = body.amount
    if body.is_billable is not None:
        expense.is_billable = body.is_billable
    if "category_id" in given:
        expense.category_id = body.category_id
    if "project_id" in given:
        expense.project_id = body.project_id
    if "note" in given:
        expense.note = body.note
    expense.updated_at = utc_now()
    await session.flush()
    read = (await _reads(session, principal, [expense]))[0]
    await record_event(session, workspace_id=principal.workspace_id, type="expense.updated", data=read)
    return read


async def delete_expense(session: AsyncSession, principal: Principal, expense_id: str) -> None:
    expense = await _writable(session, principal, expense_id)
    read = (await _reads(session, principal, [expense]))[0]
    await session.delete(expense)
    await session.flush()
    await record_event(session, workspace_id=principal.workspace_id, type="expense.deleted", data=read)


# --- categories ----------------------------------------------------------------------------------


async def list_categories(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[ExpenseCategoryRead], Pagination]:
    categories, meta = await paginate_scalars(session, repository.live_categories(principal.workspace_id), page)
    return [ExpenseCategoryRead(id=c.id, name=c.name) for c in categories], meta


async def _check_name_free(session: AsyncSession, workspace_id: int, name: str, except_id: str | None = None) -> None:
    existing = await repository.category_named(session, workspace_id, name)
    if existing is not None and existing.id != except_id:
        raise ConflictError(f"An expense category named {name!r} already exists.", code="expense_category_exists")


async def create_category(
    session: AsyncSession, principal: Principal, body: ExpenseCategoryCreate
) -> ExpenseCategoryRead:
    await _check_name_free(session, principal.workspace_id, body.name)
    category = ExpenseCategory(workspace_id=principal.workspace_id, name=body.name)
    session.add(category)
    await session.flush()
    read = ExpenseCategoryRead(id=category.id, name=category.name)
    await record_event(session, workspace_id=principal.workspace_id, type="expense_category.created", data=read)  # D19
    return read


async def _category_or_404(session: AsyncSession, principal: Principal, category_id: str) -> ExpenseCategory:
    category = None
    if len(category_id) <= _MAX_PUBLIC_ID and "\x00" not in category_id:
        category = await repository.get_category(session, principal.workspace_id, category_id)
    if category is None:
        raise NotFoundError("Expense category not found.", code="expense_category_not_found")
    return category


async def update_category(
    session: AsyncSession, principal: Principal, category_id: str, body: ExpenseCategoryUpdate
) -> ExpenseCategoryRead:
    category = await _category_or_404(session, principal, category_id)
    await _check_name_free(session, principal.workspace_id, body.name, except_id=category.id)
    category.name = body.name
    category.updated_at = utc_now()
    await session.flush()
    read = ExpenseCategoryRead(id=category.id, name=category.name)
    await record_event(session, workspace_id=principal.workspace_id, type="expense_category.updated", data=read)  # D19
    return read


async def delete_category(session: AsyncSession, principal: Principal, category_id: str) -> None:
    """Soft delete: existing expenses keep showing the category; new ones cannot use it."""
    category = await _category_or_404(session, principal, category_id)
    category.deleted_at = utc_now()
    await session.flush()
    read = ExpenseCategoryRead(id=category.id, name=category.name)
    await record_event(session, workspace_id=principal.workspace_id, type="expense_category.deleted", data=read)  # D19
