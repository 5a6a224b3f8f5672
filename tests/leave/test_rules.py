from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from worktally.core.errors import ValidationError
from worktally.leave import rules

WEEKEND = frozenset({5, 6})


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, 10, hour, minute, tzinfo=UTC)


def day_shape(**overrides: object) -> rules.LeaveShape:
    values: dict[str, object] = {
        "unit": rules.DAYS,
        "policy_hours_per_day": Decimal(8),
        "leave_period": 0,
        "start_time": None,
        "end_time": None,
        "hours_per_day": None,
    }
    values.update(overrides)
    return rules.shape_of(**values)  # type: ignore[arg-type]


class TestWorkingDays:
    def test_skips_the_weekend(self) -> None:
        days = rules.working_days(date(2026, 2, 6), date(2026, 2, 9), WEEKEND, set())

        assert days == [date(2026, 2, 6), date(2026, 2, 9)]

    def test_skips_holidays(self) -> None:
        days = rules.working_days(date(2026, 2, 9), date(2026, 2, 11), WEEKEND, {date(2026, 2, 10)})

        assert days == [date(2026, 2, 9), date(2026, 2, 11)]

    def test_uses_the_workspace_weekend(self) -> None:
        days = rules.working_days(date(2026, 2, 6), date(2026, 2, 8), frozenset({4, 5}), set())

        assert days == [date(2026, 2, 8)]


class TestShapeOf:
    def test_a_full_day_uses_one_day_and_the_policy_hours(self) -> None:
        assert day_shape() == rules.LeaveShape(Decimal(1), Decimal("8.00"))

    def test_a_half_day_uses_half_a_day(self) -> None:
        assert day_shape(leave_period=1) == rules.LeaveShape(Decimal("0.5"), Decimal("4.00"))

    def test_the_catalogues_three_first_halves_use_a_day_and_a_half(self) -> None:
        # D10: POST /leaves {"start": "2026-02-10", "end": "2026-02-12", "leave_period": 1}, Tue..Thu.
        days = rules.working_days(date(2026, 2, 10), date(2026, 2, 12), WEEKEND, set())
        shape = day_shape(leave_period=1)

        used = rules.use_by_year(rules.DAYS, days, shape)

        assert used == {2026: Decimal("1.5")}
        assert shape.hours * len(days) == Decimal("12.00")

    def test_an_hour_based_half_day_is_half_the_policy_hours(self) -> None:
        shape = day_shape(unit=rules.HOURS, leave_period=2, policy_hours_per_day=Decimal("7.5"))

        assert shape == rules.LeaveShape(Decimal("0.5"), Decimal("3.75"))

    def test_an_hour_based_half_day_gives_no_times_or_hours(self) -> None:
        for extra in ({"start_time": "09:00", "end_time": "11:00"}, {"hours_per_day": Decimal(2)}):
            with pytest.raises(ValidationError) as caught:
                day_shape(unit=rules.HOURS, leave_period=1, **extra)

            assert caught.value.errors is not None and "leave_period" in caught.value.errors

    def test_an_hour_based_request_counts_its_times(self) -> None:
        shape = day_shape(unit=rules.HOURS, start_time="09:00", end_time="13:30")

        assert shape == rules.LeaveShape(Decimal("0.56"), Decimal("4.50"))

    def test_an_hour_based_request_may_give_hours_per_day(self) -> None:
        shape = day_shape(unit=rules.HOURS, hours_per_day=Decimal("2.5"))

        assert shape.hours == Decimal("2.50")

    def test_an_hour_based_request_needs_times_or_hours(self) -> None:
        with pytest.raises(ValidationError) as caught:
            day_shape(unit=rules.HOURS)

        assert caught.value.errors is not None and "start_time" in caught.value.errors

    def test_the_end_time_must_follow_the_start_time(self) -> None:
        with pytest.raises(ValidationError) as caught:
            day_shape(unit=rules.HOURS, start_time="13:00", end_time="09:00")

        assert caught.value.errors is not None and "end_time" in caught.value.errors

    def test_a_start_time_needs_an_end_time(self) -> None:
        with pytest.raises(ValidationError) as caught:
            day_shape(unit=rules.HOURS, start_time="13:00")

        assert caught.value.errors is not None and "end_time" in caught.value.errors


