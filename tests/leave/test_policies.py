from __future__ import annotations

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.leave.support import make_policy

READ_ONLY = frozenset({"read"})
WRITE_ONLY = frozenset({"write"})


class TestListLeavePolicies:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/leaves/policies", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get("/leaves/policies")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/leaves/policies", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_the_owner_sees_every_policy(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        everyone = await make_policy(ws, name="Vacation")
        only_member = await make_policy(ws, name="Sick", member_ids=[member.user_id])

        response = await ws.owner.api.get("/leaves/policies")

        assert response.status_code == 200
        assert [p["id"] for p in response.json()["data"]] == [everyone["id"], only_member["id"]]
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_a_member_sees_only_the_policies_that_apply_to_them(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        colleague = await ws.member()
        everyone = await make_policy(ws, name="Vacation")
        mine = await make_policy(ws, name="Sick", member_ids=[member.user_id])
        await make_policy(ws, name="Study", member_ids=[colleague.user_id])

        response = await member.api.get("/leaves/policies")

        assert [p["id"] for p in response.json()["data"]] == [everyone["id"], mine["id"]]

    async def test_a_read_only_token_may_read(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await make_policy(ws)
        api = await ws.token_for(member, READ_ONLY)

        response = await api.get("/leaves/policies")

        assert response.status_code == 200
        assert len(response.json()["data"]) == 1

    async def test_bad_paging_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/leaves/policies", params={"per_page": 0})

        assert_error_code(response, 422, "validation_failed")
        assert "per_page" in response.json()["errors"]


class TestCreateLeavePolicy:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post(
            "/api/v2/leaves/policies", json={"workspace_id": ws.id, "name": "Vacation", "unit": "days"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.post("/leaves/policies", json={"name": "Vacation", "unit": "days"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.post("/leaves/policies", json={"name": "Vacation", "unit": "days"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.post(
            "/leaves/policies", json={"workspace_id": ws.id, "name": "Vacation", "unit": "days"}, with_workspace=False
        )

        assert_error_code(response, 403, "not_a_member")

    async def test_creates_a_policy_for_every_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves/policies",
            json={
                "name": "Vacation",
                "unit": "days",
                "hours_per_day": 7.5,
                "is_paid": True,
                "allowance": 25,
                "allow_negative_balance": False,
                "reason_required": True,
            },
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Leave policy created successfully"
        data = response.json()["data"]
        assert data["name"] == "Vacation"
        assert data["unit"] == "days"
        assert data["hours_per_day"] == 7.5
        assert data["allowance"] == 25
        assert data["is_paid"] is True
        assert data["reason_required"] is True
        assert data["applies_to_all"] is True
        assert data["member_ids"] is None
        assert isinstance(data["id"], int)

    async def test_creates_a_policy_for_some_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        policy = await make_policy(ws, member_ids=[member.user_id, member.user_id])

        assert policy["applies_to_all"] is False
        assert policy["member_ids"] == [member.user_id]

    async def test_member_ids_must_be_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        stranger = await (await tenants.workspace()).member()

        response = await ws.owner.api.post(
            "/leaves/policies", json={"name": "Vacation", "unit": "days", "member_ids": [stranger.user_id]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "member_ids" in response.json()["errors"]

    async def test_rejects_bad_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves/policies",
            json={"name": "", "unit": "weeks", "hours_per_day": 0, "allowance": -1, "member_ids": [0]},
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) >= {"name", "unit", "hours_per_day", "allowance", "member_ids.0"}

    async def test_rejects_an_allowance_with_three_decimals(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": 1.125}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "allowance" in response.json()["errors"]


class TestUpdateLeavePolicy:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await tenants.http.put(
            f"/api/v2/leaves/policies/{policy['id']}", json={"workspace_id": ws.id, "name": "X"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)

        response = await member.api.put(f"/leaves/policies/{policy['id']}", json={"name": "X"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put(f"/leaves/policies/{policy['id']}", json={"name": "X"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_policy_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        policy = await make_policy(other, name="Theirs")

        response = await ws.owner.api.put(f"/leaves/policies/{policy['id']}", json={"name": "Mine"})

        assert_error_code(response, 404, "leave_policy_not_found")
        listed = await other.owner.api.get("/leaves/policies")
        assert listed.json()["data"][0]["name"] == "Theirs"

    async def test_an_unknown_or_huge_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.put(f"/leaves/policies/{2**70}", json={"name": "X"})

        assert_error_code(response, 404, "leave_policy_not_found")

    async def test_updates_the_given_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, name="Vacation", allowance=20)

        response = await ws.owner.api.put(
            f"/leaves/policies/{policy['id']}", json={"name": "Holidays", "allowance": 22.5, "unit": "days"}
        )

        assert response.status_code == 200
        data = response.json()["data"]
        assert data["name"] == "Holidays"
        assert data["allowance"] == 22.5
        assert data["hours_per_day"] == policy["hours_per_day"]

    async def test_the_unit_cannot_change(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="days")

        response = await ws.owner.api.put(f"/leaves/policies/{policy['id']}", json={"unit": "hours"})

        assert_error_code(response, 422, "validation_failed")
        assert "unit" in response.json()["errors"]

    async def test_member_ids_null_applies_to_everyone(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws, member_ids=[member.user_id])

        response = await ws.owner.api.put(f"/leaves/policies/{policy['id']}", json={"member_ids": None})

        assert response.json()["data"]["applies_to_all"] is True
        assert response.json()["data"]["member_ids"] is None

    async def test_member_ids_replace_the_members(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        first = await ws.member()
        second = await ws.member()
        policy = await make_policy(ws, member_ids=[first.user_id])

        response = await ws.owner.api.put(f"/leaves/policies/{policy['id']}", json={"member_ids": [second.user_id]})

        assert response.json()["data"]["member_ids"] == [second.user_id]

    async def test_rejects_null_for_a_required_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await ws.owner.api.put(f"/leaves/policies/{policy['id']}", json={"name": None})

        assert_error_code(response, 422, "validation_failed")
        assert "name" in response.json()["errors"]


class TestDeleteLeavePolicy:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await tenants.http.delete(f"/api/v2/leaves/policies/{policy['id']}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws)

        response = await member.api.delete(f"/leaves/policies/{policy['id']}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.delete(f"/leaves/policies/{policy['id']}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_policy_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        policy = await make_policy(other)

        response = await ws.owner.api.delete(f"/leaves/policies/{policy['id']}")

        assert_error_code(response, 404, "leave_policy_not_found")
        assert len((await other.owner.api.get("/leaves/policies")).json()["data"]) == 1

    async def test_a_deleted_policy_is_gone_and_cannot_be_requested(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)

        response = await ws.owner.api.delete(f"/leaves/policies/{policy['id']}")

        assert response.status_code == 200
        assert response.json()["message"] == "Leave policy deleted successfully"
        assert (await ws.owner.api.get("/leaves/policies")).json()["data"] == []
        requested = await ws.owner.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": "2026-02-10", "end": "2026-02-10"}
        )
        assert_error_code(requested, 422, "validation_failed")
        assert "policy_id" in requested.json()["errors"]
