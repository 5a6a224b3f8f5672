"""Timesheet periods (D10): weekly (Monday first) by default, or biweekly or monthly per workspace."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# Biweekly periods are counted in whole fortnights from this Monday, so every workspace agrees.
_BIWEEKLY_ANCHOR = date(2024, 1, 1)

PERIODS = ("weekly", "biweekly", "monthly")


def period_of(day: date, kind: str = "weekly") -> tuple[date, date]:
    """The period ``[date_from, date_to]`` (inclusive) that contains ``day``."""
    if kind == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    monday = day - timedelta(days=day.weekday())
    if kind == "biweekly":
        fortnights = (monday - _BIWEEKLY_ANCHOR).days // 14
        start = _BIWEEKLY_ANCHOR + timedelta(days=14 * fortnights)
        return start, start + timedelta(days=13)
    return monday, monday + timedelta(days=6)


def periods_between(first: date, last: date, kind: str = "weekly") -> list[tuple[date, date]]:
    """Every period that overlaps ``[first, last]``, in order."""
    periods: list[tuple[date, date]] = []
    day = first
    while day <= last:
        period = period_of(day, kind)
        periods.append(period)
        day = period[1] + timedelta(days=1)
    return periods
