from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.factories.time import make_slots
from tests.report.conftest import Scenario, csv_rows, utc

PATH = "/reports/activity-level"
RANGE = {"start_date": "2026-11-02", "end_date": "2026-11-08"}


async def alice_slots(scenario: Scenario) -> None:
    # Berlin 23:40 and 23:50 on the 3rd, then 00:00 on the 4th.
    await make_slots(scenario.ws, scenario.alice, utc(3, 22, 40), [40, 60, 90])
    await make_slots(scenario.ws, scenario.bob, utc(4, 3), [20])


class TestActivityLevel:
    async def test_averages_slots_per_member_per_local_day(self, scenario: Scenario) -> None:
        await alice_slots(scenario)

        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert response.status_code == 200, response.text
        users = {u["user_id"]: u for u in response.json()["data"]["users"]}
        alice = users[scenario.alice.user_id]
        assert alice["days"] == [
            {"date": "2026-11-03", "activity_level": 50, "slots": 2},
            {"date": "2026-11-04", "activity_level": 90, "slots": 1},
        ]
        assert (alice["activity_level"], alice["slots"]) == (63, 3)
        assert users[scenario.bob.user_id]["days"] == [{"date": "2026-11-03", "activity_level": 20, "slots": 1}]
        assert users[scenario.ws.owner.user_id]["activity_level"] is None

    async def test_overall_covers_every_member_in_the_filter(self, scenario: Scenario) -> None:
        await alice_slots(scenario)

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "per_page": 1})

        assert response.json()["data"]["overall"] == {"activity_level": 53, "slots": 4, "users_with_activity": 2}

    async def test_the_range_is_each_members_own_days(self, scenario: Scenario) -> None:
        # Berlin (UTC+1): 23:50 on the 1st is out, midnight on the 2nd in; 23:50 on the 8th in, midnight on the 9th out.
        await make_slots(scenario.ws, scenario.alice, utc(1, 22, 50), [10, 20])
        await make_slots(scenario.ws, scenario.alice, utc(8, 22, 50), [30, 40])
        # New York (UTC-5): the same local instants, five hours later in UTC.
        await make_slots(scenario.ws, scenario.bob, utc(2, 4, 50), [50, 60])
        await make_slots(scenario.ws, scenario.bob, utc(9, 4, 50), [70, 80])

        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        data = response.json()["data"]
        users = {u["user_id"]: u for u in data["users"]}
        assert users[scenario.alice.user_id]["days"] == [
            {"date": "2026-11-02", "activity_level": 20, "slots": 1},
            {"date": "2026-11-08", "activity_level": 30, "slots": 1},
        ]
        assert users[scenario.bob.user_id]["days"] == [
            {"date": "2026-11-02", "activity_level": 60, "slots": 1},
            {"date": "2026-11-08", "activity_level": 70, "slots": 1},
        ]
        assert data["overall"] == {"activity_level": 45, "slots": 4, "users_with_activity": 2}

    async def test_user_ids_filter(self, scenario: Scenario) -> None:
        await alice_slots(scenario)

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "user_ids": scenario.bob.user_id})

        data = response.json()["data"]
        assert [u["user_id"] for u in data["users"]] == [scenario.bob.user_id]
        assert data["overall"]["slots"] == 1

    async def test_contract_filter_keeps_activity_during_that_contracts_time(self, scenario: Scenario) -> None:
        await alice_slots(scenario)
        await make_slots(scenario.ws, scenario.alice, utc(3, 8), [70])
        await make_slots(scenario.ws, scenario.alice, utc(3, 12), [5])  # between entries

        response = await scenario.ws.owner.api.get(
            PATH, params={**RANGE, "contract_id": scenario.alice_contract, "user_ids": scenario.alice.user_id}
        )

        alice = response.json()["data"]["users"][0]
        assert alice["slots"] == 4  # 08:00, 22:40, 22:50 and 23:00 lie inside entries on the contract
        assert alice["activity_level"] == 65

    async def test_a_regular_user_sees_only_themself(self, scenario: Scenario) -> None:
        await alice_slots(scenario)

        response = await scenario.bob.api.get(PATH, params=RANGE)

        data = response.json()["data"]
        assert [u["user_id"] for u in data["users"]] == [scenario.bob.user_id]
        assert data["overall"]["slots"] == 1

    async def test_csv_has_one_line_per_member_day(self, scenario: Scenario) -> None:
        await alice_slots(scenario)

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "format": "csv"})

        rows = csv_rows(response.text)
        assert sorted((r["user_id"], r["date"], r["activity_level"], r["slots"]) for r in rows) == sorted(
            [
                (str(scenario.alice.user_id), "2026-11-03", "50", "2"),
                (str(scenario.alice.user_id), "2026-11-04", "90", "1"),
                (str(scenario.bob.user_id), "2026-11-03", "20", "1"),
                (str(scenario.ws.owner.user_id), "", "", "0"),  # D16: listed without activity, still a line
            ]
        )

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start_date": "2026-10-01", "end_date": "2026-11-08"}, "end_date"),
            ({"start_date": "2026-11-08", "end_date": "2026-11-01"}, "end_date"),
            ({"end_date": "2026-11-08"}, "start_date"),
            ({**RANGE, "contract_id": 0}, "contract_id"),
            ({**RANGE, "user_ids": "x"}, "user_ids"),
        ],
    )
    async def test_bad_input_is_422(self, scenario: Scenario, params: dict, field: str) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert field in response.json()["errors"]
