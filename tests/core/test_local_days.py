"""The one arithmetic of a member's local days (core/timezones.py, D9/D10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from worktally.core import timezones

WEEKEND = frozenset({5, 6})
BERLIN = ZoneInfo("Europe/Berlin")


class TestParseHhmm:
    def test_reads_a_time_of_day(self) -> None:
        assert timezones.parse_hhmm("09:05") == time(9, 5)
        assert timezones.hhmm_minutes("09:05") == 9 * 60 + 5

    def test_refuses_what_is_not_hh_mm(self) -> None:
        for value in ("24:00", "9:05", "09:60", "", None, "09:05 "):
            assert timezones.parse_hhmm(value) is None
            assert timezones.hhmm_minutes(value) is None


class TestParseWeekendDays:
    def test_unset_is_saturday_and_sunday(self) -> None:
        assert timezones.parse_weekend_days(None) == WEEKEND

    def test_empty_means_no_weekend_days(self) -> None:
        assert timezones.parse_weekend_days("") == frozenset()

    def test_reads_the_setting(self) -> None:
        assert timezones.parse_weekend_days("4,5") == frozenset({4, 5})
        assert timezones.parse_weekend_days("0") == frozenset({0})

    def test_an_unreadable_value_falls_back_to_the_default(self) -> None:
        assert timezones.parse_weekend_days("x,y") == WEEKEND
        assert timezones.parse_weekend_days("9") == WEEKEND


class TestLocalMidnights:
    def test_a_day_across_a_dst_change_has_23_hours(self) -> None:
        start, end = timezones.day_bounds(date(2026, 3, 29), BERLIN)

        assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
        assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)

    def test_wall_clock_minutes_count_from_local_midnight(self) -> None:
        # 09:00 on the day clocks go forward is 07:00 UTC (CEST), not 08:00.
        assert timezones.local_minute_to_utc(date(2026, 3, 29), 9 * 60, BERLIN) == datetime(2026, 3, 29, 7, tzinfo=UTC)
        assert timezones.local_midnight_utc(date(2026, 1, 29), BERLIN) == datetime(2026, 1, 28, 23, tzinfo=UTC)
