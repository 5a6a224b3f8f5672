"""Leave arithmetic (D10). Pure functions: no I/O, no clock.

A request covers the *working* days between ``start`` and ``end`` (weekend days and holidays are
skipped). On each of them it uses the same amount of its policy's unit:

- day-based policy: 1 day, or 0.5 day for a half day (``leave_period`` 1 first half, 2 second half);
  its hours are the days times the policy's ``hours_per_day``;
- hour-based policy: ``end_time - start_time`` hours, or the request's ``hours_per_day``, or, for a
  half day, half the policy's ``hours_per_day`` (a half day gives neither times nor hours: it is
  refused with them); its days are those hours over the policy's ``hours_per_day``.

A half day applies to every working day of the range (D10): the catalogue's own example,
``leave_period`` 1 from Tuesday 2026-02-10 to Thursday 2026-02-12, is three first halves, 1.5 days
of balance (12 hours at 8 a day), pending or approved alike.

Each request also *claims* a part of each of its days, in minutes of the member's local day, for
the overlap rule: a full day claims the whole day, a half day its half, an hour-based request its
times (the whole day when it gives only a number of hours). Two pending/approved requests of a
member conflict when they share a working day and their claims intersect.

Approved paid leave becomes time entries (method ``Paid leave``): one per day, starting at the
workspace's workday start (the second half of a half day starts half a day later; timed requests
start at ``start_time``). They never overlap the member's other entries (D9): the leave's minutes
flow into the free time from that start to the end of the local day, around existing entries, and
what does not fit before midnight is not recorded (``place``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum

from worktally.core.errors import ValidationError
from worktally.core.timezones import hhmm_minutes

DAYS = "days"
HOURS = "hours"
UNITS = (DAYS, HOURS)
MINUTES_PER_DAY = 24 * 60
MAX_SPAN_DAYS = 366
EARLIEST = date(1900, 1, 1)  # leave dates outside these years are refused (no calendar arithmetic overflows)
LATEST = date(2999, 12, 31)

_HUNDREDTH = Decimal("0.01")
_HALF = Decimal("0.5")


class LeavePeriod(IntEnum):
    FULL_DAY = 0
    FIRST_HALF = 1
    SECOND_HALF = 2


def quantize(value: Decimal) -> Decimal:
    return value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def working_days(start: date, end: date, weekend: Collection[int], holidays: Collection[date]) -> list[date]:
    """The days from ``start`` to ``end`` (both included) that are neither weekend days nor holidays."""
    candidates = (date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1))
    return [day for day in candidates if day.weekday() not in weekend and day not in holidays]


@dataclass(frozen=True, slots=True)
class LeaveShape:
    """What a request takes from each of its working days."""

    days: Decimal  # of the balance, per day
    hours: Decimal  # of leave, per day


def shape_of(
    *,
    unit: str,
    policy_hours_per_day: Decimal,
    leave_period: int,
    start_time: str | None,
    end_time: str | None,
    hours_per_day: Decimal | None,
) -> LeaveShape:
    """The per-day use of a request under its policy; ``ValidationError`` when the request does not fit it.

    ``leave_period`` applies to each working day of the range, whatever its length (D10).
    """
    half = leave_period != LeavePeriod.FULL_DAY
    if unit == DAYS:
        if not half:
            return LeaveShape(Decimal(1), quantize(policy_hours_per_day))
        return LeaveShape(_HALF, quantize(policy_hours_per_day * _HALF))
    timed = start_time is not None or end_time is not None
    if half and (timed or hours_per_day is not None):
        raise ValidationError(
            {
                "leave_period": [
                    "A half day of an hour-based policy is half its hours per day: give leave_period, "
                    "or start_time and end_time, or hours_per_day, not both."
                ]
            }
        )
    if half:
        hours = quantize(policy_hours_per_day * _HALF)
        return LeaveShape(_days_of(hours, policy_hours_per_day), hours)
    if timed:
        errors: dict[str, list[str]] = {}
        if start_time is None:
            errors["start_time"] = ["The start time is required when an end time is given."]
        if end_time is None:
            errors["end_time"] = ["The end time is required when a start time is given."]
        start, end = hhmm_minutes(start_time), hhmm_minutes(end_time)
        if not errors and (start is None or end is None):
            errors["start_time"] = ["The times must be in HH:mm format."]
        if errors:
            raise ValidationError(errors)
        assert start is not None and end is not None
        if end <= start:
            raise ValidationError({"end_time": ["The end time must be after the start time."]})
        hours = quantize(Decimal(end - start) / 60)
        return LeaveShape(_days_of(hours, policy_hours_per_day), hours)
    if hours_per_day is None:
        raise ValidationError(
            {
                "start_time": [
                    "The start time and end time, hours_per_day, or a half-day leave_period are required "
                    "for an hour-based policy."
                ]
            }
        )
    hours = quantize(hours_per_day)
    return LeaveShape(_days_of(hours, policy_hours_per_day), hours)


def _days_of(hours: Decimal, policy_hours_per_day: Decimal) -> Decimal:
    return quantize(hours / policy_hours_per_day) if policy_hours_per_day > 0 else Decimal(0)


def claim_of(unit: str, leave_period: int, start_time: str | None, end_time: str | None) -> tuple[int, int]:
    """The minutes ``[start, end)`` of each local day that a request reserves, for the overlap rule."""
    if leave_period == LeavePeriod.FIRST_HALF:  # either unit: a half day gives no times (``shape_of``)
        return 0, MINUTES_PER_DAY // 2
    if leave_period == LeavePeriod.SECOND_HALF:
        return MINUTES_PER_DAY // 2, MINUTES_PER_DAY
    if unit == DAYS:
        return 0, MINUTES_PER_DAY
    start, end = hhmm_minutes(start_time), hhmm_minutes(end_time)
    if start is not None and end is not None and end > start:
        return start, end
    return 0, MINUTES_PER_DAY


def claims_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def entry_start(unit: str, leave_period: int, start_time: str | None, day_hours: Decimal, workday_start: int) -> int:
    """The minute of the local day at which a day's paid-leave time entry starts."""
    if leave_period == LeavePeriod.SECOND_HALF:
        return workday_start + minutes_of(day_hours)  # after the first half, which is as long
    if unit == HOURS and start_time is not None and (start := hhmm_minutes(start_time)) is not None:
        return start
    return workday_start


