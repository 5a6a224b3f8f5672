"""IANA time zones (D9): one lenient lookup, so a bad stored name never breaks a request or a report."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; UTC for an empty or unknown name."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
