from __future__ import annotations

import pytest

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task, make_team
from tests.project.support import BAD_IDS, events_of

TASK_FIELDS = {
    "id",
    "title",
    "description",
    "project_id",
    "owner_id",
    "creator_id",
    "parent_id",
    "status",
    "status_name",
    "priority",
    "priority_name",
    "start_date",
    "end_date",
    "completed_at",
    "assignees",
    "created_at",
    "updated_at",
    "deleted_at",
}


class TestListTasks:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/tasks", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/tasks")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await other.owner.api.get("/tasks", params={"workspace_id": ws.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_lists_tasks_with_assignees(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(firstname="John", lastname="Doe")
        task = await make_task(ws, project, title="Write", assignees=[member])
        await make_task(other, await make_project(other))

        response = await ws.owner.api.get("/tasks")

        assert response.status_code == 200
        assert response.json()["message"] == "Tasks retrieved successfully"
        [item] = response.json()["data"]
        assert set(item) == TASK_FIELDS
        assert item["id"] == task
        assert (item["status"], item["status_name"], item["priority"], item["priority_name"]) == (
            0,
            "Incomplete",
            30,
            "Normal",
        )
        assert item["assignees"] == [
            {"id": member.user_id, "firstname": "John", "lastname": "Doe", "email": member.email}
        ]

    async def test_filters_by_project_status_and_priority(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        a, b = await make_project(ws), await make_project(ws)
        wanted = await make_task(ws, a)
        await ws.owner.api.put(f"/tasks/{wanted}", json={"status": 10, "priority": 10})
        await make_task(ws, a)
        other = await make_task(ws, b)
        await ws.owner.api.put(f"/tasks/{other}", json={"status": 10, "priority": 10})

        response = await ws.owner.api.get("/tasks", params={"project_id": a, "status": 10, "priority": 10})

        assert [t["id"] for t in response.json()["data"]] == [wanted]

    async def test_bad_filters_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/tasks", params={"project_id": 0, "status": 5, "priority": "high"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id", "status", "priority"}

    async def test_pages(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        ids = [await make_task(ws, project, title=f"T{i}") for i in range(3)]

        response = await ws.owner.api.get("/tasks", params={"per_page": 2, "page": 2})

        assert [t["id"] for t in response.json()["data"]] == ids[2:]
        assert response.json()["meta"]["pagination"]["total"] == 3

    async def test_deleted_tasks_and_tasks_of_archived_projects_are_hidden(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        live, archived = await make_project(ws), await make_project(ws)
        kept = await make_task(ws, live)
        deleted = await make_task(ws, live)
        await make_task(ws, archived)
        await ws.owner.api.delete(f"/tasks/{deleted}")
        await ws.owner.api.delete(f"/projects/{archived}")

        response = await ws.owner.api.get("/tasks")

        assert [t["id"] for t in response.json()["data"]] == [kept]


class TestCreateTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/tasks", json={"workspace_id": ws.id, "title": "x"})

        assert_error_code(response, 401, "unauthenticated")

    @pytest.mark.parametrize("role", ["Regular User", "Project viewer"])
    async def test_roles_that_do_not_manage_tasks_are_403(self, tenants: Tenants, role: str) -> None:
        ws = await tenants.workspace()
        caller = await ws.member(role=role)
        project = await make_project(ws)
        await make_contract(ws, caller, project)

        response = await caller.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/tasks", json={"project_id": project, "title": "x"})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get("/tasks")).json()["data"] == []

    async def test_creates_a_task_with_defaults(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/tasks",
            json={"workspace_id": ws.id, "project_id": project, "title": "Implement user authentication"},
            with_workspace=False,
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Task created successfully"
        data = response.json()["data"]
        assert set(data) == TASK_FIELDS
        assert data["title"] == "Implement user authentication"
        assert (data["status"], data["priority"]) == (0, 30)
        assert (data["owner_id"], data["creator_id"]) == (ws.owner.user_id, ws.owner.user_id)
        assert data["completed_at"] is None
        assert data["assignees"] == []

    async def test_takes_every_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        a, b = await ws.member(), await ws.member()
        await make_contract(ws, a, project)
        await make_contract(ws, b, project)
        parent = await make_task(ws, project)

        response = await ws.owner.api.post(
            "/tasks",
            json={
                "project_id": project,
                "title": "Child",
                "description": "Add OAuth2",
                "status": 10,
                "priority": 10,
                "start_date": "2024-01-15",
                "end_date": "2024-01-30",
                "assignees": [a.user_id, b.user_id, a.user_id],
                "parent_id": parent,
            },
        )

        data = response.json()["data"]
        assert (data["description"], data["status_name"], data["priority_name"]) == ("Add OAuth2", "Doing", "Urgent")
        assert (data["start_date"], data["end_date"], data["parent_id"]) == ("2024-01-15", "2024-01-30", parent)
        assert [x["id"] for x in data["assignees"]] == [a.user_id, b.user_id]

    @pytest.mark.parametrize("status", [20, 30])
    async def test_a_finished_task_gets_completed_at(self, tenants: Tenants, status: int) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "x", "status": status})

        assert response.json()["data"]["completed_at"].endswith("Z")

    async def test_a_project_manager_may_create_on_a_project_they_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        project = await make_project(ws)
        await make_contract(ws, manager, project)

        response = await manager.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert response.status_code == 201
        assert response.json()["data"]["creator_id"] == manager.user_id

    async def test_a_project_manager_gets_404_on_a_project_they_do_not_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        project = await make_project(ws)

        response = await manager.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert_error_code(response, 404, "project_not_found")
        assert (await ws.owner.api.get("/tasks")).json()["data"] == []

    async def test_a_team_manager_may_create_on_their_teams_projects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        worker = await ws.member()
        await make_team(ws, members=[worker], managers=[manager])
        project = await make_project(ws)
        await make_contract(ws, worker, project)

        response = await manager.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert response.status_code == 201
        created = response.json()["data"]
        assert (created["project_id"], created["title"]) == (project, "x")

    async def test_a_team_manager_gets_404_on_other_projects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        project = await make_project(ws)
        await make_contract(ws, await ws.member(), project)

        response = await manager.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert_error_code(response, 404, "project_not_found")

    async def test_another_workspaces_project_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_project(other)

        response = await ws.owner.api.post("/tasks", json={"project_id": theirs, "title": "x"})

        assert_error_code(response, 404, "project_not_found")
        assert (await other.owner.api.get("/tasks")).json()["data"] == []

    async def test_an_archived_project_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        await ws.owner.api.delete(f"/projects/{project}")

        response = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "x"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id"}

    async def test_assignees_without_a_contract_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        outsider = await ws.member()

        response = await ws.owner.api.post(
            "/tasks", json={"project_id": project, "title": "x", "assignees": [outsider.user_id]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"assignees"}

    async def test_rejects_end_date_before_start_date(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/tasks", json={"project_id": project, "title": "x", "start_date": "2024-02-01", "end_date": "2024-01-01"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"end_date"}

    async def test_a_parent_in_another_project_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project, elsewhere = await make_project(ws), await make_project(ws)
        parent = await make_task(ws, elsewhere)

        response = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "x", "parent_id": parent})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"parent_id"}

    async def test_bad_input_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/tasks",
            json={
                "project_id": "x",
                "title": "",
                "status": 5,
                "priority": 50,
                "start_date": "soon",
                "assignees": "everyone",
                "parent_id": -3,
            },
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {
            "project_id",
            "title",
            "status",
            "priority",
            "start_date",
            "assignees",
            "parent_id",
        }

    async def test_records_a_task_created_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)

        response = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "x"})

        [event] = await events_of(ws, "task.created")
        assert event["data"] == response.json()["data"]


class TestGetTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/tasks/1", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get(f"/tasks/{task}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_gets_a_task(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        task = await make_task(ws, project, title="Write")

        response = await ws.owner.api.get(f"/tasks/{task}", params={"project_id": project})

        assert response.status_code == 200
        assert response.json()["message"] == "Task retrieved successfully"
        assert response.json()["data"]["title"] == "Write"

    async def test_a_project_id_that_does_not_match_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project, elsewhere = await make_project(ws), await make_project(ws)
        task = await make_task(ws, project)

        response = await ws.owner.api.get(f"/tasks/{task}", params={"project_id": elsewhere})

        assert_error_code(response, 404, "task_not_found")

    async def test_another_workspaces_task_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_task(other, await make_project(other))

        response = await ws.owner.api.get(f"/tasks/{theirs}")

        assert_error_code(response, 404, "task_not_found")

    async def test_a_task_of_an_unassigned_project_is_404_for_a_regular_user(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        task = await make_task(ws, await make_project(ws))

        response = await member.api.get(f"/tasks/{task}")

        assert_error_code(response, 404, "task_not_found")

    @pytest.mark.parametrize("bad", BAD_IDS)
    async def test_out_of_range_ids_are_404(self, tenants: Tenants, bad: int) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(f"/tasks/{bad}")

        assert_error_code(response, 404, "task_not_found")


class TestUpdateTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.put("/api/v2/tasks/1", json={"workspace_id": ws.id, "title": "y"})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)

        response = await member.api.put(f"/tasks/{task}", json={"title": "y"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws), title="x")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.put(f"/tasks/{task}", json={"title": "y"})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/tasks/{task}")).json()["data"]["title"] == "x"

    async def test_another_workspaces_task_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_task(other, await make_project(other), title="Theirs")

        response = await ws.owner.api.put(f"/tasks/{theirs}", json={"title": "Mine"})

        assert_error_code(response, 404, "task_not_found")
        assert (await other.owner.api.get(f"/tasks/{theirs}")).json()["data"]["title"] == "Theirs"

    async def test_a_project_id_that_does_not_match_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project, elsewhere = await make_project(ws), await make_project(ws)
        task = await make_task(ws, project, title="x")

        response = await ws.owner.api.put(f"/tasks/{task}", json={"project_id": elsewhere, "title": "y"})

        assert_error_code(response, 404, "task_not_found")
        assert (await ws.owner.api.get(f"/tasks/{task}")).json()["data"]["title"] == "x"

    async def test_updates_the_given_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        task = await make_task(ws, project, title="x")

        response = await ws.owner.api.put(
            f"/tasks/{task}",
            json={"workspace_id": ws.id, "project_id": project, "title": "y", "priority": 40, "end_date": "2024-05-01"},
            with_workspace=False,
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Task updated successfully"
        data = response.json()["data"]
        assert (data["title"], data["priority"], data["priority_name"], data["end_date"]) == (
            "y",
            40,
            "Low",
            "2024-05-01",
        )

    async def test_completing_sets_completed_at_and_reopening_clears_it(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))

        done = await ws.owner.api.put(f"/tasks/{task}", json={"status": 30})
        reopened = await ws.owner.api.put(f"/tasks/{task}", json={"status": 10})

        assert done.json()["data"]["completed_at"].endswith("Z")
        assert reopened.json()["data"]["completed_at"] is None

    async def test_assignees_given_replace_the_assignees(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        a, b = await ws.member(), await ws.member()
        await make_contract(ws, a, project)
        await make_contract(ws, b, project)
        task = await make_task(ws, project, assignees=[a])

        response = await ws.owner.api.put(f"/tasks/{task}", json={"assignees": [b.user_id]})

        assert [x["id"] for x in response.json()["data"]["assignees"]] == [b.user_id]

    async def test_a_task_cannot_be_its_own_ancestor(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        parent = await make_task(ws, project)
        child = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "c", "parent_id": parent})
        child_id = child.json()["data"]["id"]

        response = await ws.owner.api.put(f"/tasks/{parent}", json={"parent_id": child_id})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"parent_id"}

    async def test_a_null_title_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))

        response = await ws.owner.api.put(f"/tasks/{task}", json={"title": None})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"title"}

    async def test_rejects_end_date_before_the_stored_start_date(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))
        await ws.owner.api.put(f"/tasks/{task}", json={"start_date": "2024-02-01"})

        response = await ws.owner.api.put(f"/tasks/{task}", json={"end_date": "2024-01-01"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"end_date"}

    async def test_a_project_manager_may_update_tasks_of_projects_they_manage(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        project = await make_project(ws)
        await make_contract(ws, manager, project)
        task = await make_task(ws, project)

        response = await manager.api.put(f"/tasks/{task}", json={"title": "y"})

        assert response.status_code == 200
        assert response.json()["data"]["title"] == "y"
        assert (await ws.owner.api.get(f"/tasks/{task}")).json()["data"]["title"] == "y"

    async def test_records_a_task_updated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))

        response = await ws.owner.api.put(f"/tasks/{task}", json={"title": "y"})

        [event] = await events_of(ws, "task.updated")
        assert event["data"] == response.json()["data"]


class TestDeleteTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.request("DELETE", "/api/v2/tasks/1", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        task = await make_task(ws, await make_project(ws))

        response = await viewer.api.delete(f"/tasks/{task}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/tasks/{task}")

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/tasks/{task}")).status_code == 200

    async def test_another_workspaces_task_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_task(other, await make_project(other))

        response = await ws.owner.api.delete(f"/tasks/{theirs}")

        assert_error_code(response, 404, "task_not_found")
        assert (await other.owner.api.get(f"/tasks/{theirs}")).status_code == 200

    async def test_deletes_with_the_body_scope(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        task = await make_task(ws, project)

        response = await ws.owner.api.delete(
            f"/tasks/{task}", json={"workspace_id": ws.id, "project_id": project}, with_workspace=False
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Task deleted successfully"
        assert response.json()["data"] is None
        assert_error_code(await ws.owner.api.get(f"/tasks/{task}"), 404, "task_not_found")

    async def test_a_project_id_that_does_not_match_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project, elsewhere = await make_project(ws), await make_project(ws)
        task = await make_task(ws, project)

        response = await ws.owner.api.delete(f"/tasks/{task}", json={"project_id": elsewhere})

        assert_error_code(response, 404, "task_not_found")
        assert (await ws.owner.api.get(f"/tasks/{task}")).status_code == 200

    async def test_records_a_task_deleted_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))

        await ws.owner.api.delete(f"/tasks/{task}")

        [event] = await events_of(ws, "task.deleted")
        assert event["data"]["id"] == task


class TestListTaskAssignees:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/tasks/1/assignees", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get(f"/tasks/{task}/assignees")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_lists_the_assignees(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project = await make_project(ws)
        member = await ws.member(firstname="Ann", lastname="Lee")
        task = await make_task(ws, project, assignees=[member])

        response = await ws.owner.api.get(f"/tasks/{task}/assignees", params={"project_id": project})

        assert response.status_code == 200
        assert response.json()["data"] == [
            {"id": member.user_id, "firstname": "Ann", "lastname": "Lee", "email": member.email}
        ]

    async def test_another_workspaces_task_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await make_task(other, await make_project(other))

        response = await ws.owner.api.get(f"/tasks/{theirs}/assignees")

        assert_error_code(response, 404, "task_not_found")

    async def test_a_project_id_that_does_not_match_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        project, elsewhere = await make_project(ws), await make_project(ws)
        task = await make_task(ws, project)

        response = await ws.owner.api.get(f"/tasks/{task}/assignees", params={"project_id": elsewhere})

        assert_error_code(response, 404, "task_not_found")


class TestAssignTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/tasks/1/assign/1", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)

        response = await member.api.post(f"/tasks/{task}/assign/{member.user_id}", json={"project_id": project})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(f"/tasks/{task}/assign/{member.user_id}")

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/tasks/{task}/assignees")).json()["data"] == []

    async def test_assigns_a_user_with_a_contract(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)

        response = await ws.owner.api.post(
            f"/tasks/{task}/assign/{member.user_id}",
            json={"workspace_id": ws.id, "project_id": project},
            with_workspace=False,
        )

        assert response.status_code == 201
        data = response.json()["data"]
        assert set(data) == {"id", "task_id", "user_id"}
        assert (data["task_id"], data["user_id"]) == (task, member.user_id)
        assert [a["id"] for a in (await ws.owner.api.get(f"/tasks/{task}/assignees")).json()["data"]] == [
            member.user_id
        ]

    async def test_a_user_without_a_contract_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        task = await make_task(ws, await make_project(ws))

        response = await ws.owner.api.post(f"/tasks/{task}/assign/{member.user_id}")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"user_id"}

    async def test_an_assigned_user_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project, assignees=[member])

        response = await ws.owner.api.post(f"/tasks/{task}/assign/{member.user_id}")

        assert response.status_code == 409
        assert response.json()["error"] == "task_already_assigned"

    async def test_another_workspaces_task_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        project = await make_project(other)
        await make_contract(other, other.owner, project)
        theirs = await make_task(other, project)

        response = await ws.owner.api.post(f"/tasks/{theirs}/assign/{other.owner.user_id}")

        assert_error_code(response, 404, "task_not_found")
        assert (await other.owner.api.get(f"/tasks/{theirs}/assignees")).json()["data"] == []

    async def test_a_project_id_that_does_not_match_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project, elsewhere = await make_project(ws), await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)

        response = await ws.owner.api.post(f"/tasks/{task}/assign/{member.user_id}", json={"project_id": elsewhere})

        assert_error_code(response, 404, "task_not_found")

    async def test_a_huge_user_id_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        task = await make_task(ws, await make_project(ws))

        response = await ws.owner.api.post(f"/tasks/{task}/assign/{2**63}")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"user_id"}

    async def test_records_a_task_updated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project)

        await ws.owner.api.post(f"/tasks/{task}/assign/{member.user_id}")

        [event] = await events_of(ws, "task.updated")
        assert [a["id"] for a in event["data"]["assignees"]] == [member.user_id]


