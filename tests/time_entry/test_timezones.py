"""D9: a member's date + HH:mm and their days are read in their own timezone, DST included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from tests.factories import Tenants
from tests.time_entry.helpers import booked

LA = "America/Los_Angeles"
KIRITIMATI = "Pacific/Kiritimati"  # UTC+14


class TestLosAngeles:
    async def test_spring_forward_night_is_an_hour_shorter(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=LA)

        response = await b.add("2026-03-08", "00:00", "04:00")

        assert response.json()["saved_minutes"] == 180
        data = response.json()["data"]
        assert data["start_time"] == "2026-03-08T08:00:00.000000Z"
        assert data["end_time"] == "2026-03-08T11:00:00.000000Z"
        assert data["date"] == "2026-03-08"

    async def test_fall_back_night_is_an_hour_longer(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=LA)

        response = await b.add("2026-11-01", "00:00", "04:00")

        assert response.json()["saved_minutes"] == 300

    async def test_the_dst_day_has_23_hours_and_keeps_its_late_evening(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=LA)
        await b.add("2026-03-08", "23:00", "00:00")  # 06:00Z on 03-09
        await b.add("2026-03-09", "00:00", "01:00")

        day = await b.day("2026-03-08")
        next_day = await b.day("2026-03-09")

        assert [e["start_time"] for e in day] == ["2026-03-09T06:00:00.000000Z"]
        assert [e["date"] for e in day] == ["2026-03-08"]
        assert [e["start_time"] for e in next_day] == ["2026-03-09T07:00:00.000000Z"]

    async def test_a_time_in_the_dst_gap_moves_forward(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=LA)

        response = await b.add("2026-03-08", "02:30", "04:00")

        assert response.json()["data"]["start_time"] == "2026-03-08T10:30:00.000000Z"
        assert response.json()["saved_minutes"] == 30

    async def test_editing_the_start_keeps_the_local_date(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=LA)
        created = (await b.add("2026-03-08", "20:00", "22:00")).json()["data"]

        await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"start_time": "19:00"})

        [entry] = await b.day("2026-03-08")
        assert entry["start_time"] == "2026-03-09T02:00:00.000000Z"


class TestKiritimati:
    async def test_date_and_times_are_fourteen_hours_ahead(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=KIRITIMATI)

        response = await b.add("2026-01-29", "09:00", "17:00")

        data = response.json()["data"]
        assert data["start_time"] == "2026-01-28T19:00:00.000000Z"
        assert data["date"] == "2026-01-29"
        assert len(await b.day("2026-01-29")) == 1
        assert await b.day("2026-01-28") == []

    async def test_workspace_timezone_applies_when_the_member_has_none(self, tenants: Tenants) -> None:
        b = await booked(tenants, workspace_timezone=KIRITIMATI)

        response = await b.add("2026-01-29", "09:00", "10:00")

        assert response.json()["data"]["start_time"] == "2026-01-28T19:00:00.000000Z"

    async def test_monday_morning_belongs_to_the_members_week(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone=KIRITIMATI)
        await b.add("2026-01-26", "01:00", "02:00")  # Sunday 11:00Z in UTC

        response = await b.member.api.get(
            "/timesheets", params={"date_from": "2026-01-26", "date_to": "2026-01-26", "user_id": b.member.user_id}
        )

        [sheet] = response.json()["data"]
        assert sheet["date_from"] == "2026-01-26"
        assert sheet["total_minutes"] == 60
        assert list(sheet["daily_breakdown"]) == ["2026-01-26"]

    async def test_current_data_date_is_the_members_today(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants, timezone=KIRITIMATI)
        frozen(datetime(2026, 1, 29, 12, 0, tzinfo=UTC))

        response = await b.member.api.get("/time-tracking/current-data")

        assert response.json()["data"]["date"] == "2026-01-30"

    async def test_same_instant_two_members_two_dates(self, tenants: Tenants) -> None:
        kiri = await booked(tenants, timezone=KIRITIMATI)
        la = await booked(tenants, timezone=LA)

        early = await kiri.add("2026-01-30", "02:00", "03:00")
        late = await la.add("2026-01-29", "04:00", "05:00")

        assert early.json()["data"]["start_time"] == late.json()["data"]["start_time"] == "2026-01-29T12:00:00.000000Z"
        assert early.json()["data"]["date"] == "2026-01-30"
        assert late.json()["data"]["date"] == "2026-01-29"
