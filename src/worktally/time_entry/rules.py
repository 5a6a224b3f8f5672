"""Interval maths for saved time (D9). Pure functions: no I/O, no clock.

An interval is half-open ``[start, end)``, so back-to-back intervals never overlap. Saving time
never overwrites: the parts of a new interval that overlap the member's other intervals are cut
away (``subtract``), which may leave several pieces or none. A weekly limit then keeps only the
earliest time of each week that still fits the week's remaining budget (``cap``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from worktally.core import billing
from worktally.core.timezones import day_bounds, local_date, local_midnight_utc, week_start

# The longest an entry can be: a week, as no contract allows more than 168 hours a week (D9, D13). Entries
# that overlap a range are found by ``started_at`` (the ``workspace_id, started_at`` index) looking back this far.
MAX_ENTRY_SPAN = timedelta(days=7)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("an interval must end after it starts")

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def minutes(self) -> int:
        """Whole minutes by the one rule of core/billing.py (half a minute up)."""
        return billing.interval_minutes(self.start, self.end)

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of time (a week) in which at most ``budget_seconds`` more may be saved."""

    start: datetime
    end: datetime
    budget_seconds: int


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint, non-touching intervals."""
    merged: list[Interval] = []
    for current in sorted(intervals):
        if merged and current.start <= merged[-1].end:
            last = merged[-1]
            if current.end > last.end:
                merged[-1] = Interval(last.start, current.end)
        else:
            merged.append(current)
    return merged


def subtract(interval: Interval, others: Iterable[Interval]) -> list[Interval]:
    """The parts of ``interval`` not covered by any of ``others``, in order."""
    pieces: list[Interval] = []
    cursor = interval.start
    for blocker in merge(o for o in others if o.overlaps(interval)):
        if blocker.start > cursor:
            pieces.append(Interval(cursor, blocker.start))
        cursor = max(cursor, blocker.end)
    if cursor < interval.end:
        pieces.append(Interval(cursor, interval.end))
    return pieces


def cap(pieces: Sequence[Interval], windows: Sequence[Window]) -> list[Interval]:
    """Keep, inside each window, only the earliest time that fits its budget; time outside windows is kept."""
    result: list[Interval] = []
    for piece in sorted(pieces):
        for part in _split_at(piece, [b for w in windows for b in (w.start, w.end)]):
            window = next((w for w in windows if w.start <= part.start < w.end), None)
            if window is None:
                result.append(part)
                continue
            used = sum(p.seconds for p in result if window.start <= p.start < window.end)
            room = window.budget_seconds - used
            if room <= 0:
                continue
            if part.seconds <= room:
                result.append(part)
            else:
                result.append(Interval(part.start, part.start + timedelta(seconds=room)))
    return _join_adjacent(result)


def fit(interval: Interval, others: Iterable[Interval], windows: Sequence[Window] = ()) -> list[Interval]:
    """D9 in one call: what of ``interval`` may be saved beside ``others`` within the weekly ``windows``."""
    return cap(subtract(interval, others), windows)


def total_minutes(pieces: Iterable[Interval]) -> int:
    return sum(p.minutes for p in pieces)


def _split_at(interval: Interval, boundaries: Iterable[datetime]) -> list[Interval]:
    cuts = sorted({b for b in boundaries if interval.start < b < interval.end})
    points = [interval.start, *cuts, interval.end]
    return [Interval(a, b) for a, b in itertools.pairwise(points)]


def _join_adjacent(pieces: list[Interval]) -> list[Interval]:
    joined: list[Interval] = []
    for piece in pieces:
        if joined and joined[-1].end == piece.start:
            joined[-1] = Interval(joined[-1].start, piece.end)
        else:
            joined.append(piece)
    return joined


# --- Local dates and times of a member (D9) -------------------------------------------------------


def day_parts(interval: Interval, tz: ZoneInfo) -> list[tuple[date, int]]:
    """``interval``'s seconds in each of the member's local days it touches, ``[(day, seconds), ...]``."""
    parts: list[tuple[date, int]] = []
    day = local_date(interval.start, tz)
    start = interval.start
    while start < interval.end:
        end = min(interval.end, day_bounds(day, tz)[1])
        if end > start:
            parts.append((day, billing.interval_seconds(start, end)))
        start = max(start, end)
        day += timedelta(days=1)
    return parts


def week_windows(interval: Interval, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The member's Monday-first weeks that ``interval`` touches, as UTC ``[start, end)``."""
    first = week_start(local_date(interval.start, tz))
    last = week_start(local_date(interval.end - timedelta(microseconds=1), tz))
    windows: list[tuple[datetime, datetime]] = []
    monday = first
    while monday <= last:
        windows.append((local_midnight_utc(monday, tz), local_midnight_utc(monday + timedelta(days=7), tz)))
        monday += timedelta(days=7)
    return windows


def format_minutes(minutes: int) -> str:
    """``480`` → ``"8 hr"``, ``90`` → ``"1 hr 30 min"``, ``25`` → ``"25 min"``."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} hr {rest} min"
    if hours:
        return f"{hours} hr"
    return f"{rest} min"


# Dates the server reasons about; beyond them timezone arithmetic would leave the calendar.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
