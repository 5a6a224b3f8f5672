from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from worktally.api.envelope import MoneyNumber, UTCDatetime
from worktally.api.fields import Id
from worktally.contract.rules import ContractStatus, RateType, ScreenshotMode
from worktally.project.schemas import Money, WorkspaceInBody

WeeklyHours = Annotated[int, Field(ge=1, le=168, description="Hours per week, 1..168.")]


class ContractCreate(WorkspaceInBody):
    project_id: Id
    user_id: Id
    weekly_hours_limit: WeeklyHours = 168
    screenshots: ScreenshotMode = "full"
    rate: Money | None = Field(
        default=None, description="Saved only if the caller may see rates and the project is billable."
    )
    rate_type: RateType = 1

    model_config = ConfigDict(extra="ignore")


class ContractUpdate(WorkspaceInBody):
    weekly_hours_limit: WeeklyHours | None = None
    screenshots: ScreenshotMode | None = None
    rate: Money | None = Field(
        default=None, description="Updated only if the caller may see rates and the project is billable."
    )
    rate_type: RateType | None = None
    status: ContractStatus | None = None

    model_config = ConfigDict(extra="ignore")


class ContractRead(BaseModel):
    id: int
    project_id: int
    project_name: str | None
    project_icon: str | None
    user_id: int
    user_firstname: str | None
    user_lastname: str | None
    user_email: str | None
    user_role: str | None
    weekly_hours_limit: int | None
    screenshots: str | None
    screenshots_label: str | None
    rate: MoneyNumber | None
    rate_type: int | None
    status: str
    currency: str | None
    created_at: UTCDatetime | None
    updated_at: UTCDatetime | None


@dataclass(frozen=True, slots=True)
class ContractFilters:
    project_id: int | None = None
    user_id: int | None = None
    status: str | None = None
