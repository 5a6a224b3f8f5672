"""Task vocabulary (catalogue §1.7) and when a task counts as completed."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum


class TaskStatus(IntEnum):
    INCOMPLETE = 0
    DOING = 10
    DONE = 20
    COMPLETED = 30


class TaskPriority(IntEnum):
    URGENT = 10
    HIGH = 20
    NORMAL = 30
    LOW = 40


STATUS_NAMES: dict[int, str] = {0: "Incomplete", 10: "Doing", 20: "Done", 30: "Completed"}
PRIORITY_NAMES: dict[int, str] = {10: "Urgent", 20: "High", 30: "Normal", 40: "Low"}
FINISHED = frozenset({TaskStatus.DONE, TaskStatus.COMPLETED})


def completed_at_after(
    *, old_status: int | None, new_status: int, completed_at: datetime | None, now: datetime
) -> datetime | None:
    """Set when the task becomes Done or Completed, kept while it stays so, cleared when reopened."""
    if new_status not in FINISHED:
        return None
    if old_status in FINISHED and completed_at is not None:
        return completed_at
    return now
