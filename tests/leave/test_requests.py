from __future__ import annotations

from datetime import UTC, date, datetime

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.leave.support import add_holiday, event_types, make_policy, request_leave, set_workspace

READ_ONLY = frozenset({"read"})
WRITE_ONLY = frozenset({"write"})


class TestRequestLeave:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await tenants.http.post(
            "/api/v2/leaves",
            json={"workspace_id": ws.id, "policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"},
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        api = await ws.token_for(member, READ_ONLY)

        response = await api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        policy = await make_policy(ws)

        response = await viewer.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_member_cannot_request_for_someone_else(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        colleague = await ws.member()
        policy = await make_policy(ws)

        response = await member.api.post(
            "/leaves",
            json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10", "user_id": colleague.user_id},
        )

        assert_error_code(response, 403, "leave_forbidden")

    async def test_another_workspaces_policy_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        policy = await make_policy(other)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "policy_id" in response.json()["errors"]

    async def test_another_workspaces_member_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        stranger = await (await tenants.workspace()).member()
        policy = await make_policy(ws)

        response = await ws.owner.api.post(
            "/leaves",
            json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10", "user_id": stranger.user_id},
        )

        assert_error_code(response, 422, "validation_failed")
        assert "user_id" in response.json()["errors"]

    async def test_bad_input_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves",
            json={"policy_id": "x", "start": "2026-02-30", "end": 5, "leave_period": 3, "start_time": "25:00"},
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) >= {"policy_id", "start", "end", "leave_period", "start_time"}

    async def test_the_end_must_not_precede_the_start(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-12", "end": "2026-02-10"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "end" in response.json()["errors"]

    async def test_a_request_may_span_at_most_a_year(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allow_negative_balance=True)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-01-01", "end": "2027-06-01"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "end" in response.json()["errors"]

    async def test_dates_at_the_edges_of_the_calendar_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allow_negative_balance=True)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "9999-12-31", "end": "9999-12-31"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "start" in response.json()["errors"]

    async def test_creates_a_pending_request(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(firstname="Mia", lastname="Member")
        policy = await make_policy(ws, name="Vacation", is_paid=True)

        response = await member.api.post(
            "/leaves",
            json={
                "workspace_id": ws.id,
                "policy_id": policy["id"],
                "start": "2026-02-10",
                "end": "2026-02-12",
                "user_id": member.user_id,
                "reason": "I will be out of office",
                "leave_period": 0,
            },
            with_workspace=False,
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Leave request created successfully"
        data = response.json()["data"]
        assert data["status"] == "pending"
        assert data["user_id"] == member.user_id
        assert data["user_name"] == "Mia Member"
        assert data["note"] == "I will be out of office"
        assert data["is_paid"] == "yes"
        assert data["created_by"] == member.user_id
        assert data["approved_by"] is None and data["rejected_by"] is None
        assert data["start_date"] == "2026-02-10" and data["end_date"] == "2026-02-12"
        assert data["total"] == {"days": 3, "hours": 24}
        assert data["policy_id"] == policy["id"] and data["policy_name"] == "Vacation"
        assert isinstance(data["id"], str)
        assert await event_types(ws) == ["leave.requested"]

    async def test_the_owner_may_request_for_a_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)

        data = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10", user_id=member.user_id)

        assert data["user_id"] == member.user_id
        assert data["created_by"] == ws.owner.user_id

    async def test_a_half_day_counts_half_a_day(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, hours_per_day=8)

        data = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10", leave_period=1)

        assert data["total"] == {"days": 0.5, "hours": 4}
        assert data["leave_period"] == 1

    async def test_the_catalogues_own_request_is_three_half_days(self, tenants: Tenants) -> None:
        # D10: the seed's example, leave_period 1 from Tue 2026-02-10 to Thu 2026-02-12.
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws, hours_per_day=8)

        response = await ws.owner.api.post(
            "/leaves",
            json={
                "workspace_id": ws.id,
                "policy_id": policy["id"],
                "start": "2026-02-10",
                "end": "2026-02-12",
                "user_id": member.user_id,
                "reason": "I will be out of office for the next 2 days",
                "leave_period": 1,
            },
        )

        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["total"] == {"days": 1.5, "hours": 12}
        assert data["leave_period"] == 1
        assert (data["start_date"], data["end_date"]) == ("2026-02-10", "2026-02-12")

    async def test_a_half_day_range_skips_the_weekend(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, hours_per_day=8)

        data = await request_leave(ws.owner, policy["id"], "2026-02-13", "2026-02-16", leave_period=2)

        assert data["total"] == {"days": 1, "hours": 8}

    async def test_first_halves_and_second_halves_of_a_range_do_not_overlap(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12", leave_period=1)

        second = await request_leave(ws.owner, policy["id"], "2026-02-11", "2026-02-11", leave_period=2)
        full = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-12", "end": "2026-02-13"}
        )

        assert second["total"]["days"] == 0.5
        assert full.status_code == 409
        assert full.json()["error"] == "leave_overlap"

    async def test_an_hour_based_half_day_range_is_half_the_policy_hours_a_day(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", hours_per_day=8, allowance=40)

        data = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12", leave_period=1)

        assert data["total"] == {"days": 1.5, "hours": 12}
        assert data["leave_period"] == 1
        assert data["start_time"] is None

    async def test_an_hour_based_half_day_with_times_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=40)

        response = await ws.owner.api.post(
            "/leaves",
            json={
                "policy_id": policy["id"],
                "start": "2026-02-10",
                "end": "2026-02-10",
                "leave_period": 1,
                "start_time": "09:00",
                "end_time": "11:00",
            },
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert "leave_period" in response.json()["errors"]

    async def test_pending_half_days_count_against_the_balance(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=2)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12", leave_period=1)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-16", "end": "2026-02-16"}
        )
        half = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-16", "end": "2026-02-16", "leave_period": 2}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert response.json()["errors"]["policy_id"] == [
            "The request exceeds the Vacation balance for 2026: 0.5 days left, 1 day requested."
        ]
        assert half.status_code == 201

    async def test_a_request_across_a_weekend_counts_working_days_only(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        data = await request_leave(ws.owner, policy["id"], "2026-02-13", "2026-02-16")

        assert data["total"]["days"] == 2

    async def test_the_workspace_weekend_setting_decides_the_weekend(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await set_workspace(ws, weekend_days="4,5")  # Friday and Saturday
        policy = await make_policy(ws)

        data = await request_leave(ws.owner, policy["id"], "2026-02-13", "2026-02-16")

        assert data["total"]["days"] == 2  # Sunday 15 and Monday 16

    async def test_a_workspace_without_weekend_days_counts_every_day(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        settings = await ws.owner.api.put("/workspaces/settings", json={"weekend_days": []})
        assert settings.json()["data"]["weekend_days"] == []
        policy = await make_policy(ws)

        data = await request_leave(ws.owner, policy["id"], "2026-02-13", "2026-02-16")

        assert data["total"]["days"] == 4  # the settings, the leave and the attendance report agree: no weekend

    async def test_holidays_are_not_counted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await add_holiday(ws, date(2026, 2, 11))
        policy = await make_policy(ws)

        data = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12")

        assert data["total"]["days"] == 2

    async def test_a_request_covering_no_working_day_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-14", "end": "2026-02-15"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "start" in response.json()["errors"]

    async def test_an_hour_based_request_counts_its_hours(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=40, hours_per_day=8)

        data = await request_leave(
            ws.owner, policy["id"], "2026-02-10", "2026-02-11", start_time="09:00", end_time="13:30"
        )

        assert data["total"] == {"days": 1.12, "hours": 9}
        assert data["unit"] == "hours"
        assert data["start_time"] == "09:00" and data["end_time"] == "13:30"

    async def test_an_hour_based_request_may_give_hours_per_day(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=40)

        data = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10", hours_per_day=2.5)

        assert data["total"]["hours"] == 2.5

    async def test_an_hour_based_request_needs_times_or_hours(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=40)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "start_time" in response.json()["errors"]

    async def test_the_policy_must_apply_to_the_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        colleague = await ws.member()
        policy = await make_policy(ws, member_ids=[colleague.user_id])

        response = await member.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "policy_id" in response.json()["errors"]

    async def test_a_reason_is_required_when_the_policy_says_so(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, reason_required=True)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10", "reason": "  "}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "reason" in response.json()["errors"]

    async def test_overlapping_requests_are_refused(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12")

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-12", "end": "2026-02-13"}
        )

        assert response.status_code == 409
        assert response.json()["error"] == "leave_overlap"

    async def test_the_two_halves_of_a_day_do_not_overlap(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10", leave_period=1)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10", "leave_period": 2}
        )

        assert response.status_code == 201
        assert response.json()["data"]["leave_period"] == 2

    async def test_a_rejected_request_does_not_block_a_new_one(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        first = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")
        await ws.owner.api.put(f"/leaves/{first['id']}/reject", json={})

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert response.status_code == 201
        assert response.json()["data"]["id"] != first["id"]
        assert response.json()["data"]["status"] in ("pending", "approved")

    async def test_another_members_leave_does_not_overlap(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")

        response = await member.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )

        assert response.status_code == 201
        assert response.json()["data"]["user_id"] == member.user_id

    async def test_a_request_beyond_the_balance_is_refused(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=2)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-12"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "policy_id" in response.json()["errors"]

    async def test_pending_requests_count_against_the_balance(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=3)
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-11")

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-16", "end": "2026-02-17"}
        )

        assert_error_code(response, 422, "validation_failed")

    async def test_a_request_using_exactly_the_balance_is_accepted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=3)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-12"}
        )

        assert response.status_code == 201
        assert response.json()["data"]["total"]["days"] == 3

    async def test_the_balance_is_per_calendar_year(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=2)
        await request_leave(ws.owner, policy["id"], "2025-12-30", "2025-12-31")

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-01-01", "end": "2026-01-02"}
        )

        assert response.status_code == 201
        assert response.json()["data"]["total"]["days"] == 2

    async def test_a_request_beyond_the_balance_is_accepted_when_negatives_are_allowed(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, allowance=2, allow_negative_balance=True)

        response = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-12"}
        )

        assert response.status_code == 201
        assert response.json()["data"]["total"]["days"] == 3