def minutes_of(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


def in_unit(unit: str, days: Decimal, hours: Decimal) -> Decimal:
    return days if unit == DAYS else hours


def use_by_year(unit: str, days: Sequence[date], shape: LeaveShape) -> dict[int, Decimal]:
    """How much of the balance a request with ``shape`` on ``days`` uses in each calendar year."""
    per_day = in_unit(unit, shape.days, shape.hours)
    used: dict[int, Decimal] = {}
    for day in days:
        used[day.year] = used.get(day.year, Decimal(0)) + per_day
    return used


def first_year_short(allowance: Decimal, used: Mapping[int, Decimal], requested: Mapping[int, Decimal]) -> int | None:
    """The first calendar year in which ``requested`` on top of ``used`` exceeds the yearly ``allowance``."""
    for year in sorted(requested):
        if used.get(year, Decimal(0)) + requested[year] > allowance:
            return year
    return None


def years_touched(date_from: date, date_to: date) -> int:
    return date_to.year - date_from.year + 1


def balance_text(value: Decimal, unit: str) -> str:
    """``Decimal("10.00"), "days"`` → ``"10 days"``; ``6.50 hours`` → ``"6.5 hours"`` (catalogue's LeaveBalance)."""
    number = quantize(value).normalize()
    text = format(number, "f")
    singular = unit[:-1]
    return f"{text} {singular if number == 1 else unit}"


def place(
    start: datetime, minutes: int, busy: Iterable[tuple[datetime, datetime]], limit: datetime
) -> list[tuple[datetime, datetime]]:
    """Lay ``minutes`` from ``start`` into the time before ``limit`` that no ``busy`` interval covers (D9).

    Intervals are half-open; the result is sorted, disjoint and never overlaps ``busy``.
    """
    pieces: list[tuple[datetime, datetime]] = []
    remaining = timedelta(minutes=minutes)
    cursor = start
    for busy_start, busy_end in sorted((s, e) for s, e in busy if e > start and s < limit):
        if remaining <= timedelta(0) or cursor >= limit:
            break
        if busy_start > cursor:
            free = min(busy_start, limit) - cursor
            take = min(free, remaining)
            pieces.append((cursor, cursor + take))
            remaining -= take
        cursor = max(cursor, busy_end)
    if remaining > timedelta(0) and cursor < limit:
        pieces.append((cursor, min(cursor + remaining, limit)))
    return pieces
