from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, field_validator

from worktally.api.envelope import Envelope, UTCDatetime
from worktally.api.fields import Text
from worktally.core.timezones import parse_hhmm
from worktally.time_entry.rules import FIRST_DAY, LAST_DAY, in_calendar

_HHMM_DESCRIPTION = "HH:mm in the member's timezone (D9)."


def _check_day(value: dt.date) -> dt.date:
    if not in_calendar(value):
        raise ValueError(f"The date must be between {FIRST_DAY} and {LAST_DAY}.")
    return value


Day = Annotated[dt.date, AfterValidator(_check_day)]


def _check_hhmm(value: str | None) -> str | None:
    if value is not None and parse_hhmm(value) is None:
        raise ValueError("The time must be in the format HH:mm.")
    return value


class TimeEntryRead(BaseModel):
    id: str
    user_id: int
    contract_id: int | None
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_title: str | None
    activity_description: str | None
    method: str
    date: dt.date = Field(description="The day the entry starts on, in the member's timezone (D9).")
    start_time: UTCDatetime
    end_time: UTCDatetime | None
    duration_minutes: int
    total_minutes: int = Field(description="Same as duration_minutes, for older clients.")


class TimeEntrySaved(TimeEntryRead):
    """The first stored piece, plus every piece the request was saved as (D9 may split it)."""

    entries: list[TimeEntryRead]
    saved_minutes: int
    requested_minutes: int


class TimeEntrySavedEnvelope(Envelope[TimeEntrySaved]):
    saved_minutes: int = Field(description="Minutes actually saved; less than requested when time overlapped (D9).")


class TimeEntryCreate(BaseModel):
    workspace_id: int | None = None
    user_id: int
    contract_id: int | None = None
    task_id: int | None = None
    notes: Text | None = Field(default=None, max_length=5000)
    date: Day
    start_time: str = Field(description=_HHMM_DESCRIPTION)
    end_time: str = Field(description=_HHMM_DESCRIPTION + " 00:00 means midnight at the end of the day.")

    _hhmm = field_validator("start_time", "end_time")(_check_hhmm)


class TimeEntryUpdate(BaseModel):
    workspace_id: int | None = None
    project_id: int | None = None
    contract_id: int | None = None
    task_id: int | None = None
    notes: Text | None = Field(default=None, max_length=5000)
    date: Day | None = None
    start_time: str | None = Field(default=None, description=_HHMM_DESCRIPTION)
    end_time: str | None = Field(default=None, description=_HHMM_DESCRIPTION)

    _hhmm = field_validator("start_time", "end_time")(_check_hhmm)
