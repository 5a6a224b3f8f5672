from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worktally.core import timezones
from worktally.time_entry import rules
from worktally.time_entry.rules import Interval, Window

BASE = datetime(2026, 1, 26, tzinfo=UTC)


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


def span(a: int, b: int) -> Interval:
    return Interval(at(a), at(b))


intervals = st.tuples(st.integers(0, 3000), st.integers(1, 600)).map(lambda t: span(t[0], t[0] + t[1]))


def covered_seconds(pieces: list[Interval]) -> int:
    return sum(p.seconds for p in rules.merge(pieces))


def assert_disjoint(pieces: list[Interval]) -> None:
    ordered = sorted(pieces)
    for left, right in itertools.pairwise(ordered):
        assert left.end <= right.start


class TestInterval:
    def test_rejects_an_empty_interval(self) -> None:
        with pytest.raises(ValueError):
            Interval(at(5), at(5))

    def test_half_open_neighbours_do_not_overlap(self) -> None:
        assert not span(0, 60).overlaps(span(60, 120))


class TestSubtract:
    def test_cuts_a_hole(self) -> None:
        assert rules.subtract(span(0, 480), [span(180, 240)]) == [span(0, 180), span(240, 480)]

    def test_nothing_left_when_covered(self) -> None:
        assert rules.subtract(span(60, 120), [span(0, 100), span(90, 200)]) == []

    def test_back_to_back_is_kept_whole(self) -> None:
        assert rules.subtract(span(60, 120), [span(0, 60), span(120, 180)]) == [span(60, 120)]

    @given(intervals, st.lists(intervals, max_size=8))
    def test_pieces_lie_inside_and_avoid_every_other(self, new: Interval, others: list[Interval]) -> None:
        pieces = rules.subtract(new, others)

        assert_disjoint(pieces)
        for piece in pieces:
            assert new.start <= piece.start and piece.end <= new.end
            assert not any(piece.overlaps(o) for o in others)
        blocked = [Interval(max(o.start, new.start), min(o.end, new.end)) for o in others if o.overlaps(new)]
        assert covered_seconds(pieces) + covered_seconds(blocked) == new.seconds


class TestCap:
    def test_keeps_the_earliest_time_that_fits(self) -> None:
        window = Window(at(0), at(10_000), budget_seconds=90 * 60)

        assert rules.cap([span(0, 60), span(100, 200)], [window]) == [span(0, 60), span(100, 130)]

    def test_time_outside_windows_is_kept(self) -> None:
        window = Window(at(0), at(60), budget_seconds=0)

        assert rules.cap([span(30, 90)], [window]) == [span(60, 90)]

    @given(st.lists(intervals, max_size=6), st.integers(0, 2000))
    def test_never_exceeds_a_windows_budget(self, raw: list[Interval], budget_minutes: int) -> None:
        pieces = rules.merge(raw)
        window = Window(at(500), at(2500), budget_seconds=budget_minutes * 60)

        capped = rules.cap(pieces, [window])

        inside = sum(
            int((min(p.end, window.end) - max(p.start, window.start)).total_seconds())
            for p in capped
            if p.start < window.end and window.start < p.end
        )
        assert inside <= window.budget_seconds
        assert_disjoint(capped)
        assert all(any(o.start <= p.start and p.end <= o.end for o in pieces) for p in capped)


class TestSavingOneAfterAnother:
    @given(st.lists(intervals, min_size=1, max_size=12))
    def test_saved_intervals_never_overlap_and_minutes_add_up(self, requests: list[Interval]) -> None:
        stored: list[Interval] = []
        reported = 0

        for new in requests:
            pieces = rules.fit(new, stored)
            reported += rules.total_minutes(pieces)
            stored.extend(pieces)

        assert_disjoint(stored)
        assert reported == sum(p.minutes for p in stored)
        assert covered_seconds(stored) == covered_seconds(requests)

    @given(st.integers(0, 3000), st.lists(st.integers(1, 300), min_size=1, max_size=8))
    def test_back_to_back_entries_are_all_kept(self, start: int, lengths: list[int]) -> None:
        stored: list[Interval] = []
        cursor = start

        for length in lengths:
            stored.extend(rules.fit(span(cursor, cursor + length), stored))
            cursor += length

        assert sum(p.minutes for p in stored) == sum(lengths)


class TestLocalTime:
    def test_parse_hhmm(self) -> None:
        assert timezones.parse_hhmm("09:05") == time(9, 5)
        assert timezones.parse_hhmm("24:00") is None
        assert timezones.parse_hhmm("9:05") is None

    def test_midnight_end_is_the_next_day(self) -> None:
        start, end = timezones.local_span(date(2026, 1, 29), time(22), time(0), ZoneInfo("UTC"))

        assert end - start == timedelta(hours=2)

    def test_weeks_of_an_interval_are_the_members(self) -> None:
        tz = ZoneInfo("Pacific/Kiritimati")
        interval = Interval(datetime(2026, 1, 25, 8, 0, tzinfo=UTC), datetime(2026, 1, 25, 9, 0, tzinfo=UTC))

        [(start, end)] = rules.week_windows(interval, tz)

        assert start.astimezone(tz).date() == date(2026, 1, 19)
        assert (end - start) == timedelta(days=7)

    def test_format_minutes(self) -> None:
        assert rules.format_minutes(480) == "8 hr"
        assert rules.format_minutes(90) == "1 hr 30 min"
        assert rules.format_minutes(5) == "5 min"
