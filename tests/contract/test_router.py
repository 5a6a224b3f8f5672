from __future__ import annotations

from decimal import Decimal

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.project.support import BAD_IDS, events_of
from worktally.contract.rules import SCREENSHOT_LABELS

CONTRACT_FIELDS = {
    "id",
    "project_id",
    "project_name",
    "project_icon",
    "user_id",
    "user_firstname",
    "user_lastname",
    "user_email",
    "user_role",
    "weekly_hours_limit",
    "screenshots",
    "screenshots_label",
    "rate",
    "rate_type",
    "status",
    "currency",
    "created_at",
    "updated_at",
}


class TestListContracts:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/contracts", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.get("/contracts")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/contracts")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_lists_the_workspaces_contracts_with_names(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        project = await make_project(ws, name="Alpha")
        member = await ws.member(firstname="John", lastname="Doe")
        contract = await make_contract(ws, member, project)
        await make_contract(other, other.owner, await make_project(other))

        response = await ws.owner.api.get("/contracts")

        assert response.status_code == 200
        assert response.json()["message"] == "Contracts retrieved successfully"
        [item] = response.json()["data"]
        assert set(item) == CONTRACT_FIELDS
        assert item["id"] == contract
        assert (item["project_name"], item["user_firstname"], item["user_lastname"]) == ("Alpha", "John", "Doe")
        assert item["user_email"] == member.email
        assert item["user_role"] == "Regular User"
        assert item["screenshots_label"] == "Screenshot on"

    async def test_filters_by_project_user_and_status(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        a, b = await make_project(ws), await make_project(ws)
        m1, m2 = await ws.member(), await ws.member()
        await make_contract(ws, m1, a)
        wanted = await make_contract(ws, m2, a, status="paused")
        await make_contract(ws, m2, b, status="paused")

        response = await ws.owner.api.get(
            "/contracts", params={"project_id": a, "user_id": m2.user_id, "status": "paused"}
        )

        assert [c["id"] for c in response.json()["data"]] == [wanted]

    async def test_bad_filters_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/contracts", params={"project_id": "x", "user_id": 0, "status": "gone"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id", "user_id", "status"}

    async def test_deleted_contracts_are_hidden(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))
        await ws.owner.api.delete(f"/contracts/{contract}")

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"] == []

    async def test_contracts_of_archived_projects_are_hidden(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await make_contract(ws, await ws.member(), project)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"] == []

    async def test_a_regular_user_sees_only_their_own(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        me, colleague = await ws.member(), await ws.member()
        mine = await make_contract(ws, me, project)
        await make_contract(ws, colleague, project)

        response = await me.api.get("/contracts")

        assert [c["id"] for c in response.json()["data"]] == [mine]

    async def test_a_project_viewer_shows_as_client(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        await make_contract(ws, viewer, await make_project(ws))

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"][0]["user_role"] == "Client"


class TestContractRates:
    async def test_the_owner_sees_rates_on_billable_projects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_contract(ws, await ws.member(), await make_project(ws), rate=Decimal("50"))

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"][0]["rate"] == 50

    async def test_rates_on_non_billable_projects_are_null(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws, is_billable=False)
        await make_contract(ws, await ws.member(), project, rate=Decimal("50"))

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"][0]["rate"] is None

    async def test_a_member_without_rate_status_sees_no_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(rate_status=0)
        await make_contract(ws, member, await make_project(ws), rate=Decimal("50"))

        response = await member.api.get("/contracts")

        assert response.json()["data"][0]["rate"] is None

    async def test_a_member_with_rate_status_sees_their_own_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(rate_status=1)
        await make_contract(ws, member, await make_project(ws), rate=Decimal("50"))

        response = await member.api.get("/contracts")

        assert response.json()["data"][0]["rate"] == 50

    async def test_a_project_manager_does_not_see_others_rates(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        manager = await ws.member(role="Project manager", rate_status=1)
        await make_contract(ws, manager, project, rate=Decimal("70"))
        await make_contract(ws, await ws.member(), project, rate=Decimal("50"))

        response = await manager.api.get("/contracts")

        assert [c["rate"] for c in response.json()["data"]] == [70, None]


class TestCreateContract:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/contracts", params={"workspace_id": ws.id}, json={})

        assert_error_code(response, 401, "unauthenticated")

    @pytest.mark.parametrize("role", ["Project manager", "Team manager", "Regular User", "Project viewer"])
    async def test_other_roles_are_403(self, tenants: Tenants, role: str) -> None:
        ws = await tenants.workspace()
        caller = await ws.member(role=role)
        project = await make_project(ws)

        response = await caller.api.post("/contracts", json={"project_id": project, "user_id": caller.user_id})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get("/contracts")).json()["data"] == []

    async def test_creates_a_contract_with_defaults(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws, name="Alpha")

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert response.status_code == 201
        assert response.json()["message"] == "Contract created successfully"
        data = response.json()["data"]
        assert set(data) == CONTRACT_FIELDS
        assert (data["project_id"], data["user_id"], data["project_name"]) == (project, member.user_id, "Alpha")
        assert data["weekly_hours_limit"] == 168
        assert data["screenshots"] == "full"
        assert data["status"] == "active"
        assert data["rate"] is None
        assert data["rate_type"] == 1
        assert data["currency"] == "USD"

    async def test_takes_the_workspace_id_from_the_body(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/contracts",
            json={"workspace_id": ws.id, "project_id": project, "user_id": member.user_id},
            with_workspace=False,
        )

        assert response.status_code == 201
        created = response.json()["data"]
        assert (created["project_id"], created["user_id"]) == (project, member.user_id)
        assert (await ws.owner.api.get(f"/contracts/{created['id']}")).json()["data"]["id"] == created["id"]

    @pytest.mark.parametrize(("mode", "label"), sorted(SCREENSHOT_LABELS.items()))
    async def test_labels_each_screenshot_mode(self, tenants: Tenants, mode: str, label: str) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/contracts", json={"project_id": project, "user_id": member.user_id, "screenshots": mode}
        )

        assert (response.json()["data"]["screenshots"], response.json()["data"]["screenshots_label"]) == (mode, label)

    async def test_saves_the_rate_on_a_billable_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/contracts", json={"project_id": project, "user_id": member.user_id, "rate": 42.5, "rate_type": 2}
        )

        assert (response.json()["data"]["rate"], response.json()["data"]["rate_type"]) == (42.5, 2)

    async def test_ignores_the_rate_on_a_non_billable_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws, is_billable=False)
        await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id, "rate": 42})
        await ws.owner.api.put(f"/projects/{project}", json={"is_billable": True})

        response = await ws.owner.api.get("/contracts")

        assert response.json()["data"][0]["rate"] is None

    async def test_a_second_live_contract_for_the_member_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert response.status_code == 409
        assert response.json()["error"] == "contract_exists"

    async def test_a_member_may_get_a_new_contract_after_deletion(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        old = await make_contract(ws, member, project)
        await ws.owner.api.delete(f"/contracts/{old}")

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert response.status_code == 201
        created = response.json()["data"]
        assert created["id"] != old and created["user_id"] == member.user_id
        listed = await ws.owner.api.get("/contracts", params={"user_id": member.user_id})
        assert [c["id"] for c in listed.json()["data"]] == [created["id"]]

    async def test_an_archived_member_is_422(self, tenants: Tenants) -> None:
        """D12: an invited (inactive) member may get contracts (tests/member/test_invited_members.py);
        an archived one may not."""
        ws = await tenants.workspace()
        member = await ws.member(status="left")
        project = await make_project(ws)

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"user_id"}

    async def test_a_user_outside_the_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        stranger = await other.member()
        project = await make_project(ws)

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": stranger.user_id})

        assert_error_code(response, 404, "member_not_found")
        assert (await ws.owner.api.get("/contracts")).json()["data"] == []

    async def test_another_workspaces_project_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await ws.member()
        theirs = await make_project(other)

        response = await ws.owner.api.post("/contracts", json={"project_id": theirs, "user_id": member.user_id})

        assert_error_code(response, 404, "project_not_found")
        assert (await other.owner.api.get("/contracts")).json()["data"] == []

    async def test_an_archived_project_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id"}

    async def test_bad_input_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/contracts",
            json={"project_id": "x", "weekly_hours_limit": 169, "screenshots": "sometimes", "rate": -1, "rate_type": 4},
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {
            "project_id",
            "user_id",
            "weekly_hours_limit",
            "screenshots",
            "rate",
            "rate_type",
        }

    async def test_a_zero_weekly_hours_limit_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/contracts", json={"project_id": project, "user_id": member.user_id, "weekly_hours_limit": 0}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"weekly_hours_limit"}

    async def test_huge_ids_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/contracts", json={"project_id": 2**63, "user_id": 2**70})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id", "user_id"}

    async def test_records_a_contract_created_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)

        response = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})

        [event] = await events_of(ws, "contract.created")
        assert event["data"] == response.json()["data"]


