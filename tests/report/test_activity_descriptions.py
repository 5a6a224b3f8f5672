from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.factories.time import make_entry
from tests.report.conftest import Scenario, csv_rows, utc

PATH = "/reports/activity-descriptions"
RANGE = {"start_date": "2026-11-02", "end_date": "2026-11-08"}


class TestActivityDescriptions:
    async def test_time_per_member_per_description(self, scenario: Scenario) -> None:
        await make_entry(scenario.ws, scenario.alice, utc(5, 9), utc(5, 9, 30), description="Mockups")

        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert response.status_code == 200, response.text
        users = {u["user_id"]: u for u in response.json()["data"]["users"]}
        assert users[scenario.alice.user_id]["descriptions"] == [
            {"activity_description": "Mockups", "total_minutes": 150},
            {"activity_description": "Release", "total_minutes": 120},
        ]
        assert users[scenario.alice.user_id]["total_minutes"] == 270
        assert users[scenario.bob.user_id]["descriptions"] == [{"activity_description": "Review", "total_minutes": 120}]

    async def test_time_without_a_description_is_grouped_as_null(self, scenario: Scenario) -> None:
        await make_entry(scenario.ws, scenario.bob, utc(5, 15), utc(5, 15, 45))

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "users": scenario.bob.user_id})

        assert response.json()["data"]["users"][0]["descriptions"] == [
            {"activity_description": "Review", "total_minutes": 120},
            {"activity_description": None, "total_minutes": 45},
        ]

    async def test_counts_only_the_part_inside_the_range(self, scenario: Scenario) -> None:
        params = {"start_date": "2026-11-04", "end_date": "2026-11-04", "users": scenario.alice.user_id}

        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert response.json()["data"]["users"][0]["descriptions"] == [
            {"activity_description": "Release", "total_minutes": 90}
        ]

    async def test_is_marked_as_an_extension(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get("/openapi.json", with_workspace=False)

        assert response.json()["paths"]["/api/v2/reports/activity-descriptions"]["get"]["x-worktally-extension"] is True

    async def test_csv_has_one_line_per_member_description(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "format": "csv"})

        rows = csv_rows(response.text)
        assert {(r["user_id"], r["activity_description"], r["total_minutes"]) for r in rows} == {
            (str(scenario.alice.user_id), "Mockups", "120"),
            (str(scenario.alice.user_id), "Release", "120"),
            (str(scenario.bob.user_id), "Review", "120"),
            (str(scenario.ws.owner.user_id), "", "0"),  # D16: listed without time, still a line
        }

    async def test_a_regular_user_sees_only_themself(self, scenario: Scenario) -> None:
        response = await scenario.alice.api.get(PATH, params=RANGE)

        assert [u["user_id"] for u in response.json()["data"]["users"]] == [scenario.alice.user_id]

    @pytest.mark.parametrize(
        ("params", "field"),
        [({}, "start_date"), ({"start_date": "2026-09-01", "end_date": "2026-11-01"}, "end_date")],
    )
    async def test_bad_input_is_422(self, scenario: Scenario, params: dict, field: str) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert field in response.json()["errors"]
