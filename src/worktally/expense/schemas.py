from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, Field, StringConstraints

from worktally.api.envelope import Envelope, MoneyNumber, UTCDatetime
from worktally.api.fields import Id, NoNul

# D14: Decimal in and in storage; a JSON number out (the exact value with at most two decimals).
Amount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2, description="More than 0, two decimals.")]


ExpenseName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), NoNul]
CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Note = Annotated[str, StringConstraints(max_length=5000), NoNul]
PublicId = Annotated[str, StringConstraints(max_length=64), NoNul]
ExpenseType = Literal["billable", "non-billable"]


class ExpenseCreate(BaseModel):
    workspace_id: int | None = Field(default=None, description="May be given here or in the query (D3).")
    expense_name: ExpenseName
    date: dt.date
    amount: Amount
    category_id: PublicId | None = Field(default=None, description="An expense category of the workspace.")
    project_id: Id | None = None
    note: Note | None = Field(default=None, validation_alias=AliasChoices("note", "description"))
    is_billable: bool = Field(default=False, description="Becomes type billable / non-billable (D14).")
    user_id: Id | None = Field(default=None, description="Owner/EM: the member the expense is for (extension).")


class ExpenseUpdate(BaseModel):
    workspace_id: int | None = None
    expense_name: ExpenseName | None = None
    date: dt.date | None = None
    amount: Amount | None = None
    category_id: PublicId | None = Field(default=None, description="null removes the category.")
    project_id: Id | None = Field(default=None, description="null removes the project.")
    note: Note | None = Field(default=None, validation_alias=AliasChoices("note", "description"))
    is_billable: bool | None = None


class ExpenseFilters(BaseModel):
    id: PublicId | None = None
    user_id: Id | None = Field(default=None, description="Extension: one member's expenses.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class ExpenseRead(BaseModel):
    id: str
    member: str | None = Field(description="The member's full name.")
    expense_date: str = Field(description='Formatted like "Jan 15, 2024".')
    expense_name: str
    project: str | None
    category: str | None
    amount: MoneyNumber
    note: str | None
    type: ExpenseType
    added_dte: str = Field(description='The day it was added, formatted like "Jan 15, 2024".')
    date: dt.date
    user_id: int
    project_id: int | None
    category_id: str | None
    currency: str
    created_at: UTCDatetime
    updated_at: UTCDatetime


class ExpenseList(Envelope[list[ExpenseRead]]):
    """The list envelope plus the exact sum of every matching expense (not only this page)."""

    total_amount: MoneyNumber = Field(description="Sum of the amounts of all matching expenses (extension).")
    currency: str = Field(description="The workspace's currency.")


class ExpenseCategoryCreate(BaseModel):
    workspace_id: int | None = None
    name: CategoryName


class ExpenseCategoryUpdate(BaseModel):
    workspace_id: int | None = None
    name: CategoryName


class ExpenseCategoryRead(BaseModel):
    id: str
    name: str
