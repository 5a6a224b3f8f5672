from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from tests.errors import assert_error_code
from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_project
from tests.member.helpers import events, membership
from worktally.db.models import Project, ProjectViewerAssignment

VIEWER_FIELDS = {"id", "email", "firstname", "lastname", "status", "member_since", "projects"}


def new_viewer(**overrides: Any) -> dict[str, Any]:
    return {"email": "vera.viewer@example.com", "firstname": "Vera", "lastname": "Viewer"} | overrides


async def assigned(ws: WorkspaceFixture, viewer: Member) -> list[int]:
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(ProjectViewerAssignment.project_id)
            .where(ProjectViewerAssignment.user_id == viewer.user_id)
            .order_by(ProjectViewerAssignment.project_id)
        )
        return list(rows.scalars())


async def assign(ws: WorkspaceFixture, viewer: Member, project_id: int) -> None:
    async with ws.tenants.sessionmaker() as session, session.begin():
        session.add(ProjectViewerAssignment(workspace_id=ws.id, user_id=viewer.user_id, project_id=project_id))


class TestListProjectViewers:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/project-viewers", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get("/project-viewers")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/project-viewers")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_lists_viewers_with_their_projects(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await ws.member()
        viewer = await ws.member(role="Project viewer", firstname="Vic")
        project_id = await make_project(ws, name="Marketing Campaign Q1")
        await assign(ws, viewer, project_id)

        response = await ws.owner.api.get("/project-viewers")

        assert response.status_code == 200
        assert response.json()["message"] == "Project viewers retrieved successfully"
        [item] = response.json()["data"]
        assert set(item) == VIEWER_FIELDS
        assert (item["id"], item["firstname"], item["status"]) == (viewer.user_id, "Vic", "active")
        assert item["member_since"].endswith("Z")
        assert item["projects"] == [{"project_id": project_id, "project_name": "Marketing Campaign Q1"}]

    async def test_archived_projects_are_not_listed(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)
        await assign(ws, viewer, project_id)
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(update(Project).where(Project.id == project_id).values(deleted_at=Project.created_at))

        response = await ws.owner.api.get(f"/project-viewers/{viewer.user_id}")

        assert response.json()["data"]["projects"] == []

    async def test_filters_by_email(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        wanted = await ws.member(role="Project viewer")
        await ws.member(role="Project viewer")

        response = await ws.owner.api.get("/project-viewers", params={"email": wanted.email.upper()})

        assert [v["id"] for v in response.json()["data"]] == [wanted.user_id]

    async def test_a_viewer_sees_only_themself(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        await ws.member(role="Project viewer")

        response = await viewer.api.get("/project-viewers")

        assert [v["id"] for v in response.json()["data"]] == [viewer.user_id]

    async def test_bad_paging_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/project-viewers", params={"page": -1})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"page"}


class TestCreateProjectViewer:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post("/api/v2/project-viewers", json=new_viewer(workspace_id=ws.id))

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.post("/project-viewers", json=new_viewer())

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post("/project-viewers", json=new_viewer())

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await ws.owner.api.post(
            "/project-viewers", json=new_viewer(workspace_id=other.id), with_workspace=False
        )

        assert_error_code(response, 403, "not_a_member")

    async def test_creates_an_invited_viewer(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/project-viewers", json=new_viewer(workspace_id=ws.id), with_workspace=False
        )

        assert response.status_code == 201
        assert response.json()["message"] == "Project viewer created successfully"
        data = response.json()["data"]
        assert set(data) == VIEWER_FIELDS
        assert (data["email"], data["status"], data["projects"]) == ("vera.viewer@example.com", "inactive", [])
        row = await membership(ws, data["id"])
        assert row is not None and row.role == "Project viewer"
        [invited] = await events(ws, "member.invited")
        assert invited["data"]["current_role"] == "Project viewer"

    async def test_missing_fields_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/project-viewers", json={"email": "bad"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"email", "firstname", "lastname"}

    async def test_a_duplicate_email_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.post("/project-viewers", json=new_viewer(email=member.email))

        assert_error_code(response, 409, "member_exists")


class TestGetProjectViewer:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await tenants.http.get(f"/api/v2/project-viewers/{viewer.user_id}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        viewer = await ws.member(role="Project viewer")

        response = await manager.api.get(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_returns_the_viewer(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.get(f"/project-viewers/{viewer.user_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Project viewer retrieved successfully"
        assert response.json()["data"]["id"] == viewer.user_id

    async def test_a_viewer_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await other.member(role="Project viewer")

        response = await ws.owner.api.get(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 404, "project_viewer_not_found")

    async def test_a_member_who_is_not_a_viewer_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.get(f"/project-viewers/{member.user_id}")

        assert_error_code(response, 404, "project_viewer_not_found")

    async def test_a_viewer_reads_themself(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.get(f"/project-viewers/{viewer.user_id}")

        assert response.status_code == 200
        assert response.json()["data"]["id"] == viewer.user_id

    async def test_a_viewer_cannot_read_another_viewer(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        other = await ws.member(role="Project viewer")

        response = await viewer.api.get(f"/project-viewers/{other.user_id}")

        assert_error_code(response, 404, "project_viewer_not_found")


class TestArchiveProjectViewer:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await tenants.http.delete(
            f"/api/v2/project-viewers/{viewer.user_id}", params={"workspace_id": ws.id}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await viewer.api.delete(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_viewer_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await other.member(role="Project viewer")

        response = await ws.owner.api.delete(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 404, "member_not_found")
        row = await membership(other, viewer.user_id)
        assert row is not None and row.status == "active"

    async def test_a_regular_member_cannot_be_archived_here(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.delete(f"/project-viewers/{member.user_id}")

        assert_error_code(response, 404, "member_not_found")

    async def test_archives_the_viewer(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.delete(f"/project-viewers/{viewer.user_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Project viewer archived successfully"
        row = await membership(ws, viewer.user_id)
        assert row is not None and row.status == "left"
        assert_error_code(await viewer.api.get("/project-viewers"), 401, "unauthenticated")

    async def test_archiving_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        await ws.owner.api.delete(f"/project-viewers/{viewer.user_id}")

        response = await ws.owner.api.delete(f"/project-viewers/{viewer.user_id}")

        assert_error_code(response, 409, "member_already_archived")


class TestRestoreProjectViewer:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer", status="left")

        response = await tenants.http.post(
            f"/api/v2/project-viewers/{viewer.user_id}/restore", json={"workspace_id": ws.id}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer", status="left")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(f"/project-viewers/{viewer.user_id}/restore")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        viewer = await ws.member(role="Project viewer", status="left")

        response = await member.api.post(f"/project-viewers/{viewer.user_id}/restore")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_viewer_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await other.member(role="Project viewer", status="left")

        response = await ws.owner.api.post(f"/project-viewers/{viewer.user_id}/restore")

        assert_error_code(response, 404, "member_not_found")
        row = await membership(other, viewer.user_id)
        assert row is not None and row.status == "left"

    async def test_restores_the_viewer(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer", status="left")

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/restore", json={"workspace_id": ws.id}, with_workspace=False
        )

        assert response.status_code == 200
        assert response.json() | {"meta": None} == {
            "success": True,
            "message": "Project viewer restored successfully",
            "data": None,
            "meta": None,
        }
        row = await membership(ws, viewer.user_id)
        assert row is not None and row.status == "active"

    async def test_restoring_an_active_viewer_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.post(f"/project-viewers/{viewer.user_id}/restore")

        assert_error_code(response, 409, "member_not_archived")


class TestAssignProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)

        response = await tenants.http.post(
            f"/api/v2/project-viewers/{viewer.user_id}/assign-project",
            json={"workspace_id": ws.id, "project_id": project_id},
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)

        response = await manager.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 403, "insufficient_scope")

    async def test_assigns_the_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws, name="Launch")

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project",
            json={"workspace_id": ws.id, "project_id": project_id},
            with_workspace=False,
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Project assigned to viewer successfully"
        assert response.json()["data"] is None
        shown = await ws.owner.api.get(f"/project-viewers/{viewer.user_id}")
        assert shown.json()["data"]["projects"] == [{"project_id": project_id, "project_name": "Launch"}]

    async def test_a_project_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        foreign = await make_project(other)

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": foreign}
        )

        assert response.status_code == 404
        assert response.json()["error"] == "project_not_found"
        assert await assigned(ws, viewer) == []

    async def test_a_viewer_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await other.member(role="Project viewer")
        project_id = await make_project(ws)

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 404, "project_viewer_not_found")
        assert await assigned(other, viewer) == []

    async def test_a_missing_project_id_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.post(f"/project-viewers/{viewer.user_id}/assign-project", json={})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id"}

    async def test_an_absurd_project_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": 2**80}
        )

        assert_error_code(response, 404, "project_not_found")

    async def test_assigning_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)
        await assign(ws, viewer, project_id)

        response = await ws.owner.api.post(
            f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": project_id}
        )

        assert response.status_code == 409
        assert response.json()["error"] == "project_already_assigned"


class TestUnassignProject:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)

        response = await tenants.http.request(
            "DELETE",
            f"/api/v2/project-viewers/{viewer.user_id}/unassign-project",
            json={"workspace_id": ws.id, "project_id": project_id},
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)
        await assign(ws, viewer, project_id)
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 403, "insufficient_scope")
        assert await assigned(ws, viewer) == [project_id]

    async def test_a_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)
        await assign(ws, viewer, project_id)

        response = await viewer.api.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 403, "role_forbidden")

    async def test_unassigns_the_project(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        kept = await make_project(ws)
        removed = await make_project(ws)
        await assign(ws, viewer, kept)
        await assign(ws, viewer, removed)

        response = await ws.owner.api.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project",
            json={"workspace_id": ws.id, "project_id": removed},
            with_workspace=False,
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Project unassigned from viewer successfully"
        assert await assigned(ws, viewer) == [kept]

    async def test_a_viewer_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        viewer = await other.member(role="Project viewer")
        project_id = await make_project(other)
        await assign(other, viewer, project_id)

        response = await ws.owner.api.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project", json={"project_id": project_id}
        )

        assert_error_code(response, 404, "project_viewer_not_found")
        assert await assigned(other, viewer) == [project_id]

    async def test_a_project_not_assigned_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project_id = await make_project(ws)

        response = await ws.owner.api.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project", json={"project_id": project_id}
        )

        assert response.status_code == 404
        assert response.json()["error"] == "project_not_assigned"

    async def test_a_non_integer_project_id_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.delete(
            f"/project-viewers/{viewer.user_id}/unassign-project", json={"project_id": "abc"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"project_id"}
