from __future__ import annotations

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.leave.support import approve, make_policy, request_leave

RANGE_2026 = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


class TestListLeaveBalances:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/leaves/balances", params={"workspace_id": ws.id, **RANGE_2026})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await api.get("/leaves/balances", params=RANGE_2026)

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/leaves/balances", params={"workspace_id": ws.id, **RANGE_2026})

        assert_error_code(response, 403, "not_a_member")

    async def test_a_member_asking_for_someone_else_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get("/leaves/balances", params={"user_id": ws.owner.user_id, **RANGE_2026})

        assert_error_code(response, 403, "leave_forbidden")

    async def test_the_range_is_required(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/leaves/balances")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"date_from", "date_to"}

    async def test_date_to_before_date_from_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(
            "/leaves/balances", params={"date_from": "2026-02-01", "date_to": "2026-01-01"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "date_to" in response.json()["errors"]

    async def test_the_balance_after_approval_is_exact(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(firstname="Mia", lastname="Member")
        policy = await make_policy(ws, name="Vacation", allowance=10)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-12")
        await request_leave(member, policy["id"], "2026-03-02", "2026-03-02", leave_period=1)
        half = (await member.api.get("/leaves", params={"date_from": "2026-03-02"})).json()["data"][0]
        await approve(ws, leave["id"])
        await approve(ws, half["id"])

        response = await member.api.get("/leaves/balances", params=RANGE_2026)

        assert response.status_code == 200
        [balance] = response.json()["data"]
        assert balance["user_id"] == member.user_id
        assert balance["user_name"] == "Mia Member"
        assert balance["leave_information"] == [
            {
                "leave_type": "Vacation",
                "balance": "6.5 days",
                "policy_id": policy["id"],
                "unit": "days",
                "allowance": 10,
                "used": 3.5,
                "balance_value": 6.5,
            }
        ]
        assert balance["total_balance"] == "6.5 days"

    async def test_the_catalogues_half_days_use_a_day_and_a_half_once_approved(self, tenants: Tenants) -> None:
        # D10: leave_period 1 from Tue 2026-02-10 to Thu 2026-02-12: 1.5 days of balance.
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws, allowance=10)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-12", leave_period=1)
        before = (await member.api.get("/leaves/balances", params=RANGE_2026)).json()["data"][0]

        await approve(ws, leave["id"])

        after = (await member.api.get("/leaves/balances", params=RANGE_2026)).json()["data"][0]
        assert before["leave_information"][0]["balance"] == "10 days"  # D10: pending is not deducted
        info = after["leave_information"][0]
        assert (info["used"], info["balance_value"], info["balance"]) == (1.5, 8.5, "8.5 days")

    async def test_hour_based_half_days_use_half_the_policy_hours_each(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, name="Appointments", unit="hours", hours_per_day=8, allowance=40)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12", leave_period=2)
        await approve(ws, leave["id"])

        response = await ws.owner.api.get("/leaves/balances", params=RANGE_2026)

        info = response.json()["data"][0]["leave_information"][0]
        assert (info["used"], info["balance"]) == (12, "28 hours")

    async def test_pending_leave_is_not_deducted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=10)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12")

        response = await ws.owner.api.get("/leaves/balances", params=RANGE_2026)

        assert response.json()["data"][0]["leave_information"][0]["balance"] == "10 days"

    async def test_only_use_inside_the_range_is_deducted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=10)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-09", "2026-02-13")
        await approve(ws, leave["id"])

        response = await ws.owner.api.get(
            "/leaves/balances", params={"date_from": "2026-02-11", "date_to": "2026-12-31"}
        )

        assert response.json()["data"][0]["leave_information"][0]["used"] == 3

    async def test_hour_based_balances_are_in_hours(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, name="Appointments", unit="hours", allowance=8)
        leave = await request_leave(
            ws.owner, policy["id"], "2026-02-10", "2026-02-10", start_time="09:00", end_time="10:30"
        )
        await approve(ws, leave["id"])

        response = await ws.owner.api.get("/leaves/balances", params=RANGE_2026)

        info = response.json()["data"][0]["leave_information"][0]
        assert info["balance"] == "6.5 hours"
        assert info["unit"] == "hours"

    async def test_the_allowance_counts_once_per_calendar_year_in_the_range(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_policy(ws, allowance=10)

        response = await ws.owner.api.get(
            "/leaves/balances", params={"date_from": "2025-06-01", "date_to": "2026-05-31"}
        )

        assert response.json()["data"][0]["leave_information"][0]["balance"] == "20 days"

    async def test_mixed_units_have_no_total(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_policy(ws, allowance=10)
        await make_policy(ws, name="Appointments", unit="hours", allowance=8)

        response = await ws.owner.api.get("/leaves/balances", params=RANGE_2026)

        assert response.json()["data"][0]["total_balance"] is None

    async def test_the_owner_sees_every_member_and_only_applicable_policies(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await ws.member(role="Project viewer")
        await make_policy(ws, name="Vacation", allowance=10)
        await make_policy(ws, name="Sick", allowance=5, member_ids=[member.user_id])

        response = await ws.owner.api.get("/leaves/balances", params=RANGE_2026)

        data = response.json()["data"]
        assert [b["user_id"] for b in data] == [ws.owner.user_id, member.user_id]
        assert [i["leave_type"] for i in data[0]["leave_information"]] == ["Vacation"]
        assert [i["leave_type"] for i in data[1]["leave_information"]] == ["Vacation", "Sick"]
        assert data[1]["total_balance"] == "15 days"
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_a_member_sees_only_their_own_balance(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await make_policy(ws)

        response = await member.api.get("/leaves/balances", params=RANGE_2026)

        assert [b["user_id"] for b in response.json()["data"]] == [member.user_id]
