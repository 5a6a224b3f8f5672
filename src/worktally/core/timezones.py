"""IANA time zones (D9): which names a request may give, and one lenient lookup for stored names.

Only IANA names are time zones here: the list the ``tzdata`` package ships (IANA's own), less
``Factory`` (IANA's placeholder for "zone not configured", not a place). ``zoneinfo`` alone would also
load ``localtime`` and ``posixrules`` from the host's ``/usr/share/zoneinfo``: files, not zones, whose
meaning is the server's own setting — so they are refused, and a stored one reads as UTC.
"""

from __future__ import annotations

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
