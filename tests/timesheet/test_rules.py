from __future__ import annotations

from datetime import date

from worktally.timesheet.rules import period_of, periods_between


class TestPeriodOf:
    def test_weekly_runs_monday_to_sunday(self) -> None:
        assert period_of(date(2026, 1, 29)) == (date(2026, 1, 26), date(2026, 2, 1))
        assert period_of(date(2026, 1, 26)) == (date(2026, 1, 26), date(2026, 2, 1))
        assert period_of(date(2026, 2, 1)) == (date(2026, 1, 26), date(2026, 2, 1))

    def test_monthly_is_the_calendar_month(self) -> None:
        assert period_of(date(2024, 2, 10), "monthly") == (date(2024, 2, 1), date(2024, 2, 29))

    def test_biweekly_is_two_weeks_from_a_fixed_monday(self) -> None:
        first = period_of(date(2026, 1, 29), "biweekly")

        assert (first[1] - first[0]).days == 13
        assert first[0].weekday() == 0
        assert period_of(first[1], "biweekly") == first


class TestPeriodsBetween:
    def test_lists_every_period_touching_the_range(self) -> None:
        assert periods_between(date(2026, 1, 31), date(2026, 2, 2)) == [
            (date(2026, 1, 26), date(2026, 2, 1)),
            (date(2026, 2, 2), date(2026, 2, 8)),
        ]