class TestListLeaves:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/leaves", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get("/leaves")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.get("/leaves")

        assert_error_code(response, 403, "role_forbidden")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/leaves", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_a_member_sees_only_their_own_leave(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        mine = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")
        await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")

        response = await member.api.get("/leaves")

        assert [leave["id"] for leave in response.json()["data"]] == [mine["id"]]

    async def test_a_member_asking_for_someone_else_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get("/leaves", params={"user_id": ws.owner.user_id})

        assert_error_code(response, 403, "leave_forbidden")

    async def test_the_owner_sees_everyones_leave_newest_first(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        early = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")
        late = await request_leave(ws.owner, policy["id"], "2026-03-10", "2026-03-10")

        response = await ws.owner.api.get("/leaves")

        assert response.status_code == 200
        assert [leave["id"] for leave in response.json()["data"]] == [late["id"], early["id"]]
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_filters_by_status_paid_policy_and_id(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        paid = await make_policy(ws, name="Vacation", is_paid=True)
        unpaid = await make_policy(ws, name="Unpaid", is_paid=False)
        first = await request_leave(ws.owner, paid["id"], "2026-02-10", "2026-02-10")
        second = await request_leave(ws.owner, unpaid["id"], "2026-02-11", "2026-02-11")
        await ws.owner.api.put(f"/leaves/{first['id']}/approve", json={})

        async def ids(**params: object) -> list[str]:
            response = await ws.owner.api.get("/leaves", params=params)
            assert response.status_code == 200, response.text
            return [leave["id"] for leave in response.json()["data"]]

        assert await ids(status="approved") == [first["id"]]
        assert await ids(status="pending") == [second["id"]]
        assert await ids(is_paid="no") == [second["id"]]
        assert await ids(policy_id=paid["id"]) == [first["id"]]
        assert await ids(id=second["id"]) == [second["id"]]
        assert await ids(user_id=ws.owner.user_id) == [second["id"], first["id"]]

    async def test_a_date_range_matches_overlapping_requests(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        inside = await request_leave(ws.owner, policy["id"], "2026-02-09", "2026-02-13")
        await request_leave(ws.owner, policy["id"], "2026-03-02", "2026-03-02")

        response = await ws.owner.api.get("/leaves", params={"date_from": "2026-02-12", "date_to": "2026-02-20"})

        assert [leave["id"] for leave in response.json()["data"]] == [inside["id"]]

    async def test_date_to_before_date_from_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/leaves", params={"date_from": "2026-02-12", "date_to": "2026-02-10"})

        assert_error_code(response, 422, "validation_failed")
        assert "date_to" in response.json()["errors"]

    async def test_bad_filters_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(
            "/leaves", params={"status": "done", "is_paid": "maybe", "user_id": 2**40, "date_from": "x"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) >= {"status", "is_paid", "user_id", "date_from"}


class TestApproveLeave:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")

        response = await tenants.http.put(f"/api/v2/leaves/{leave['id']}/approve", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        response = await member.api.put(f"/leaves/{leave['id']}/approve", json={})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put(f"/leaves/{leave['id']}/approve", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_leave_is_404_and_stays_pending(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        policy = await make_policy(other)
        leave = await request_leave(other.owner, policy["id"], "2026-02-10", "2026-02-10")

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})

        assert_error_code(response, 404, "leave_request_not_found")
        listed = await other.owner.api.get("/leaves", params={"id": leave["id"]})
        assert listed.json()["data"][0]["status"] == "pending"

    async def test_an_unknown_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put("/leaves/" + "x" * 300 + "/approve", json={})

        assert_error_code(response, 404, "leave_request_not_found")

    async def test_a_missing_workspace_id_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put("/leaves/abc/approve", json={}, with_workspace=False)

        assert_error_code(response, 400, "workspace_id_required")

    async def test_approves_a_pending_request(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        response = await ws.owner.api.put(
            f"/leaves/{leave['id']}/approve", json={"workspace_id": ws.id}, with_workspace=False
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Leave request approved successfully"
        data = response.json()["data"]
        assert data["status"] == "approved"
        assert data["approved_by"] == ws.owner.user_id
        assert data["approved_at"].endswith("Z")
        # The paid leave's time is saved through the one time-saving path, with its own event (#13).
        assert sorted(await event_types(ws)) == ["leave.approved", "leave.requested", "time_entry.created"]

    async def test_approving_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")
        await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "leave_not_pending"

    async def test_a_rejected_request_cannot_be_approved(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")
        await ws.owner.api.put(f"/leaves/{leave['id']}/reject", json={})

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})

        assert_error_code(response, 409, "leave_not_pending")


class TestRejectLeave:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.put("/api/v2/leaves/abc/reject", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        response = await member.api.put(f"/leaves/{leave['id']}/reject", json={"reason": "No"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put("/leaves/abc/reject", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_leave_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        policy = await make_policy(other)
        leave = await request_leave(other.owner, policy["id"], "2026-02-10", "2026-02-10")

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/reject", json={"reason": "No"})

        assert_error_code(response, 404, "leave_request_not_found")

    async def test_a_too_long_reason_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put("/leaves/abc/reject", json={"reason": "x" * 1001})

        assert_error_code(response, 422, "validation_failed")
        assert "reason" in response.json()["errors"]

    async def test_rejects_with_a_reason(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        response = await ws.owner.api.put(
            f"/leaves/{leave['id']}/reject", json={"reason": "Insufficient leave balance"}
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Leave request rejected successfully"
        data = response.json()["data"]
        assert data["status"] == "rejected"
        assert data["rejected_by"] == ws.owner.user_id
        assert data["reject_reason"] == "Insufficient leave balance"
        assert datetime.fromisoformat(data["rejected_at"]).tzinfo == UTC
        assert await event_types(ws) == ["leave.requested", "leave.rejected"]

    async def test_rejecting_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")
        await ws.owner.api.put(f"/leaves/{leave['id']}/reject", json={})

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/reject", json={})

        assert_error_code(response, 409, "leave_not_pending")