class TestGetContract:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/contracts/1", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        contract = await make_contract(ws, viewer, await make_project(ws))

        response = await viewer.api.get(f"/contracts/{contract}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_gets_a_contract(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.get(f"/contracts/{contract}")

        assert response.status_code == 200
        assert response.json()["message"] == "Contract retrieved successfully"
        assert response.json()["data"]["id"] == contract

    async def test_another_workspaces_contract_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_contract(other, await other.member(), await make_project(other))

        response = await ws.owner.api.get(f"/contracts/{theirs}")

        assert_error_code(response, 404, "contract_not_found")

    async def test_a_colleagues_contract_is_404_for_a_regular_user(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        me = await ws.member()
        await make_contract(ws, me, project)
        theirs = await make_contract(ws, await ws.member(), project)

        response = await me.api.get(f"/contracts/{theirs}")

        assert_error_code(response, 404, "contract_not_found")

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_out_of_range_ids_are_404(self, tenants: Tenants, bad: int) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(f"/contracts/{bad}")

        assert_error_code(response, 404, "contract_not_found")

    async def test_a_deleted_contract_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))
        await ws.owner.api.delete(f"/contracts/{contract}")

        response = await ws.owner.api.get(f"/contracts/{contract}")

        assert_error_code(response, 404, "contract_not_found")


