from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.report.conftest import Scenario, csv_rows

PATH = "/reports/task-report"
RANGE = {"start_date": "2026-11-02", "end_date": "2026-11-08"}


class TestTaskReport:
    async def test_time_per_member_per_task_with_daily_breakdown(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert response.status_code == 200, response.text
        users = {u["user_id"]: u for u in response.json()["data"]["users"]}
        alice = users[scenario.alice.user_id]
        assert alice["total_minutes"] == 240
        assert alice["tasks"] == [
            {
                "task_id": scenario.design_task,
                "task_title": "Design",
                "project_id": scenario.apollo,
                "project_name": "Apollo",
                "total_minutes": 120,
                "daily_breakdown": [{"date": "2026-11-03", "total_minutes": 120}],
            },
            {
                "task_id": None,
                "task_title": None,
                "project_id": scenario.apollo,
                "project_name": "Apollo",
                "total_minutes": 120,
                "daily_breakdown": [
                    {"date": "2026-11-03", "total_minutes": 30},
                    {"date": "2026-11-04", "total_minutes": 90},
                ],
            },
        ]
        assert users[scenario.ws.owner.user_id] == {
            "user_id": scenario.ws.owner.user_id,
            "user_name": "Olivia Owner",
            "total_minutes": 0,
            "tasks": [],
        }

    async def test_tasks_breakdown_sums_every_member(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "per_page": 1})

        breakdown = response.json()["data"]["tasks_breakdown"]
        assert [(t["project_name"], t["task_title"], t["total_minutes"]) for t in breakdown] == [
            ("Apollo", "Design", 120),
            ("Apollo", None, 120),
            ("Borealis", None, 120),
        ]

    async def test_include_no_task_false_drops_time_without_a_task(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "include_no_task": "false"})

        data = response.json()["data"]
        assert [t["task_title"] for t in data["tasks_breakdown"]] == ["Design"]
        users = {u["user_id"]: u for u in data["users"]}
        assert users[scenario.bob.user_id]["tasks"] == []

    async def test_task_and_project_filters(self, scenario: Scenario) -> None:
        params = {**RANGE, "task_id": scenario.design_task, "include_no_task": "false", "project_id": scenario.apollo}

        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert [t["total_minutes"] for t in response.json()["data"]["tasks_breakdown"]] == [120]

    async def test_users_filter_pages_only_those_members(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "users": scenario.bob.user_id})

        data = response.json()["data"]
        assert [u["user_id"] for u in data["users"]] == [scenario.bob.user_id]
        assert [t["project_name"] for t in data["tasks_breakdown"]] == ["Borealis"]

    async def test_a_regular_users_breakdown_holds_only_their_time(self, scenario: Scenario) -> None:
        response = await scenario.bob.api.get(PATH, params=RANGE)

        assert [t["project_name"] for t in response.json()["data"]["tasks_breakdown"]] == ["Borealis"]

    async def test_csv_has_one_line_per_member_task_day(self, scenario: Scenario) -> None:
        json_users = (await scenario.ws.owner.api.get(PATH, params=RANGE)).json()["data"]["users"]

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "format": "csv"})

        rows = csv_rows(response.text)
        assert [(r["user_id"], r["task_id"], r["date"], r["total_minutes"]) for r in rows] == [
            (str(u["user_id"]), str(t["task_id"] or ""), d["date"], str(d["total_minutes"]))
            for u in json_users
            # D16: a member without tasks still has a line
            for t in u["tasks"] or [{"task_id": None, "daily_breakdown": [{"date": "", "total_minutes": 0}]}]
            for d in t["daily_breakdown"]
        ]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start_date": "2026-10-01", "end_date": "2026-11-08"}, "end_date"),
            ({"start_date": "2026-11-02"}, "end_date"),
            ({**RANGE, "include_no_task": "maybe"}, "include_no_task"),
            ({**RANGE, "task_id": "1,2,x"}, "task_id"),
            ({**RANGE, "project_id": "0"}, "project_id"),
        ],
    )
    async def test_bad_input_is_422(self, scenario: Scenario, params: dict, field: str) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert field in response.json()["errors"]