class TestUnassignTask:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.request("DELETE", "/api/v2/tasks/1/unassign/1", json={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        await make_contract(ws, member, project)
        task = await make_task(ws, project, assignees=[member])

        response = await member.api.delete(f"/tasks/{task}/unassign/{member.user_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        task = await make_task(ws, await make_project(ws), assignees=[member])
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/tasks/{task}/unassign/{member.user_id}")

        assert_error_code(response, 403, "insufficient_scope")
        assert len((await ws.owner.api.get(f"/tasks/{task}/assignees")).json()["data"]) == 1

    async def test_unassigns_a_user(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        project = await make_project(ws)
        task = await make_task(ws, project, assignees=[member])

        response = await ws.owner.api.delete(f"/tasks/{task}/unassign/{member.user_id}", json={"project_id": project})

        assert response.status_code == 200
        assert response.json()["data"] is None
        assert (await ws.owner.api.get(f"/tasks/{task}/assignees")).json()["data"] == []

    async def test_a_user_who_is_not_assigned_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        task = await make_task(ws, await make_project(ws))

        response = await ws.owner.api.delete(f"/tasks/{task}/unassign/{member.user_id}")

        assert_error_code(response, 404, "task_assignee_not_found")

    async def test_another_workspaces_task_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await other.member()
        theirs = await make_task(other, await make_project(other), assignees=[member])

        response = await ws.owner.api.delete(f"/tasks/{theirs}/unassign/{member.user_id}")

        assert_error_code(response, 404, "task_not_found")
        assert len((await other.owner.api.get(f"/tasks/{theirs}/assignees")).json()["data"]) == 1
