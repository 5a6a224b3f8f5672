"""Expenses (``/expenses``): mine with their total, added, changed and deleted, with the workspace's
categories and currency (D14), through the expense service as ``/expenses`` does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from worktally.api.deps import SessionDep
from worktally.api.pagination import PageParams
from worktally.auth.permissions import CONTRACTS_READ
from worktally.auth.permissions import Permission as P
from worktally.contract import service as contracts
from worktally.contract.schemas import ContractFilters
from worktally.core.errors import AppError, ForbiddenError, NotFoundError
from worktally.expense import service as expenses
from worktally.expense.schemas import ExpenseCreate, ExpenseFilters, ExpenseRead, ExpenseUpdate
from worktally.web.day import work
from worktally.web.layout import Frame, WebRoute, error_status, flash, form_errors, member_frame, need, page, posted
from worktally.web.pages import Form, redirect

router = APIRouter(route_class=WebRoute)

_FIELDS = ("expense_name", "date", "amount", "category_id", "project_id", "note")


async def _choices(session: AsyncSession, frame: Frame) -> dict[str, Any]:
    principal = frame.principal
    categories = await work.every_page(lambda p: expenses.list_categories(session, principal, p), 100)
    projects: dict[int, str] = {}
    if principal.can_any(CONTRACTS_READ):
        mine = await work.every_page(
            lambda p: contracts.list_contracts(session, principal, ContractFilters(user_id=principal.user_id), p), 100
        )
        projects = {c.project_id: c.project_name or f"Project {c.project_id}" for c in mine}
    return {"categories": categories, "projects": sorted(projects.items(), key=lambda kv: kv[1].lower())}


def _may_write(frame: Frame) -> bool:
    return frame.principal.can_any((P.EXPENSES_WRITE_OWN, P.EXPENSES_WRITE_ALL))


async def _render(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    principal = frame.principal
    items, pagination, total, currency = await expenses.list_expenses(
        session, principal, ExpenseFilters(user_id=principal.user_id), PageParams(1, 100)
    )
    defaults = {"date": frame.today.isoformat(), "is_billable": ""}
    return page(
        request,
        "expenses.html",
        frame,
        status_code=status_code,
        area="expenses",
        expenses=items,
        count=pagination.total,
        total=total,
        currency=currency,
        may_write=_may_write(frame),
        errors=errors or {},
        values={**defaults, **(values or {})},
        **await _choices(session, frame),
    )


@router.get("/expenses")
async def expenses_page(request: Request, session: SessionDep) -> Response:
    """My expenses, their total, and the form for a new one."""
    frame = await member_frame(request, session)
    need(frame, "expenses")
    return await _render(request, session, frame)


def _data(form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {name: form.get(name).strip() or None for name in _FIELDS}
    data["is_billable"] = form.get("is_billable") == "1"
    return data


def _typed(form: Form) -> dict[str, str]:
    return {k: v for k, v in form.items if k != "csrf_token"}


@router.post("/expenses")
async def add_expense(request: Request, session: SessionDep) -> Response:
    """Add an expense."""
    frame, form = await posted(request, session)
    need(frame, "expenses")
    try:
        created = await expenses.create_expense(session, frame.principal, ExpenseCreate.model_validate(_data(form)))
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        return await _render(
            request, session, frame, status_code=error_status(request, exc), errors=errors, values=_typed(form)
        )
    flash(request, f"Expense added: {created.expense_name}, {created.amount} {created.currency}.")
    return redirect("/expenses")


async def _mine(session: AsyncSession, frame: Frame, expense_id: str) -> ExpenseRead:
    try:
        filters = ExpenseFilters(id=expense_id, user_id=frame.principal.user_id)
    except PydanticValidationError:
        raise NotFoundError("Expense not found.") from None
    items, _, _, _ = await expenses.list_expenses(session, frame.principal, filters, PageParams(1, 1))
    if not items:
        raise NotFoundError("Expense not found.")
    return items[0]


def _writer(frame: Frame) -> None:
    need(frame, "expenses")
    if not _may_write(frame):
        raise ForbiddenError("Your role does not allow changing expenses.", code="role_forbidden")


async def _edit(
    request: Request,
    session: AsyncSession,
    frame: Frame,
    expense: ExpenseRead,
    *,
    status_code: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    current = {
        "expense_name": expense.expense_name,
        "date": expense.date.isoformat(),
        "amount": str(expense.amount),
        "category_id": expense.category_id or "",
        "project_id": str(expense.project_id or ""),
        "note": expense.note or "",
        "is_billable": "1" if expense.type == "billable" else "",
    }
    return page(
        request,
        "expense_edit.html",
        frame,
        status_code=status_code,
        area="expenses",
        expense=expense,
        errors=errors or {},
        values=values if values is not None else current,
        **await _choices(session, frame),
    )


@router.get("/expenses/{expense_id}/edit")
async def edit_expense_page(request: Request, session: SessionDep, expense_id: str) -> Response:
    """The form to change one of my expenses."""
    frame = await member_frame(request, session)
    _writer(frame)
    return await _edit(request, session, frame, await _mine(session, frame, expense_id))


@router.post("/expenses/{expense_id}")
async def update_expense(request: Request, session: SessionDep, expense_id: str) -> Response:
    """Change one of my expenses; an emptied category or project is removed."""
    frame, form = await posted(request, session)
    _writer(frame)
    expense = await _mine(session, frame, expense_id)
    try:
        body = ExpenseUpdate.model_validate(_data(form))
        updated = await expenses.update_expense(session, frame.principal, expense.id, body)
    except (AppError, PydanticValidationError) as exc:
        errors = form_errors(exc)
        await session.rollback()
        return await _edit(
            request, session, frame, expense, status_code=error_status(request, exc), errors=errors, values=_typed(form)
        )
    flash(request, f"Expense saved: {updated.expense_name}.")
    return redirect("/expenses")


@router.post("/expenses/{expense_id}/delete")
async def delete_expense(request: Request, session: SessionDep, expense_id: str) -> Response:
    """Delete one of my expenses."""
    frame, _ = await posted(request, session)
    _writer(frame)
    expense = await _mine(session, frame, expense_id)
    await expenses.delete_expense(session, frame.principal, expense.id)
    flash(request, f"Expense deleted: {expense.expense_name}.")
    return redirect("/expenses")