class TestClaims:
    def test_first_and_second_halves_do_not_overlap(self) -> None:
        first = rules.claim_of(rules.DAYS, 1, None, None)
        second = rules.claim_of(rules.DAYS, 2, None, None)

        assert not rules.claims_overlap(first, second)

    def test_a_full_day_overlaps_a_half_day(self) -> None:
        assert rules.claims_overlap(
            rules.claim_of(rules.DAYS, 0, None, None), rules.claim_of(rules.DAYS, 2, None, None)
        )

    def test_an_hour_based_half_day_claims_its_half(self) -> None:
        first = rules.claim_of(rules.HOURS, 1, None, None)

        assert first == (0, rules.MINUTES_PER_DAY // 2)
        assert not rules.claims_overlap(first, rules.claim_of(rules.HOURS, 2, None, None))

    def test_disjoint_hours_do_not_overlap(self) -> None:
        morning = rules.claim_of(rules.HOURS, 0, "09:00", "11:00")
        afternoon = rules.claim_of(rules.HOURS, 0, "11:00", "13:00")

        assert not rules.claims_overlap(morning, afternoon)


class TestBalance:
    def test_use_is_split_by_calendar_year(self) -> None:
        days = [date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)]

        used = rules.use_by_year(rules.DAYS, days, rules.LeaveShape(Decimal(1), Decimal(8)))

        assert used == {2025: Decimal(1), 2026: Decimal(2)}

    def test_first_year_short_finds_the_year_over_the_allowance(self) -> None:
        year = rules.first_year_short(Decimal(10), {2026: Decimal(9)}, {2025: Decimal(1), 2026: Decimal(2)})

        assert year == 2026

    def test_exactly_the_allowance_is_not_short(self) -> None:
        assert rules.first_year_short(Decimal(10), {2026: Decimal(8)}, {2026: Decimal(2)}) is None

    def test_balance_text_matches_the_catalogue(self) -> None:
        assert rules.balance_text(Decimal("10.00"), rules.DAYS) == "10 days"
        assert rules.balance_text(Decimal("6.50"), rules.HOURS) == "6.5 hours"
        assert rules.balance_text(Decimal("1.00"), rules.DAYS) == "1 day"
        assert rules.balance_text(Decimal("-2.5"), rules.DAYS) == "-2.5 days"


class TestPlace:
    def test_places_the_whole_duration_in_free_time(self) -> None:
        assert rules.place(at(9), 480, [], at(23, 59)) == [(at(9), at(17))]

    def test_flows_around_existing_entries(self) -> None:
        pieces = rules.place(at(9), 480, [(at(10), at(12))], at(23, 59))

        assert pieces == [(at(9), at(10)), (at(12), at(19))]

    def test_never_runs_past_the_limit(self) -> None:
        assert rules.place(at(20), 480, [], at(23)) == [(at(20), at(23))]

    def test_an_entry_covering_the_start_pushes_the_leave_later(self) -> None:
        assert rules.place(at(9), 60, [(at(8), at(9, 30))], at(23)) == [(at(9, 30), at(10, 30))]


class TestEntryStart:
    def test_the_second_half_starts_after_the_first(self) -> None:
        assert rules.entry_start(rules.DAYS, 2, None, Decimal(4), 9 * 60) == 13 * 60

    def test_timed_hours_start_at_their_start_time(self) -> None:
        assert rules.entry_start(rules.HOURS, 0, "14:15", Decimal(2), 9 * 60) == 14 * 60 + 15
