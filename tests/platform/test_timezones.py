"""D9: time zones are IANA names; the host's ``localtime`` file is not one (``core/timezones.py``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from worktally.core.timezones import UTC_ZONE, iana_zones, is_known_zone, zone


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/UTC", "right/UTC", "", "utc", "../UTC"])
def test_names_zoneinfo_might_load_that_are_not_iana_zones_are_unknown(name: str) -> None:
    assert not is_known_zone(name)
    assert zone(name) is UTC_ZONE  # a stored one reads as UTC, never as the server's own zone


@pytest.mark.parametrize("name", ["UTC", "Europe/Oslo", "America/Argentina/Buenos_Aires", "Etc/GMT-14", "EST5EDT"])
def test_iana_names_are_known_and_loaded(name: str) -> None:
    assert is_known_zone(name)
    assert zone(name) == ZoneInfo(name)


def test_the_list_is_ianas_own() -> None:
    zones = iana_zones()

    assert len(zones) > 500
    assert "localtime" not in zones
    assert not any(name.startswith(("posix/", "right/")) for name in zones)
