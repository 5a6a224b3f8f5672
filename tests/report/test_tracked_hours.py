from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_team
from tests.factories.time import set_member
from tests.report.conftest import WEEK_END, WEEK_START, Scenario, csv_rows

PATH = "/reports/tracked-hours"
RANGE = {"start_date": WEEK_START.isoformat(), "end_date": WEEK_END.isoformat()}


def user_days(data: dict, user_id: int) -> dict[str, int]:
    return {
        day: user["total_minutes"]
        for day, content in data["days"].items()
        for user in content["users"]
        if user["user_id"] == user_id
    }


class TestTrackedHours:
    async def test_groups_minutes_by_member_day_and_project(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert data["report_type"] == "tracked_hours"
        assert data["start_date"] == "2026-11-02" and data["end_date"] == "2026-11-08"
        assert data["total"] == {"total_minutes": 360, "total_amount": {"EUR": 60, "USD": 80}}
        day = data["days"]["2026-11-03"]
        assert day["total_minutes"] == 270
        assert [u["user_name"] for u in day["users"]] == ["Alice Archer", "Bob Baker"]
        assert day["users"][0]["total_amount"] == {"USD": 50}
        assert day["users"][1]["projects"] == [
            {
                "project_id": scenario.borealis,
                "project_name": "Borealis",
                "contract_id": scenario.bob_contract,
                "total_minutes": 120,
                "total_amount": {"EUR": 60},
            }
        ]

    async def test_lists_every_day_of_the_range(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        days = response.json()["data"]["days"]
        assert list(days) == [f"2026-11-0{d}" for d in range(2, 9)]
        assert days["2026-11-02"] == {"total_minutes": 0, "users": []}

    async def test_splits_an_entry_at_the_members_midnight(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert user_days(response.json()["data"], scenario.alice.user_id) == {"2026-11-03": 150, "2026-11-04": 90}

    async def test_reads_days_in_each_members_timezone(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        # 03:00-05:00 UTC on the 4th is 22:00-00:00 on the 3rd in New York.
        assert user_days(response.json()["data"], scenario.bob.user_id) == {"2026-11-03": 120}

    async def test_a_range_cuts_entries_at_its_edges(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"start_date": "2026-11-04", "end_date": "2026-11-04"})

        data = response.json()["data"]
        assert data["total"]["total_minutes"] == 90
        assert data["total"]["total_amount"] == {"USD": 30}

    async def test_user_id_keeps_one_member(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "user_id": scenario.bob.user_id})

        assert response.json()["data"]["total"]["total_minutes"] == 120

    @pytest.mark.parametrize("style", ["comma", "repeated"])
    async def test_users_filter_takes_a_comma_list_or_repeats(self, scenario: Scenario, style: str) -> None:
        ids = [scenario.alice.user_id, scenario.bob.user_id]
        users: object = ",".join(map(str, ids)) if style == "comma" else ids

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "users": users})

        assert response.json()["data"]["total"]["total_minutes"] == 360

    async def test_projects_filter(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "projects": str(scenario.apollo)})

        assert response.json()["data"]["total"]["total_minutes"] == 240

    async def test_teams_filter(self, scenario: Scenario) -> None:
        team = await make_team(scenario.ws, members=[scenario.bob])

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "teams": team})

        assert response.json()["data"]["total"]["total_minutes"] == 120

    async def test_titles_filter(self, scenario: Scenario) -> None:
        await set_member(scenario.ws, scenario.alice, title="Designer")

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "titles": "Designer,Tester"})

        assert response.json()["data"]["total"]["total_minutes"] == 240

    async def test_currencies_filter_keeps_time_earned_in_those_currencies(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "currencies": "eur"})

        data = response.json()["data"]
        assert data["total"] == {"total_minutes": 120, "total_amount": {"EUR": 60}}

    async def test_member_rate_type_uses_the_members_rate(self, tenants: Tenants) -> None:
        from decimal import Decimal

        from sqlalchemy import update

        from tests.factories.structure import make_project
        from tests.factories.time import make_entry
        from tests.report.conftest import utc
        from worktally.db.models import Contract

        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws, name="P")
        contract = await make_contract(ws, member, project)
        await set_member(ws, member, rate=Decimal("12.50"), currency="GBP")
        async with ws.tenants.sessionmaker() as session, session.begin():
            await session.execute(update(Contract).where(Contract.id == contract).values(rate_type=2))
        await make_entry(ws, member, utc(3, 9), utc(3, 10, 30), project_id=project, contract_id=contract)

        response = await ws.owner.api.get(PATH, params=RANGE)

        assert response.json()["data"]["total"]["total_amount"] == {"GBP": 18.75}

    async def test_non_billable_projects_earn_nothing(self, tenants: Tenants) -> None:
        from decimal import Decimal

        from tests.factories.structure import make_project
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws, name="Internal", is_billable=False)
        contract = await make_contract(ws, member, project, rate=Decimal("50"))
        await make_entry(ws, member, utc(3, 9), utc(3, 10), project_id=project, contract_id=contract)

        response = await ws.owner.api.get(PATH, params=RANGE)

        assert response.json()["data"]["total"] == {"total_minutes": 60, "total_amount": {}}

    async def test_defaults_to_the_current_week(self, scenario: Scenario, frozen: datetime) -> None:
        response = await scenario.ws.owner.api.get(PATH)

        data = response.json()["data"]
        assert (data["start_date"], data["end_date"]) == ("2026-11-09", "2026-11-15")
        assert data["total"]["total_minutes"] == 0

    async def test_csv_has_the_same_rows_as_json(self, scenario: Scenario) -> None:
        json_data = (await scenario.ws.owner.api.get(PATH, params=RANGE)).json()["data"]

        response = await scenario.ws.owner.api.get(PATH, params={**RANGE, "format": "csv"})

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = csv_rows(response.text)
        expected = [
            (
                day,
                str(u["user_id"]),
                str(p["project_id"]),
                str(p["contract_id"]),
                str(p["total_minutes"]),
                cur,
                json.dumps(amt),
            )
            for day, content in json_data["days"].items()
            for u in content["users"]
            for p in u["projects"]
            for cur, amt in p["total_amount"].items()
        ]
        got = [
            (
                r["date"],
                r["user_id"],
                r["project_id"],
                r["contract_id"],
                r["total_minutes"],
                r["currency"],
                r["total_amount"],
            )
            for r in rows
        ]
        assert got == expected
        assert list(rows[0]) == [
            "date",
            "user_id",
            "user_name",
            "project_id",
            "project_name",
            "contract_id",
            "total_minutes",
            "currency",
            "total_amount",
        ]


