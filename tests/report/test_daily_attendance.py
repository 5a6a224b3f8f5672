from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.factories.time import make_entry, make_holiday, make_leave, set_workspace
from tests.report.conftest import DAY, Scenario, csv_rows, utc

PATH = "/reports/daily-attendance"
ON_DAY = {"date": DAY.isoformat()}


def by_user(response: object) -> dict[int, dict]:
    return {u["user_id"]: u for u in response.json()["data"]["users"]}  # type: ignore[attr-defined]


@pytest.mark.usefixtures("frozen")
class TestDailyAttendance:
    async def test_statuses_follow_the_workspace_settings(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert (data["workday_start_time"], data["expected_daily_minutes"]) == ("09:00", 480)
        users = by_user(response)
        alice = users[scenario.alice.user_id]
        assert alice["statuses"] == ["Present", "Tracked less"]
        assert alice["first_start"] == "2026-11-03T09:00:00.000000+01:00"
        assert alice["tracked_minutes"] == 150
        assert alice["breaks"] == ["11:00 - 23:30"]
        assert alice["break_minutes"] == 750
        bob = users[scenario.bob.user_id]
        assert bob["statuses"] == ["Present", "Late", "Tracked less"]
        assert bob["late_minutes"] == 13 * 60
        assert users[scenario.ws.owner.user_id]["statuses"] == ["Absent"]

    async def test_late_respects_the_grace_minutes(self, scenario: Scenario) -> None:
        await set_workspace(scenario.ws, workday_start_time="08:50", late_grace_minutes=15)

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        assert "Late" not in by_user(response)[scenario.alice.user_id]["statuses"]

    async def test_leaving_before_the_expected_end_is_left_early(self, scenario: Scenario) -> None:
        carol = await scenario.ws.member(timezone="UTC", firstname="Carol")
        await make_entry(scenario.ws, carol, utc(3, 9), utc(3, 13))
        await make_entry(scenario.ws, carol, utc(3, 13, 30), utc(3, 16))

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        carol_row = by_user(response)[carol.user_id]
        assert carol_row["statuses"] == ["Present", "Left early", "Tracked less"]
        assert carol_row["left_early_minutes"] == 60
        assert carol_row["breaks"] == ["13:00 - 13:30"]

    async def test_a_full_day_is_only_present(self, scenario: Scenario) -> None:
        carol = await scenario.ws.member(timezone="UTC")
        await make_entry(scenario.ws, carol, utc(3, 9), utc(3, 17))

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        assert by_user(response)[carol.user_id]["statuses"] == ["Present"]

    async def test_approved_leave_is_on_leave_not_absent(self, scenario: Scenario) -> None:
        carol = await scenario.ws.member()
        await make_leave(scenario.ws, carol, DAY, policy_name="Sick leave")

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        row = by_user(response)[carol.user_id]
        assert row["statuses"] == ["On leave"]
        assert row["leave_policy"] == "Sick leave"
        assert row["expected_minutes"] == 0

    async def test_pending_leave_does_not_count(self, scenario: Scenario) -> None:
        carol = await scenario.ws.member()
        await make_leave(scenario.ws, carol, DAY, status="pending")

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        assert by_user(response)[carol.user_id]["statuses"] == ["Absent"]

    async def test_half_day_leave_halves_the_expected_minutes(self, scenario: Scenario) -> None:
        carol = await scenario.ws.member(timezone="UTC")
        await make_leave(scenario.ws, carol, DAY, leave_period=1)
        await make_entry(scenario.ws, carol, utc(3, 13), utc(3, 17))

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        row = by_user(response)[carol.user_id]
        assert row["statuses"] == ["Present", "On leave"]
        assert row["expected_minutes"] == 240

    async def test_a_holiday_is_not_a_working_day(self, scenario: Scenario) -> None:
        await make_holiday(scenario.ws, DAY, name="Founders Day")

        response = await scenario.ws.owner.api.get(PATH, params=ON_DAY)

        owner = by_user(response)[scenario.ws.owner.user_id]
        assert owner["statuses"] == ["Holiday"]
        assert owner["holiday"] == "Founders Day"
        assert owner["is_working_day"] is False

    async def test_a_weekend_day_is_not_absent(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"date": "2026-11-07"})

        assert by_user(response)[scenario.ws.owner.user_id]["statuses"] == []

    async def test_status_filter_keeps_matching_members(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**ON_DAY, "status": "late,absent"})

        assert set(by_user(response)) == {scenario.bob.user_id, scenario.ws.owner.user_id}
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_unknown_status_is_422(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**ON_DAY, "status": "asleep"})

        assert_error_code(response, 422, "validation_failed")
        assert "status" in response.json()["errors"]

    async def test_csv_has_one_line_per_member(self, scenario: Scenario) -> None:
        json_users = (await scenario.ws.owner.api.get(PATH, params=ON_DAY)).json()["data"]["users"]

        response = await scenario.ws.owner.api.get(PATH, params={**ON_DAY, "format": "csv"})

        rows = csv_rows(response.text)
        assert [(r["user_id"], r["statuses"], r["tracked_minutes"]) for r in rows] == [
            (str(u["user_id"]), ";".join(u["statuses"]), str(u["tracked_minutes"])) for u in json_users
        ]

    async def test_a_project_viewer_is_403(self, scenario: Scenario) -> None:
        viewer = await scenario.ws.member(role="Project viewer")

        response = await viewer.api.get(PATH, params=ON_DAY)

        assert_error_code(response, 403, "role_forbidden")
