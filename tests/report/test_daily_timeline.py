from __future__ import annotations

from datetime import datetime

import pytest

from tests.errors import assert_error_code
from tests.factories.time import make_slots, set_member
from tests.report.conftest import Scenario, csv_rows, utc

PATH = "/reports/daily-timeline"
DAY = {"date": "2026-11-03"}


@pytest.mark.usefixtures("frozen")
class TestDailyTimeline:
    async def test_lists_each_members_entries_of_their_own_day(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=DAY)

        assert response.status_code == 200, response.text
        users = {u["user_id"]: u for u in response.json()["data"]["users"]}
        alice = users[scenario.alice.user_id]
        assert alice["timezone"] == "Europe/Berlin"
        assert alice["total_minutes"] == 150
        assert [(e["start_time"], e["end_time"], e["duration_minutes"]) for e in alice["entries"]] == [
            ("2026-11-03T08:00:00.000000Z", "2026-11-03T10:00:00.000000Z", 120),
            ("2026-11-03T22:30:00.000000Z", "2026-11-03T23:00:00.000000Z", 30),  # cut at Alice's midnight
        ]
        bob = users[scenario.bob.user_id]
        assert [(e["start_time"], e["duration_minutes"]) for e in bob["entries"]] == [
            ("2026-11-04T03:00:00.000000Z", 120)
        ]
        assert users[scenario.ws.owner.user_id]["entries"] == []

    async def test_entries_carry_project_task_description_and_method(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**DAY, "user_ids": scenario.alice.user_id})

        [alice] = response.json()["data"]["users"]
        first = alice["entries"][0]
        assert first["project_id"] == scenario.apollo and first["project_name"] == "Apollo"
        assert first["task_id"] == scenario.design_task and first["task_title"] == "Design"
        assert first["activity_description"] == "Mockups"
        assert first["method"] == "Desktop tracker"

    async def test_times_carry_the_workspace_owners_offset(self, scenario: Scenario) -> None:
        await set_member(scenario.ws, scenario.ws.owner, timezone="Asia/Kolkata")

        response = await scenario.ws.owner.api.get(PATH, params={**DAY, "user_ids": scenario.alice.user_id})

        first = response.json()["data"]["users"][0]["entries"][0]
        assert first["start_time"] == "2026-11-03T13:30:00.000000+05:30"

    async def test_activity_level_is_the_average_of_the_entrys_slots(self, scenario: Scenario) -> None:
        await make_slots(scenario.ws, scenario.alice, utc(3, 8), [40, 60, 80])
        await make_slots(scenario.ws, scenario.alice, utc(3, 12), [10])  # outside every entry

        response = await scenario.ws.owner.api.get(PATH, params={**DAY, "user_ids": scenario.alice.user_id})

        entries = response.json()["data"]["users"][0]["entries"]
        assert [e["activity_level"] for e in entries] == [60, None]

    async def test_pages_by_member(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**DAY, "per_page": 2, "page": 2})

        body = response.json()
        assert len(body["data"]["users"]) == 1
        assert body["meta"]["pagination"]["total"] == 3
        assert body["meta"]["pagination"]["per_page"] == 2

    async def test_defaults_to_30_members_a_page(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=DAY)

        assert response.json()["meta"]["pagination"]["per_page"] == 30

    async def test_a_regular_user_sees_only_themself(self, scenario: Scenario) -> None:
        response = await scenario.bob.api.get(PATH, params=DAY)

        assert [u["user_id"] for u in response.json()["data"]["users"]] == [scenario.bob.user_id]

    async def test_csv_has_one_line_per_entry(self, scenario: Scenario) -> None:
        json_users = (await scenario.ws.owner.api.get(PATH, params=DAY)).json()["data"]["users"]

        response = await scenario.ws.owner.api.get(PATH, params={**DAY, "format": "csv"})

        rows = csv_rows(response.text)
        assert [(r["user_id"], r["entry_id"], r["duration_minutes"]) for r in rows] == [
            (str(u["user_id"]), e["id"], str(e["duration_minutes"]))
            for u in json_users
            # D16: a member without entries still has a line
            for e in u["entries"] or [{"id": "", "duration_minutes": 0}]
        ]
        assert datetime.fromisoformat(rows[0]["start_time"]) == utc(3, 8)

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({}, "date"),
            ({"date": "2020-01-01"}, "date"),
            ({"date": "x"}, "date"),
            ({**DAY, "per_page": 101}, "per_page"),
        ],
    )
    async def test_bad_input_is_422(self, scenario: Scenario, params: dict, field: str) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert field in response.json()["errors"]
