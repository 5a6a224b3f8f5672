from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from worktally.time_entry.rules import FIRST_DAY, LAST_DAY, in_calendar


class ActivitySlotIn(BaseModel):
    start: datetime = Field(
        description="Start of a 10-minute slot (minute divisible by 10, no seconds); UTC if no offset."
    )
    activity_level: int = Field(ge=0, le=100)

    @field_validator("start")
    @classmethod
    def _in_calendar(cls, value: datetime) -> datetime:
        if not in_calendar(value.date()):
            raise ValueError(f"The date must be between {FIRST_DAY} and {LAST_DAY}.")
        return value


class ActivityReport(BaseModel):
    workspace_id: int | None = None
    slots: list[ActivitySlotIn] = Field(min_length=1, max_length=1000)


class ActivityRecorded(BaseModel):
    recorded: int
