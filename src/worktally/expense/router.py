from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from worktally.api.deps import SessionDep, require
from worktally.api.envelope import Envelope, meta, ok, paginated
from worktally.api.pagination import PageParams, page_params
from worktally.api.routing import api_router
from worktally.auth.permissions import Permission as P
from worktally.auth.principal import Principal
from worktally.expense import service
from worktally.expense.schemas import (
    ExpenseCategoryCreate,
    ExpenseCategoryRead,
    ExpenseCategoryUpdate,
    ExpenseCreate,
    ExpenseFilters,
    ExpenseList,
    ExpenseRead,
    ExpenseUpdate,
)

router = api_router("/expenses", tags=["Expenses"])

EXTENSION = {"x-worktally-extension": True}
Page = Annotated[PageParams, Depends(page_params(default=20, maximum=100))]
ReadExpenses = Annotated[Principal, require(P.EXPENSES_READ_ALL, P.EXPENSES_READ_OWN)]
WriteExpenses = Annotated[Principal, require(P.EXPENSES_WRITE_ALL, P.EXPENSES_WRITE_OWN)]
ReadCategories = Annotated[Principal, require(P.EXPENSE_CATEGORIES_READ)]
WriteCategories = Annotated[Principal, require(P.EXPENSE_CATEGORIES_WRITE)]
ExpenseId = Annotated[str, Path(alias="expenseId")]
CategoryId = Annotated[str, Path(alias="categoryId")]


# Categories first: /expenses/categories must not be read as /expenses/{expenseId}.
@router.get("/categories", response_model=Envelope[list[ExpenseCategoryRead]])
async def list_expense_categories(
    principal: ReadCategories, session: SessionDep, page: Page
) -> Envelope[list[ExpenseCategoryRead]]:
    """List the workspace's expense categories."""
    items, pagination = await service.list_categories(session, principal, page)
    return paginated(items, pagination, message="Expense categories retrieved successfully")


@router.post("/categories", status_code=201, response_model=Envelope[ExpenseCategoryRead], openapi_extra=EXTENSION)
async def create_expense_category(
    principal: WriteCategories, body: ExpenseCategoryCreate, session: SessionDep
) -> Envelope[ExpenseCategoryRead]:
    """Create an expense category."""
    category = await service.create_category(session, principal, body)
    return ok(category, message="Expense category created successfully")


@router.put("/categories/{categoryId}", response_model=Envelope[ExpenseCategoryRead], openapi_extra=EXTENSION)
async def update_expense_category(
    principal: WriteCategories, category_id: CategoryId, body: ExpenseCategoryUpdate, session: SessionDep
) -> Envelope[ExpenseCategoryRead]:
    """Rename an expense category."""
    category = await service.update_category(session, principal, category_id, body)
    return ok(category, message="Expense category updated successfully")


@router.delete("/categories/{categoryId}", response_model=Envelope[None], openapi_extra=EXTENSION)
async def delete_expense_category(
    principal: WriteCategories, category_id: CategoryId, session: SessionDep
) -> Envelope[None]:
    """Delete an expense category (expenses keep showing it)."""
    await service.delete_category(session, principal, category_id)
    return ok(None, message="Expense category deleted successfully")


@router.get("", response_model=ExpenseList)
async def list_expenses(
    principal: ReadExpenses, session: SessionDep, page: Page, filters: Annotated[ExpenseFilters, Query()]
) -> ExpenseList:
    """List expenses, with the exact total of all matching ones in ``total_amount``."""
    items, pagination, total, currency = await service.list_expenses(session, principal, filters, page)
    return ExpenseList(
        data=items,
        message="Expenses retrieved successfully",
        meta=meta(pagination),
        total_amount=total,
        currency=currency,
    )


@router.post("", status_code=201, response_model=Envelope[ExpenseRead])
async def create_expense(principal: WriteExpenses, body: ExpenseCreate, session: SessionDep) -> Envelope[ExpenseRead]:
    """Add an expense."""
    expense = await service.create_expense(session, principal, body)
    return ok(expense, message="Expense created successfully")


@router.put("/{expenseId}", response_model=Envelope[ExpenseRead])
async def update_expense(
    principal: WriteExpenses, expense_id: ExpenseId, body: ExpenseUpdate, session: SessionDep
) -> Envelope[ExpenseRead]:
    """Update an expense."""
    expense = await service.update_expense(session, principal, expense_id, body)
    return ok(expense, message="Expense updated successfully")


@router.delete("/{expenseId}", response_model=Envelope[None])
async def delete_expense(principal: WriteExpenses, expense_id: ExpenseId, session: SessionDep) -> Envelope[None]:
    """Delete an expense."""
    await service.delete_expense(session, principal, expense_id)
    return ok(None, message="Expense deleted successfully")