class TestTrackedHoursRoles:
    async def test_a_regular_user_sees_only_their_own_time_without_amounts(self, scenario: Scenario) -> None:
        response = await scenario.alice.api.get(PATH, params=RANGE)

        assert response.status_code == 200
        data = response.json()["data"]
        assert data["total"] == {"total_minutes": 240, "total_amount": None}
        user = data["days"]["2026-11-03"]["users"][0]
        assert user["user_id"] == scenario.alice.user_id
        assert user["total_amount"] is None
        assert user["projects"][0]["total_amount"] is None

    async def test_a_member_with_visible_rates_sees_their_own_amounts(self, scenario: Scenario) -> None:
        await set_member(scenario.ws, scenario.alice, rate_status=1)

        response = await scenario.alice.api.get(PATH, params=RANGE)

        assert response.json()["data"]["total"] == {"total_minutes": 240, "total_amount": {"USD": 80}}

    async def test_a_regular_users_filter_cannot_reach_others(self, scenario: Scenario) -> None:
        response = await scenario.alice.api.get(PATH, params={**RANGE, "users": scenario.bob.user_id})

        assert response.json()["data"]["total"]["total_minutes"] == 0

    async def test_a_team_manager_sees_their_teams_members(self, scenario: Scenario) -> None:
        manager = await scenario.ws.member(role="Team manager")
        await make_team(scenario.ws, members=[scenario.bob], managers=[manager])

        response = await manager.api.get(PATH, params=RANGE)

        data = response.json()["data"]
        assert data["total"] == {"total_minutes": 120, "total_amount": None}
        assert data["days"]["2026-11-03"]["users"][0]["user_id"] == scenario.bob.user_id

    async def test_a_project_manager_sees_time_on_projects_they_manage(self, scenario: Scenario) -> None:
        manager = await scenario.ws.member(role="Project manager")
        await make_contract(scenario.ws, manager, scenario.borealis)

        response = await manager.api.get(PATH, params=RANGE)

        assert response.json()["data"]["total"]["total_minutes"] == 120

    async def test_an_executive_manager_sees_everything_with_amounts(self, scenario: Scenario) -> None:
        manager = await scenario.ws.member(role="Executive manager")

        response = await manager.api.get(PATH, params=RANGE)

        assert response.json()["data"]["total"] == {
            "total_minutes": 360,
            "total_amount": {"EUR": 60, "USD": 80},
        }

    async def test_a_project_viewer_is_403(self, scenario: Scenario) -> None:
        viewer = await scenario.ws.member(role="Project viewer")

        response = await viewer.api.get(PATH, params=RANGE)

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_may_read(self, scenario: Scenario) -> None:
        api = await scenario.ws.token_for(scenario.ws.owner, frozenset({"read"}))

        response = await api.get(PATH, params=RANGE)

        assert response.status_code == 200
        full = await scenario.ws.owner.api.get(PATH, params=RANGE)
        assert response.json()["data"] == full.json()["data"]

    async def test_a_token_without_read_scope_is_403(self, scenario: Scenario) -> None:
        api = await scenario.ws.token_for(scenario.ws.owner, frozenset({"write"}))

        response = await api.get(PATH, params=RANGE)

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, scenario: Scenario) -> None:
        response = await scenario.ws.tenants.http.get(f"/api/v2{PATH}", params={"workspace_id": scenario.ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_another_workspace_is_403(self, scenario: Scenario, tenants: Tenants) -> None:
        other = await tenants.workspace()

        response = await other.owner.api.get(PATH, params={**RANGE, "workspace_id": scenario.ws.id})

        assert_error_code(response, 403, "not_a_member")
        assert response.json()["success"] is False


class TestTrackedHoursInput:
    async def test_end_before_start_is_422(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"start_date": "2026-11-05", "end_date": "2026-11-04"})

        assert_error_code(response, 422, "validation_failed")
        assert "end_date" in response.json()["errors"]

    async def test_one_user_over_31_days_is_422(self, scenario: Scenario) -> None:
        params = {"start_date": "2026-10-01", "end_date": "2026-11-08", "user_id": scenario.bob.user_id}

        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert "end_date" in response.json()["errors"]

    async def test_all_users_may_span_more_than_31_days(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"start_date": "2026-09-01", "end_date": "2026-11-30"})

        assert response.status_code == 200
        assert response.json()["data"]["total"]["total_minutes"] == 360

    async def test_more_than_a_year_is_422(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"start_date": "2024-01-01", "end_date": "2026-01-01"})

        assert_error_code(response, 422, "validation_failed")

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"users": "1,abc"}, "users"),
            ({"projects": "-3"}, "projects"),
            ({"teams": "99999999999999999999"}, "teams"),
            ({"currencies": "dollars"}, "currencies"),
            ({"start_date": "2026-13-01"}, "start_date"),
            ({"start_date": "0001-01-01"}, "start_date"),
            ({"user_id": "99999999999999999999"}, "user_id"),
            ({"format": "xml"}, "format"),
        ],
    )
    async def test_bad_input_is_422_per_field(self, scenario: Scenario, params: dict, field: str) -> None:
        response = await scenario.ws.owner.api.get(PATH, params=params)

        assert_error_code(response, 422, "validation_failed")
        assert field in response.json()["errors"]

    async def test_a_non_integer_workspace_id_is_400(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get(PATH, params={"workspace_id": "abc"})

        assert_error_code(response, 400, "invalid_workspace_id")


class TestTrackedHoursEdges:
    async def test_an_unknown_stored_timezone_reads_as_utc(self, scenario: Scenario) -> None:
        await set_member(scenario.ws, scenario.bob, timezone="Not/AZone")

        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        assert response.status_code == 200
        assert user_days(response.json()["data"], scenario.bob.user_id) == {"2026-11-04": 120}

    async def test_a_member_without_a_timezone_uses_the_workspaces(self, tenants: Tenants) -> None:
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace(timezone="Asia/Tokyo")
        member = await ws.member()
        await make_entry(ws, member, utc(3, 14), utc(3, 16))  # 23:00-01:00 in Tokyo

        response = await ws.owner.api.get(PATH, params=RANGE)

        assert user_days(response.json()["data"], member.user_id) == {"2026-11-03": 60, "2026-11-04": 60}

    async def test_the_openapi_document_describes_json_and_csv(self, scenario: Scenario) -> None:
        response = await scenario.ws.owner.api.get("/openapi.json", with_workspace=False)

        content = response.json()["paths"]["/api/v2/reports/tracked-hours"]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}
        assert content["application/json"]["schema"]["$ref"].endswith("Envelope_TrackedHoursReport_")


