from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.time_entry.helpers import booked
from worktally.db.models import ActivitySlot

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)


async def levels(tenants: Tenants, user_id: int) -> dict[str, int]:
    async with tenants.sessionmaker() as session:
        rows = await session.execute(
            select(ActivitySlot.slot_start, ActivitySlot.activity_level)
            .where(ActivitySlot.user_id == user_id)
            .order_by(ActivitySlot.slot_start)
        )
        return {start.strftime("%H:%M"): level for start, level in rows}


class TestRecordActivity:
    async def test_records_slots_of_the_callers_saved_time(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")
        frozen(NOW)

        response = await b.member.api.post(
            "/time-tracking/activity",
            json={
                "slots": [
                    {"start": "2026-01-29T09:00:00Z", "activity_level": 80},
                    {"start": "2026-01-29T09:10:00Z", "activity_level": 40},
                ]
            },
        )

        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Activity recorded successfully"
        assert response.json()["data"] == {"recorded": 2}
        assert await levels(tenants, b.member.user_id) == {"09:00": 80, "09:10": 40}

    async def test_reporting_a_slot_again_replaces_its_level(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")
        frozen(NOW)
        slot = {"start": "2026-01-29T09:00:00Z", "activity_level": 10}
        await b.member.api.post("/time-tracking/activity", json={"slots": [slot]})

        await b.member.api.post("/time-tracking/activity", json={"slots": [{**slot, "activity_level": 90}]})

        assert await levels(tenants, b.member.user_id) == {"09:00": 90}

    async def test_records_slots_of_the_running_tracker(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        frozen(NOW)
        await b.member.api.post("/time-tracking/start", json={})
        frozen(NOW + timedelta(minutes=25))

        response = await b.member.api.post(
            "/time-tracking/activity", json={"slots": [{"start": "2026-01-29T12:10:00Z", "activity_level": 55}]}
        )

        assert response.status_code == 200
        assert response.json()["data"] == {"recorded": 1}
        assert await levels(tenants, b.member.user_id) == {"12:10": 55}

    async def test_unaligned_slot_is_422(self, tenants: Tenants, frozen: Callable[[datetime], None]) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")
        frozen(NOW)

        response = await b.member.api.post(
            "/time-tracking/activity", json={"slots": [{"start": "2026-01-29T09:05:00Z", "activity_level": 50}]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "slots.0.start" in response.json()["errors"]

    async def test_slot_outside_tracked_time_is_422(self, tenants: Tenants, frozen: Callable[[datetime], None]) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "09:00", "10:00")
        frozen(NOW)

        response = await b.member.api.post(
            "/time-tracking/activity", json={"slots": [{"start": "2026-01-29T10:00:00Z", "activity_level": 50}]}
        )

        assert_error_code(response, 422, "validation_failed")

    async def test_level_out_of_range_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post(
            "/time-tracking/activity", json={"slots": [{"start": "2026-01-29T09:00:00Z", "activity_level": 101}]}
        )

        assert_error_code(response, 422, "validation_failed")

    async def test_extreme_dates_are_422_not_500(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post(
            "/time-tracking/activity", json={"slots": [{"start": "9999-12-31T23:50:00Z", "activity_level": 1}]}
        )

        assert_error_code(response, 422, "validation_failed")

    async def test_empty_slots_are_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post("/time-tracking/activity", json={"slots": []})

        assert_error_code(response, 422, "validation_failed")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.post("/time-tracking/activity", json={"slots": []})

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.member, frozenset({"read"}))

        response = await api.post("/time-tracking/activity", json={"slots": []})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-tracking/activity", json={})

        assert_error_code(response, 401, "unauthenticated")

    async def test_is_marked_as_an_extension(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/openapi.json")

        operation = response.json()["paths"]["/api/v2/time-tracking/activity"]["post"]
        assert operation["x-worktally-extension"] is True