class TestUpdateContract:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.put("/api/v2/contracts/1", params={"workspace_id": ws.id}, json={})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        contract = await make_contract(ws, manager, await make_project(ws))

        response = await manager.api.put(f"/contracts/{contract}", json={"weekly_hours_limit": 10})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.put(f"/contracts/{contract}", json={"weekly_hours_limit": 10})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/contracts/{contract}")).json()["data"]["weekly_hours_limit"] == 168

    async def test_another_workspaces_contract_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_contract(other, await other.member(), await make_project(other))

        response = await ws.owner.api.put(f"/contracts/{theirs}", json={"status": "paused"})

        assert_error_code(response, 404, "contract_not_found")
        assert (await other.owner.api.get(f"/contracts/{theirs}")).json()["data"]["status"] == "active"

    async def test_updates_the_given_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.put(
            f"/contracts/{contract}",
            json={"weekly_hours_limit": 40, "screenshots": "no_screenshot", "rate": 55, "status": "paused"},
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Contract updated successfully"
        data = response.json()["data"]
        assert (data["weekly_hours_limit"], data["screenshots"], data["rate"], data["status"]) == (
            40,
            "no_screenshot",
            55,
            "paused",
        )
        assert data["screenshots_label"] == "Screenshot off"

    async def test_the_rate_is_not_changed_on_a_non_billable_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws, is_billable=False)
        contract = await make_contract(ws, await ws.member(), project, rate=Decimal("10"))
        await ws.owner.api.put(f"/contracts/{contract}", json={"rate": 99})
        await ws.owner.api.put(f"/projects/{project}", json={"is_billable": True})

        response = await ws.owner.api.get(f"/contracts/{contract}")

        assert response.json()["data"]["rate"] == 10

    async def test_bad_input_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.put(
            f"/contracts/{contract}", json={"weekly_hours_limit": 0, "screenshots": "x", "status": "archived"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"weekly_hours_limit", "screenshots", "status"}

    async def test_null_for_a_required_field_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.put(f"/contracts/{contract}", json={"status": None})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"status"}

    async def test_records_a_contract_updated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.put(f"/contracts/{contract}", json={"status": "paused"})

        [event] = await events_of(ws, "contract.updated")
        assert event["data"] == response.json()["data"]


class TestDeleteContract:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.delete("/api/v2/contracts/1", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        contract = await make_contract(ws, member, await make_project(ws))

        response = await member.api.delete(f"/contracts/{contract}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/contracts/{contract}")

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/contracts/{contract}")).status_code == 200

    async def test_another_workspaces_contract_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_contract(other, await other.member(), await make_project(other))

        response = await ws.owner.api.delete(f"/contracts/{theirs}")

        assert_error_code(response, 404, "contract_not_found")
        assert (await other.owner.api.get(f"/contracts/{theirs}")).status_code == 200

    async def test_deletes_with_the_body_workspace_id(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        response = await ws.owner.api.delete(
            f"/contracts/{contract}", json={"workspace_id": ws.id}, with_workspace=False
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Contract deleted successfully"
        assert response.json()["data"] is None

    async def test_records_a_contract_deleted_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        contract = await make_contract(ws, await ws.member(), await make_project(ws))

        await ws.owner.api.delete(f"/contracts/{contract}")

        [event] = await events_of(ws, "contract.deleted")
        assert event["data"]["id"] == contract
