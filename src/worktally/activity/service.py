"""D15: activity reported by a tracker for its running or recent time, in 10-minute slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.activity import repository
from worktally.activity.schemas import ActivityRecorded, ActivityReport
from worktally.auth.principal import Principal
from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.time_entry import repository as entries
from worktally.time_entry.rules import Interval
from worktally.tracking import repository as trackers

SLOT = timedelta(minutes=10)


def _aligned(start: datetime) -> datetime | None:
    try:
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        _ = start + SLOT  # the slot's end must exist too
    except OverflowError:
        return None
    if start.minute % 10 or start.second or start.microsecond:
        return None
    return start


async def record(session: AsyncSession, principal: Principal, body: ActivityReport) -> ActivityRecorded:
    errors: dict[str, list[str]] = {}
    slots: dict[datetime, int] = {}
    for index, slot in enumerate(body.slots):
        start = _aligned(slot.start)
        if start is None:
            errors[f"slots.{index}.start"] = ["The start must be aligned to 10 minutes (e.g. 09:10:00)."]
        else:
            slots[start] = slot.activity_level
    if errors:
        raise ValidationError(errors)
    now = utc_now()
    first, last = min(slots), max(slots) + SLOT
    tracked = [
        Interval(start, end)
        for start, end in await entries.overlapping_spans(
            session, principal.workspace_id, principal.user_id, first, last
        )
    ]
    running = await trackers.get_running(session, principal.workspace_id, principal.user_id)
    if running is not None and running.started_at < now:
        tracked.append(Interval(running.started_at, now))
    for index, slot in enumerate(body.slots):
        start = _aligned(slot.start)
        assert start is not None
        window = Interval(start, start + SLOT)
        if start > now or not any(window.overlaps(t) for t in tracked):
            errors[f"slots.{index}.start"] = ["The slot is outside the member's running or recent tracked time."]
    if errors:
        raise ValidationError(errors)
    await repository.upsert(session, principal.workspace_id, principal.user_id, slots)
    return ActivityRecorded(recorded=len(slots))
