from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from worktally.api.envelope import JsonNumber, MoneyNumber, UTCDatetime
from worktally.api.fields import NoNul

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), NoNul]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoNul]
Icon = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), NoNul]
Notes = Annotated[str, StringConstraints(max_length=10_000), NoNul]
Hours = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), allow_inf_nan=False)]
Money = Annotated[
    Decimal, Field(ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2, allow_inf_nan=False)
]
Color = Annotated[str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]


class WorkspaceInBody(BaseModel):
    """D3: ``workspace_id`` may come in the body instead of the query (read by ``api/deps.py``)."""

    workspace_id: int | None = Field(default=None, description="The workspace, if not given in the query (D3).")

    model_config = ConfigDict(extra="ignore")


class TagInput(BaseModel):
    name: TagName
    color: Color | None = None

    model_config = ConfigDict(extra="ignore")


class _ProjectFields(WorkspaceInBody):
    start_date: date | None = None
    deadline: date | None = Field(default=None, description="On or after start_date.")
    estimation: Hours | None = Field(default=None, description="Estimated hours.")
    budget: Money | None = Field(default=None, description="Stored and returned as budget_estimation.")
    notes: Notes | None = None
    icon: Icon | None = None
    is_billable: bool | None = Field(default=None, description="Extension (D13); default true.")
    rate: Money | None = Field(default=None, description="Extension (D13).")
    tags: list[TagName | TagInput] | None = Field(
        default=None, max_length=50, description="Extension: tag names, or {name, color} objects."
    )

    model_config = ConfigDict(extra="ignore")

    def tag_inputs(self) -> list[TagInput] | None:
        if self.tags is None:
            return None
        return [TagInput(name=t) if isinstance(t, str) else t for t in self.tags]


class ProjectCreate(_ProjectFields):
    name: Name


class ProjectUpdate(_ProjectFields):
    """Every field optional; a field given as null is cleared (``name`` and ``is_billable`` cannot be)."""

    name: Name | None = None


class TagRead(BaseModel):
    id: int
    name: str
    color: str | None


class ProjectRead(BaseModel):
    id: int
    name: str
    owner_id: int
    start_date: date | None
    deadline: date | None
    estimation: JsonNumber | None
    budget_estimation: MoneyNumber | None
    notes: str | None
    icon: str | None
    is_billable: bool
    rate: MoneyNumber | None
    weekly_hours_limit: int | None
    screenshots: str | None
    tags: list[TagRead]
    contracts_count: int
    status: int
    created_at: UTCDatetime | None
    updated_at: UTCDatetime | None
    deleted_at: UTCDatetime | None
