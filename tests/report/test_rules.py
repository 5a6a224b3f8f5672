"""Pure rules: no database, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from worktally.core import billing
from worktally.core.money import cents_number
from worktally.db.functions import _sqlite_local_date, day_bucket_rows, zone
from worktally.report import params, rules

SETTINGS = rules.AttendanceSettings(
    workday_start_time="09:00", expected_daily_minutes=480, late_grace_minutes=10, weekend_days=frozenset({5, 6})
)
BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 11, 3)


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 3, hour, minute, tzinfo=BERLIN)


def attend(**kwargs: object) -> rules.Attendance:
    values: dict = {"tracked_minutes": 0, "first_start": None, "last_end": None, "leave": None, "holiday": None}
    values.update(kwargs)
    return rules.attendance(TUESDAY, BERLIN, SETTINGS, **values)


class TestAttendance:
    def test_arriving_within_the_grace_is_not_late(self) -> None:
        result = attend(tracked_minutes=480, first_start=local(9, 10), last_end=local(17, 10))

        assert result.statuses == ["Present"]

    def test_arriving_after_the_grace_is_late_from_the_start_time(self) -> None:
        result = attend(tracked_minutes=480, first_start=local(9, 11), last_end=local(17, 30))

        assert result.statuses == ["Present", "Late"]
        assert result.late_minutes == 11

    def test_no_time_on_a_working_day_is_absent(self) -> None:
        assert attend().statuses == ["Absent"]

    def test_no_time_on_a_weekend_is_nothing(self) -> None:
        result = rules.attendance(
            date(2026, 11, 7),
            BERLIN,
            SETTINGS,
            tracked_minutes=0,
            first_start=None,
            last_end=None,
            leave=None,
            holiday=None,
        )

        assert result.statuses == []
        assert result.is_working_day is False

    def test_second_half_leave_excuses_leaving_early(self) -> None:
        leave = rules.LeaveOnDay("Vacation", 2, None, None)

        result = attend(tracked_minutes=240, first_start=local(9), last_end=local(13), leave=leave)

        assert result.statuses == ["Present", "On leave"]
        assert result.expected_minutes == 240

    def test_hourly_leave_covers_its_hours(self) -> None:
        leave = rules.LeaveOnDay("Doctor", 0, "10:00", "12:00")

        assert rules.leave_minutes(leave, 480) == 120

    def test_time_is_read_in_the_members_timezone(self) -> None:
        first = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)  # 09:30 in Berlin

        result = attend(tracked_minutes=480, first_start=first, last_end=local(18))

        assert result.late_minutes == 30


class TestMoney:
    @pytest.mark.parametrize(
        ("minutes", "rate_cents", "cents"), [(60, 2000, 2000), (90, 1250, 1875), (1, 1, 0), (1, 30, 1), (7, 999, 117)]
    )
    def test_amount_cents_rounds_half_up(self, minutes: int, rate_cents: int, cents: int) -> None:
        assert billing.amount_cents(minutes, rate_cents) == cents

    def test_cents_number_is_the_json_number_of_the_amount(self) -> None:
        assert [cents_number(c) for c in (0, 5, 1250, 1200, 1234, -5)] == ["0", "0.05", "12.5", "12", "12.34", "-0.05"]

    def test_minutes_round_half_a_minute_up(self) -> None:
        assert [billing.minutes(s) for s in (0, 29, 30, 89, 90, None)] == [0, 0, 1, 1, 2, 0]


class TestParams:
    def test_id_list_accepts_commas_repeats_and_brackets(self) -> None:
        errors: dict[str, list[str]] = {}

        assert params.id_list("users", ["1,2", "3", "[4,5]"], errors) == [1, 2, 3, 4, 5]
        assert errors == {}

    @pytest.mark.parametrize("value", ["a", "0", "-1", "1.5", str(2**31)])
    def test_id_list_rejects_non_ids(self, value: str) -> None:
        errors: dict[str, list[str]] = {}

        assert params.id_list("users", [value], errors) is None
        assert "users" in errors

    def test_date_range_defaults_a_missing_end_to_a_week(self) -> None:
        errors: dict[str, list[str]] = {}

        result = params.date_range(date(2026, 1, 1), None, max_days=31, default=(TUESDAY, TUESDAY), errors=errors)

        assert result == params.DateRange(date(2026, 1, 1), date(2026, 1, 7))

    def test_date_range_over_the_cap_is_an_error(self) -> None:
        errors: dict[str, list[str]] = {}

        params.date_range(date(2026, 1, 1), date(2026, 2, 1), max_days=31, default=None, errors=errors)

        assert "end_date" in errors


class TestDayBuckets:
    def test_a_dst_day_is_25_hours_long(self) -> None:
        [bucket] = day_bucket_rows(["Europe/Berlin"], date(2026, 10, 25), date(2026, 10, 25))

        assert bucket.ends_at - bucket.starts_at == timedelta(hours=25)
        assert bucket.starts_at == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)

    def test_one_bucket_per_timezone_per_day(self) -> None:
        rows = day_bucket_rows(["UTC", "Asia/Kolkata", "UTC"], date(2026, 1, 1), date(2026, 1, 3))

        assert len(rows) == 6

    def test_an_unknown_timezone_reads_as_utc(self) -> None:
        assert zone("Mars/Olympus") == ZoneInfo("UTC")

    def test_sqlite_local_date_reads_stored_text(self) -> None:
        assert _sqlite_local_date("2026-11-03 23:30:00.000000", "Europe/Berlin") == "2026-11-04"
        assert _sqlite_local_date("2026-11-04 03:00:00.000000", "America/New_York") == "2026-11-03"
        assert _sqlite_local_date(None, "UTC") is None
