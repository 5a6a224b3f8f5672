"""Report query parameters: id lists given as a comma list or repeated, date ranges, output format."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from worktally.core.clock import utc_now
from worktally.core.errors import ValidationError
from worktally.db.functions import zone
from worktally.db.repository import valid_id

MAX_LIST = 1000
# Ranges the catalogue caps (D16), and a bound for the uncapped ones so that no request is unbounded.
CAPPED_RANGE_DAYS = 31
UNCAPPED_RANGE_DAYS = 366
EARLIEST = date(1970, 1, 1)
LATEST = date(9998, 12, 31)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _items(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    items = [item.strip() for value in values for item in value.strip("[]").split(",")]
    return [item for item in items if item]


def id_list(field: str, values: list[str] | None, errors: dict[str, list[str]]) -> list[int] | None:
    """``users=1,2`` or ``users=1&users=2`` (or ``[1,2]``); None when not given."""
    items = _items(values)
    if items is None:
        return None
    if len(items) > MAX_LIST:
        errors.setdefault(field, []).append(f"The {field} may list at most {MAX_LIST} ids.")
        return None
    ids: list[int] = []
    for item in items:
        if not item.isdigit() or not valid_id(int(item)):
            errors.setdefault(field, []).append(f"The {field} must be a list of ids.")
            return None
        ids.append(int(item))
    return ids


def text_list(field: str, values: list[str] | None, errors: dict[str, list[str]]) -> list[str] | None:
    items = _items(values)
    if items is None:
        return None
    if len(items) > MAX_LIST or any(len(item) > 200 or "\x00" in item for item in items):
        errors.setdefault(field, []).append(f"The {field} must be a list of at most {MAX_LIST} short values.")
        return None
    return items


def currency_list(values: list[str] | None, errors: dict[str, list[str]]) -> list[str] | None:
    items = text_list("currencies", values, errors)
    if items is None:
        return None
    codes = [item.upper() for item in items]
    if not all(_CURRENCY.match(code) for code in codes):
        errors.setdefault("currencies", []).append("The currencies must be three-letter currency codes.")
        return None
    return codes


def choice_list(
    field: str, values: list[str] | None, allowed: tuple[str, ...], errors: dict[str, list[str]]
) -> list[str] | None:
    items = text_list(field, values, errors)
    if items is None:
        return None
    bad = [item for item in items if item not in allowed]
    if bad:
        errors.setdefault(field, []).append(f"The {field} must be among: {', '.join(allowed)}.")
        return None
    return items


def today_in(timezone: str) -> date:
    return utc_now().astimezone(zone(timezone)).date()


def current_week(timezone: str) -> tuple[date, date]:
    today = today_in(timezone)
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class DateRange:
    start_date: date
    end_date: date

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def check_bounds(field: str, value: date | None, errors: dict[str, list[str]]) -> None:
    if value is not None and not EARLIEST <= value <= LATEST:
        errors.setdefault(field, []).append(f"The {field} must be between {EARLIEST} and {LATEST}.")


def date_range(
    start_date: date | None,
    end_date: date | None,
    *,
    max_days: int,
    default: tuple[date, date] | None,
    errors: dict[str, list[str]],
) -> DateRange | None:
    """A validated range (422 per field): both given or defaulted, end ≥ start, at most ``max_days`` long."""
    if default is None:
        if start_date is None:
            errors.setdefault("start_date", []).append("The start_date field is required.")
        if end_date is None:
            errors.setdefault("end_date", []).append("The end_date field is required.")
    check_bounds("start_date", start_date, errors)
    check_bounds("end_date", end_date, errors)
    if errors:
        return None
    if default is not None:
        if start_date is None and end_date is None:
            start_date, end_date = default
        elif start_date is None:
            assert end_date is not None
            start_date = end_date - timedelta(days=6)
        elif end_date is None:
            end_date = start_date + timedelta(days=6)
    assert start_date is not None and end_date is not None
    if end_date < start_date:
        errors.setdefault("end_date", []).append("The end_date must be a date after or equal to start_date.")
        return None
    if (end_date - start_date).days + 1 > max_days:
        errors.setdefault("end_date", []).append(f"The date range may not be longer than {max_days} days.")
        return None
    return DateRange(start_date, end_date)


def capped_period(start_date: date | None, end_date: date | None, errors: dict[str, list[str]]) -> DateRange:
    """The required range of the reports capped at ``CAPPED_RANGE_DAYS``; raises 422 with every error so far."""
    period = date_range(start_date, end_date, max_days=CAPPED_RANGE_DAYS, default=None, errors=errors)
    raise_if(errors)
    assert period is not None
    return period


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def in_timeline_window(day: date, timezone: str, errors: dict[str, list[str]]) -> None:
    """Catalogue: the daily reports take a date within the last year and at most a year ahead."""
    today = today_in(timezone)
    if not today - timedelta(days=366) <= day <= today + timedelta(days=366):
        errors.setdefault("date", []).append("The date must be within a year of today.")


def aware(value: datetime, timezone: str) -> datetime:
    return value.astimezone(zone(timezone))
