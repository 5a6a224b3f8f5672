"""D9 through the API, with a few generated examples: what is stored never overlaps and adds up."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.time_entry.helpers import booked

DAY = "2026-01-29"

# (start minute of the day, length in minutes), on a 15-minute grid so HH:mm can express them.
slots = st.tuples(st.integers(0, 80), st.integers(1, 16)).map(lambda t: (t[0] * 15, min(t[0] * 15 + t[1] * 15, 1440)))


def hhmm(minute: int) -> str:
    return "00:00" if minute == 1440 else f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of(value: str) -> int:
    return int(value[11:13]) * 60 + int(value[14:16])


class TestOverlapRulesThroughTheApi:
    @settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(requests=st.lists(slots, min_size=1, max_size=5))
    async def test_stored_entries_never_overlap_and_saved_minutes_add_up(
        self, tenants: Tenants, requests: list[tuple[int, int]]
    ) -> None:
        b = await booked(tenants)
        reported = 0

        for start, end in requests:
            response = await b.add(DAY, hhmm(start), hhmm(end))
            if response.status_code != 201:
                assert_error_code(response, 409, "time_overlap")
            else:
                body: dict[str, Any] = response.json()
                reported += body["saved_minutes"]
                assert body["saved_minutes"] == sum(e["duration_minutes"] for e in body["data"]["entries"])

        stored = await b.day(DAY) + await b.day("2026-01-30")
        spans = sorted((e["start_time"], e["end_time"]) for e in stored)
        for (_, left_end), (right_start, _) in itertools.pairwise(spans):
            assert left_end <= right_start
        assert reported == sum(e["duration_minutes"] for e in stored)
        covered = set()
        for start, end in requests:
            covered.update(range(start, end))
        assert reported == len(covered)
