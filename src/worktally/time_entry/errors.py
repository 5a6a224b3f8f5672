from __future__ import annotations

from worktally.core.errors import ConflictError, NotFoundError


class TimeOverlapError(ConflictError):
    code = "time_overlap"
    message = "The time overlaps the member's existing time entries; nothing was saved."


class WeeklyLimitError(ConflictError):
    code = "weekly_limit_reached"
    message = "The contract's weekly hours limit is reached; nothing was saved."


class TimeEntryNotFoundError(NotFoundError):
    code = "time_entry_not_found"
    message = "Time entry not found."