class TestTrackedHoursDocument:
    """The report is written as JSON text (``report/tracked.py``), not through its models: hold the two together."""

    async def test_is_exactly_the_response_models_document(self, scenario: Scenario) -> None:
        import json

        from worktally.report.schemas import TrackedHoursReport

        response = await scenario.ws.owner.api.get(PATH, params=RANGE)

        data = response.json()["data"]
        typed = TrackedHoursReport.model_validate(data).model_dump(mode="json")
        assert json.dumps(typed) == json.dumps(data)  # same keys, in the same order

    async def test_names_keep_quotes_backslashes_and_any_script(self, tenants: Tenants) -> None:
        from tests.factories.structure import make_project
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace()
        member = await ws.member(firstname='Zoë "Z"', lastname="Back\\slash 🚀")
        project = await make_project(ws, name='=Quote "it"\n東京')
        await make_entry(ws, member, utc(3, 9), utc(3, 10), project_id=project)

        response = await ws.owner.api.get(PATH, params=RANGE)
        csv_response = await ws.owner.api.get(PATH, params={**RANGE, "format": "csv"})

        user = response.json()["data"]["days"]["2026-11-03"]["users"][0]
        assert user["user_name"] == 'Zoë "Z" Back\\slash 🚀'
        assert user["projects"][0]["project_name"] == '=Quote "it"\n東京'
        row = csv_rows(csv_response.text)[0]
        assert (row["user_name"], row["project_name"]) == ('Zoë "Z" Back\\slash 🚀', '\'=Quote "it"\n東京')

    async def test_an_entry_across_two_midnights_counts_on_each_of_its_three_days(self, tenants: Tenants) -> None:
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace()
        member = await ws.member(timezone="UTC")
        await make_entry(ws, member, utc(3, 20), utc(5, 2))

        response = await ws.owner.api.get(PATH, params=RANGE)

        assert user_days(response.json()["data"], member.user_id) == {
            "2026-11-03": 240,
            "2026-11-04": 1440,
            "2026-11-05": 120,
        }

    async def test_time_outside_the_range_is_left_out(self, tenants: Tenants) -> None:
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace()
        member = await ws.member(timezone="Europe/Berlin")
        await make_entry(ws, member, utc(1, 10), utc(1, 11))  # the day before the range
        await make_entry(ws, member, utc(1, 22), utc(1, 23, 30))  # 23:00-00:30 local: 30 minutes on the 2nd
        await make_entry(ws, member, utc(8, 22, 30), utc(8, 23, 30))  # 23:30 on the 8th to 00:30 on the 9th

        response = await ws.owner.api.get(PATH, params=RANGE)

        assert user_days(response.json()["data"], member.user_id) == {"2026-11-02": 30, "2026-11-08": 30}

    async def test_members_and_their_projects_are_listed_by_name_then_id(self, tenants: Tenants) -> None:
        from tests.factories.structure import make_project
        from tests.factories.time import make_entry
        from tests.report.conftest import utc

        ws = await tenants.workspace()
        zed = await ws.member(firstname="Zed", lastname="Last")
        twin_a = await ws.member(firstname="Abe", lastname="Twin")
        twin_b = await ws.member(firstname="Abe", lastname="Twin")
        beta = await make_project(ws, name="beta")
        alpha = await make_project(ws, name="Alpha")
        beta_again = await make_project(ws, name="beta")
        contract = await make_contract(ws, zed, beta)
        for member in (twin_b, zed, twin_a):
            await make_entry(ws, member, utc(3, 9), utc(3, 10), project_id=alpha)
        await make_entry(ws, zed, utc(3, 10), utc(3, 11), project_id=beta_again)
        await make_entry(ws, zed, utc(3, 11), utc(3, 12), project_id=beta, contract_id=contract)
        await make_entry(ws, zed, utc(3, 12), utc(3, 13), project_id=beta)
        await make_entry(ws, zed, utc(3, 13), utc(3, 14))

        response = await ws.owner.api.get(PATH, params=RANGE)

        users = response.json()["data"]["days"]["2026-11-03"]["users"]
        assert [u["user_id"] for u in users] == [*sorted([twin_a.user_id, twin_b.user_id]), zed.user_id]
        assert [(p["project_id"], p["contract_id"]) for p in users[2]["projects"]] == [
            (None, None),
            (alpha, None),
            (beta, None),
            (beta, contract),
            (beta_again, None),
        ]
