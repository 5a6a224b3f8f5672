"""D12: managers set the team up while invitations are out. An invited (inactive) member can be given
contracts and tasks before accepting; their time is tracked only once they are active."""

from __future__ import annotations

from typing import Any

from tests.factories import Tenants
from tests.factories.structure import make_project
from tests.factories.workspace import WorkspaceFixture, unique_email
from worktally.member import invitations

TODAY = "2026-01-05"


async def invite(ws: WorkspaceFixture) -> tuple[int, str]:
    """A new member invited through the API: their id and their invitation token."""
    response = await ws.owner.api.post(
        "/members",
        json={"email": unique_email("invited"), "firstname": "Ines", "lastname": "Invited", "role": "Regular User"},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    return data["user_id"], data["invitation_link"].rsplit("/", 1)[1]


async def contract_for(ws: WorkspaceFixture, user_id: int, project_id: int) -> dict[str, Any]:
    response = await ws.owner.api.post("/contracts", json={"project_id": project_id, "user_id": user_id})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def accept(tenants: Tenants, token: str) -> None:
    async with tenants.sessionmaker() as session, session.begin():
        pending = await invitations.find_pending(session, token)
        assert pending is not None
        await invitations.accept(session, pending, password="accepted-at-last")


class TestBeforeAccepting:
    async def test_an_invited_member_gets_a_contract(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        project = await make_project(ws)

        contract = await contract_for(ws, user_id, project)

        assert contract["user_id"] == user_id
        listed = await ws.owner.api.get("/contracts", params={"user_id": user_id})
        assert [c["id"] for c in listed.json()["data"]] == [contract["id"]]
        member = await ws.owner.api.get(f"/members/{user_id}")
        assert member.json()["data"]["status"] == "inactive"

    async def test_an_invited_member_is_a_task_assignee(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        project = await make_project(ws)
        await contract_for(ws, user_id, project)

        created = await ws.owner.api.post(
            "/tasks", json={"project_id": project, "title": "Onboarding", "assignees": [user_id]}
        )
        other = await ws.owner.api.post("/tasks", json={"project_id": project, "title": "Later"})
        assigned = await ws.owner.api.post(f"/tasks/{other.json()['data']['id']}/assign/{user_id}")

        assert created.status_code == 201, created.text
        assert [a["id"] for a in created.json()["data"]["assignees"]] == [user_id]
        assert assigned.status_code == 201, assigned.text

    async def test_without_a_contract_an_invited_member_is_no_assignee(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        project = await make_project(ws)

        response = await ws.owner.api.post(
            "/tasks", json={"project_id": project, "title": "Onboarding", "assignees": [user_id]}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert set(response.json()["errors"]) == {"assignees"}

    async def test_the_tracker_is_refused_until_they_accept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        contract = await contract_for(ws, user_id, await make_project(ws))

        response = await ws.owner.api.post(
            "/time-tracking/start", json={"user_id": user_id, "contract_id": contract["id"]}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "member_not_active"
        assert "not accepted their invitation" in response.json()["errors"]["user_id"][0]

    async def test_time_entries_are_refused_until_they_accept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        contract = await contract_for(ws, user_id, await make_project(ws))

        response = await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": user_id,
                "contract_id": contract["id"],
                "date": TODAY,
                "start_time": "09:00",
                "end_time": "10:00",
            },
        )

        assert response.status_code == 422
        assert response.json()["error"] == "member_not_active"

    async def test_an_archived_member_gets_no_contract(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, _ = await invite(ws)
        await ws.owner.api.delete(f"/members/{user_id}")

        response = await ws.owner.api.post(
            "/contracts", json={"project_id": await make_project(ws), "user_id": user_id}
        )

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert response.json()["errors"]["user_id"] == ["The selected member is archived."]


class TestOnceActive:
    async def test_they_track_on_the_contract_they_were_given(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user_id, token = await invite(ws)
        contract = await contract_for(ws, user_id, await make_project(ws))
        await accept(tenants, token)

        started = await ws.owner.api.post(
            "/time-tracking/start", json={"user_id": user_id, "contract_id": contract["id"]}
        )
        stopped = await ws.owner.api.post("/time-tracking/stop", json={"user_id": user_id})

        assert started.status_code == 200, started.text
        assert started.json()["data"]["contract_id"] == contract["id"]
        assert stopped.status_code == 200, stopped.text
