"""IANA time zones and a member's local days (D9): which names a request may give, one lenient lookup
for stored names, and the one arithmetic of local days (``HH:mm`` times, midnights, weekend days).

Only IANA names are time zones here: the list the ``tzdata`` package ships (IANA's own), less
``Factory`` (IANA's placeholder for "zone not configured", not a place). ``zoneinfo`` alone would also
load ``localtime`` and ``posixrules`` from the host's ``/usr/share/zoneinfo``: files, not zones, whose
meaning is the server's own setting — so they are refused, and a stored one reads as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_ZONE = ZoneInfo("UTC")

# Loadable by zoneinfo, but not a place: the host's own setting, tzdata's rules file, IANA's placeholder.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def iana_zones() -> frozenset[str]:
    """Every IANA time zone name a member or a workspace may have."""
    try:
        names = frozenset(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
    except (ModuleNotFoundError, OSError):  # pragma: no cover - tzdata is a dependency
        names = frozenset(available_timezones())
    return names - _NOT_PLACES


def is_known_zone(name: str) -> bool:
    """``name`` is an IANA time zone that this installation can load."""
    if name not in iana_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC for an empty or unknown name (``localtime`` included, see above)."""
    if not name or not is_known_zone(name):
        return UTC_ZONE
    return ZoneInfo(name)


# --- A member's local days (D9) -----------------------------------------------------------------

HHMM_PATTERN = r"^([01]\d|2[0-3]):([0-5]\d)$"
_HHMM = re.compile(HHMM_PATTERN)
DEFAULT_WEEKEND = frozenset({5, 6})  # D10: Saturday and Sunday (Monday = 0)
MIDNIGHT = time(0, 0)


def parse_hhmm(value: str | None) -> time | None:
    """``"09:30"`` → ``time(9, 30)``; anything else (``"9:30"``, ``"24:00"``, None) → None."""
    match = _HHMM.match(value or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


def minute_of_day(at: time) -> int:
    """Minutes after midnight of a wall-clock time."""
    return at.hour * 60 + at.minute


def hhmm_minutes(value: str | None) -> int | None:
    """Minutes after midnight of an ``HH:mm`` time, or None when it is not one."""
    at = parse_hhmm(value)
    return None if at is None else minute_of_day(at)


def parse_weekend_days(setting: str | None) -> frozenset[int]:
    """A workspace's ``weekend_days`` column (``"5,6"``, Monday = 0) as weekdays.

    Unset → Saturday and Sunday (D10); ``""`` → no weekend days (a workspace that works every day);
    a value that is not a list of weekdays (never written by the API) → the default.
    """
    if setting is None:
        return DEFAULT_WEEKEND
    parts = [part.strip() for part in setting.split(",") if part.strip()]
    if not all(part.isdigit() and int(part) <= 6 for part in parts):
        return DEFAULT_WEEKEND
    return frozenset(int(part) for part in parts)


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A member's wall-clock ``day`` + ``at`` as a UTC instant (a time in a DST gap moves forward)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_minute_to_utc(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant ``minute`` wall-clock minutes after ``day``'s midnight in ``tz`` (past 24 h: the next days)."""
    return (datetime.combine(day, MIDNIGHT, tzinfo=tz) + timedelta(minutes=minute)).astimezone(UTC)


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` starts in ``tz``."""
    return local_to_utc(day, MIDNIGHT, tz)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a member's ``day`` starts and the next one starts."""
    return local_midnight_utc(day, tz), local_midnight_utc(day + timedelta(days=1), tz)


def local_span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``date`` + ``HH:mm`` to ``HH:mm`` in ``tz`` as UTC; an end of ``00:00`` means midnight after ``day``."""
    end_day = day + timedelta(days=1) if end == MIDNIGHT else day
    return local_to_utc(day, start, tz), local_to_utc(end_day, end, tz)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def local_hhmm(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def week_start(day: date) -> date:
    """Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
