from __future__ import annotations

from decimal import Decimal

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.project.support import BAD_IDS, events_of

PROJECT_FIELDS = {
    "id",
    "name",
    "owner_id",
    "start_date",
    "deadline",
    "estimation",
    "budget_estimation",
    "notes",
    "icon",
    "is_billable",
    "rate",
    "weekly_hours_limit",
    "screenshots",
    "tags",
    "contracts_count",
    "status",
    "created_at",
    "updated_at",
    "deleted_at",
}


class TestListProjects:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/projects", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/projects")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/projects", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_missing_workspace_id_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/projects", with_workspace=False)

        assert_error_code(response, 400, "workspace_id_required")

    async def test_lists_the_workspaces_projects_with_the_catalogue_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        first = await make_project(ws, name="Alpha")
        second = await make_project(ws, name="Beta")
        await make_project(other, name="Gamma")

        response = await ws.owner.api.get("/projects")

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Projects retrieved successfully"
        assert [p["id"] for p in body["data"]] == [first, second]
        assert set(body["data"][0]) == PROJECT_FIELDS
        assert body["data"][0]["owner_id"] == ws.owner.user_id
        assert body["data"][0]["status"] == 1
        assert body["meta"]["pagination"]["total"] == 2

    async def test_name_filter_is_a_case_insensitive_partial_match(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        marketing = await make_project(ws, name="Marketing Campaign Q1")
        await make_project(ws, name="Website")

        response = await ws.owner.api.get("/projects", params={"name": "campaign"})

        assert [p["id"] for p in response.json()["data"]] == [marketing]

    async def test_name_filter_treats_wildcards_literally(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        percent = await make_project(ws, name="100% done")
        await make_project(ws, name="100 percent")

        response = await ws.owner.api.get("/projects", params={"name": "0%"})

        assert [p["id"] for p in response.json()["data"]] == [percent]

    async def test_name_with_a_nul_character_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/projects", params={"name": "a\x00b"})

        assert_error_code(response, 422, "validation_failed")
        assert "name" in response.json()["errors"]

    async def test_archived_projects_are_hidden(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        kept = await make_project(ws, name="Kept")
        archived = await make_project(ws, name="Archived")
        await ws.owner.api.delete(f"/projects/{archived}")

        response = await ws.owner.api.get("/projects")

        assert [p["id"] for p in response.json()["data"]] == [kept]

    async def test_paging_parameters_out_of_range_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/projects", params={"page": 0, "per_page": 101})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"page", "per_page"}

    async def test_pages_are_sized_by_per_page(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        ids = [await make_project(ws, name=f"P{i}") for i in range(5)]

        response = await ws.owner.api.get("/projects", params={"page": 2, "per_page": 2})

        assert [p["id"] for p in response.json()["data"]] == ids[2:4]
        assert response.json()["meta"]["pagination"]["last_page"] == 3

    async def test_contracts_count_counts_active_live_contracts(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        a, b, c = await ws.member(), await ws.member(), await ws.member()
        await make_contract(ws, a, project)
        await make_contract(ws, b, project, status="paused")
        deleted = await make_contract(ws, c, project)
        await ws.owner.api.delete(f"/contracts/{deleted}")

        response = await ws.owner.api.get("/projects")

        assert response.json()["data"][0]["contracts_count"] == 1

    async def test_a_regular_user_sees_no_rate_or_budget(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws, rate=Decimal("40"))
        await ws.owner.api.put(f"/projects/{project}", json={"budget": 1000})
        member = await ws.member(role="Regular User", rate_status=1)
        await make_contract(ws, member, project)

        response = await member.api.get("/projects")

        [item] = response.json()["data"]
        assert item["rate"] is None
        assert item["budget_estimation"] is None

    async def test_the_owner_sees_the_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await make_project(ws, rate=Decimal("40.50"))

        response = await ws.owner.api.get("/projects")

        assert response.json()["data"][0]["rate"] == 40.5


class TestCreateProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/projects", params={"workspace_id": ws.id}, json={"name": "X"})

        assert_error_code(response, 401, "unauthenticated")

    @pytest.mark.parametrize("role", ["Project manager", "Team manager", "Regular User", "Project viewer"])
    async def test_other_roles_are_403(self, tenants: Tenants, role: str) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role=role)

        response = await member.api.post("/projects", json={"name": "X"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/projects", json={"name": "X"})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get("/projects")).json()["data"] == []

    async def test_an_executive_manager_may_create(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Executive manager")

        response = await manager.api.post("/projects", json={"name": "X"})

        assert response.status_code == 201
        created = await ws.owner.api.get(f"/projects/{response.json()['data']['id']}")
        assert created.json()["data"]["name"] == "X"

    async def test_creates_with_the_catalogue_fields_and_defaults(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects",
            json={
                "name": "Marketing Campaign Q1",
                "start_date": "2024-01-15",
                "deadline": "2024-03-31",
                "estimation": 120,
                "budget": 5000,
                "notes": "Focus on social media channels",
                "icon": "project-icon-1",
            },
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Project created successfully"
        data = body["data"]
        assert set(data) == PROJECT_FIELDS
        assert data["name"] == "Marketing Campaign Q1"
        assert data["owner_id"] == ws.owner.user_id
        assert data["start_date"] == "2024-01-15"
        assert data["deadline"] == "2024-03-31"
        assert data["estimation"] == 120
        assert data["budget_estimation"] == 5000
        assert data["notes"] == "Focus on social media channels"
        assert data["icon"] == "project-icon-1"
        assert data["is_billable"] is True
        assert data["rate"] is None
        assert data["weekly_hours_limit"] == 168
        assert data["tags"] == []
        assert data["contracts_count"] == 0
        assert data["status"] == 1
        assert data["deleted_at"] is None
        assert data["created_at"].endswith("Z")

    async def test_takes_the_workspace_id_from_the_body(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"workspace_id": ws.id, "name": "X"}, with_workspace=False)

        assert response.status_code == 201
        created = await ws.owner.api.get(f"/projects/{response.json()['data']['id']}")
        assert created.json()["data"]["name"] == "X"

    async def test_takes_is_billable_and_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "X", "is_billable": False, "rate": 55.5})

        assert response.json()["data"]["is_billable"] is False
        assert response.json()["data"]["rate"] == 55.5

    async def test_takes_tags_as_names_or_objects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", json={"name": "X", "tags": ["Marketing", {"name": "Web", "color": "#FF5733"}]}
        )

        tags = response.json()["data"]["tags"]
        assert [(t["name"], t["color"]) for t in tags] == [("Marketing", None), ("Web", "#FF5733")]
        assert all(isinstance(t["id"], int) for t in tags)

    async def test_reuses_existing_tags_by_name(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        first = await ws.owner.api.post("/projects", json={"name": "A", "tags": ["Shared"]})

        second = await ws.owner.api.post("/projects", json={"name": "B", "tags": ["Shared", "Shared"]})

        assert [t["id"] for t in second.json()["data"]["tags"]] == [first.json()["data"]["tags"][0]["id"]]

    async def test_records_a_project_created_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "X"})

        [event] = await events_of(ws, "project.created")
        assert event["data"] == response.json()["data"]

    async def test_name_is_required(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"notes": "no name"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"name"}

    async def test_blank_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "   "})

        assert_error_code(response, 422, "validation_failed")
        assert "name" in response.json()["errors"]

    async def test_rejects_deadline_before_start_date(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", json={"name": "X", "start_date": "2024-03-01", "deadline": "2024-02-01"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"deadline"}

    async def test_accepts_a_deadline_on_the_start_date(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", json={"name": "X", "start_date": "2024-03-01", "deadline": "2024-03-01"}
        )

        assert response.status_code == 201
        data = response.json()["data"]
        assert (data["start_date"], data["deadline"]) == ("2024-03-01", "2024-03-01")

    async def test_bad_field_values_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        body = (
            '{"name": "%s", "start_date": "2024-13-01", "estimation": -1, "budget": "lots", "is_billable": "perhaps",'
            ' "rate": 1e400, "tags": [{"name": "t", "color": "red"}], "notes": "\\u0000"}' % ("x" * 256)
        )

        response = await ws.owner.api.post("/projects", content=body, headers={"Content-Type": "application/json"})

        assert_error_code(response, 422, "validation_failed")
        errors = response.json()["errors"]
        for field in ("name", "start_date", "estimation", "budget", "is_billable", "rate", "notes"):
            assert any(key == field or key.startswith(field + ".") for key in errors), field
        assert any(key.startswith("tags") for key in errors)

    async def test_a_body_that_is_not_json_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", content=b"{not json", headers={"Content-Type": "application/json"}
        )

        assert_error_code(response, 400, "invalid_json")


class TestGetProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await tenants.http.get(f"/api/v2/projects/{project}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get(f"/projects/{project}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_gets_a_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws, name="Alpha")

        response = await ws.owner.api.get(f"/projects/{project}")

        assert response.status_code == 200
        assert response.json()["message"] == "Project retrieved successfully"
        assert response.json()["data"]["name"] == "Alpha"
        assert set(response.json()["data"]) == PROJECT_FIELDS

    async def test_another_workspaces_project_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_project(other)

        response = await ws.owner.api.get(f"/projects/{theirs}")

        assert_error_code(response, 404, "project_not_found")

    async def test_a_project_the_caller_is_not_assigned_to_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(role="Regular User")

        response = await member.api.get(f"/projects/{project}")

        assert_error_code(response, 404, "project_not_found")

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_out_of_range_ids_are_404(self, tenants: Tenants, bad: int) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(f"/projects/{bad}")

        assert_error_code(response, 404, "project_not_found")

    async def test_a_non_integer_id_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/projects/abc")

        assert_error_code(response, 422, "validation_failed")

    async def test_an_archived_project_shows_its_deleted_at(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.get(f"/projects/{project}")

        assert response.status_code == 200
        assert response.json()["data"]["deleted_at"].endswith("Z")


class TestUpdateProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await tenants.http.put(
            f"/api/v2/projects/{project}", params={"workspace_id": ws.id}, json={"name": "Y"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(role="Regular User")
        await make_contract(ws, member, project)

        response = await member.api.put(f"/projects/{project}", json={"name": "Y"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        manager = await ws.member(role="Project manager")
        await make_contract(ws, manager, project)

        response = await manager.api.put(f"/projects/{project}", json={"name": "Y"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws, name="X")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.put(f"/projects/{project}", json={"name": "Y"})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/projects/{project}")).json()["data"]["name"] == "X"

    async def test_another_workspaces_project_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_project(other, name="Theirs")

        response = await ws.owner.api.put(f"/projects/{theirs}", json={"name": "Mine now"})

        assert_error_code(response, 404, "project_not_found")
        assert (await other.owner.api.get(f"/projects/{theirs}")).json()["data"]["name"] == "Theirs"

    async def test_updates_the_given_fields_only(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await ws.owner.api.post("/projects", json={"name": "X", "notes": "keep", "icon": "i1"})
        project = created.json()["data"]["id"]

        response = await ws.owner.api.put(f"/projects/{project}", json={"name": "Y", "budget": 10.5, "icon": None})

        assert response.status_code == 200
        assert response.json()["message"] == "Project updated successfully"
        data = response.json()["data"]
        assert (data["name"], data["notes"], data["icon"], data["budget_estimation"]) == ("Y", "keep", None, 10.5)

    async def test_rejects_a_deadline_before_the_stored_start_date(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await ws.owner.api.post("/projects", json={"name": "X", "start_date": "2024-03-01"})
        project = created.json()["data"]["id"]

        response = await ws.owner.api.put(f"/projects/{project}", json={"deadline": "2024-02-01"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"deadline"}
        assert (await ws.owner.api.get(f"/projects/{project}")).json()["data"]["deadline"] is None

    async def test_a_null_name_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.put(f"/projects/{project}", json={"name": None})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"name"}

    async def test_tags_given_replace_the_projects_tags(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await ws.owner.api.post("/projects", json={"name": "X", "tags": ["a", "b"]})
        project = created.json()["data"]["id"]

        response = await ws.owner.api.put(f"/projects/{project}", json={"tags": ["b", {"name": "c", "color": "#000"}]})

        assert [t["name"] for t in response.json()["data"]["tags"]] == ["b", "c"]

    async def test_an_archived_project_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.put(f"/projects/{project}", json={"name": "Y"})

        assert response.status_code == 409
        assert response.json()["error"] == "project_archived"

    async def test_records_a_project_updated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.put(f"/projects/{project}", json={"name": "Y"})

        [event] = await events_of(ws, "project.updated")
        assert event["data"] == response.json()["data"]


class TestDeleteProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await tenants.http.delete(f"/api/v2/projects/{project}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(role="Regular User")

        response = await member.api.delete(f"/projects/{project}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/projects/{project}")

        assert_error_code(response, 403, "insufficient_scope")
        assert len((await ws.owner.api.get("/projects")).json()["data"]) == 1

    async def test_another_workspaces_project_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_project(other)

        response = await ws.owner.api.delete(f"/projects/{theirs}")

        assert_error_code(response, 404, "project_not_found")
        assert [p["id"] for p in (await other.owner.api.get("/projects")).json()["data"]] == [theirs]

    async def test_archives_the_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.delete(f"/projects/{project}")

        assert response.status_code == 200
        assert response.json()["message"] == "Project deleted successfully"
        assert response.json()["data"] is None
        assert (await ws.owner.api.get("/projects")).json()["data"] == []

    async def test_an_archived_project_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.delete(f"/projects/{project}")

        assert_error_code(response, 404, "project_not_found")

    async def test_records_a_project_deleted_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        await ws.owner.api.delete(f"/projects/{project}")

        [event] = await events_of(ws, "project.deleted")
        assert event["data"]["id"] == project
        assert event["data"]["deleted_at"] is not None


class TestRestoreProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await tenants.http.post(f"/api/v2/projects/{project}/restore", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(role="Regular User")

        response = await member.api.post(f"/projects/{project}/restore")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(f"/projects/{project}/restore")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_project_is_404_and_stays_archived(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_project(other)
        await other.owner.api.delete(f"/projects/{theirs}")

        response = await ws.owner.api.post(f"/projects/{theirs}/restore")

        assert_error_code(response, 404, "project_not_found")
        assert (await other.owner.api.get(f"/projects/{theirs}")).json()["data"]["deleted_at"] is not None

    async def test_restores_an_archived_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.post(f"/projects/{project}/restore")

        assert response.status_code == 200
        assert response.json()["data"]["deleted_at"] is None
        assert [p["id"] for p in (await ws.owner.api.get("/projects")).json()["data"]] == [project]

    async def test_a_project_that_is_not_archived_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.post(f"/projects/{project}/restore")

        assert response.status_code == 409
        assert response.json()["error"] == "project_not_archived"

    async def test_is_marked_as_an_extension_in_openapi(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/openapi.json")

        operation = response.json()["paths"]["/api/v2/projects/{project_id}/restore"]["post"]
        assert operation["x-worktally-extension"] is True
