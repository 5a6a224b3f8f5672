"""D2/D3: ``workspace_id`` from the query string or the JSON body; given more than once, every value must agree."""

from __future__ import annotations

import json

import httpx

from tests.factories import Tenants
from tests.factories.workspace import ApiClient


async def _get(api: ApiClient, query: str) -> httpx.Response:
    """``GET /projects?<query>`` as ``api``'s token, the query exactly as written."""
    return await api.http.get(f"/api/v2/projects?{query}", headers={"Authorization": f"Bearer {api.token}"})


class TestWorkspaceIdGivenTwice:
    async def test_two_values_in_the_query_are_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await _get(ws.owner.api, f"workspace_id={ws.id}&workspace_id={other.id}")

        assert response.status_code == 400
        assert response.json()["error"] == "workspace_id_conflict"
        assert "workspace_id" in response.json()["message"]

    async def test_the_last_value_does_not_win_even_when_it_is_the_callers(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await _get(ws.owner.api, f"workspace_id={other.id}&workspace_id={ws.id}")

        assert response.status_code == 400
        assert response.json()["error"] == "workspace_id_conflict"

    async def test_the_same_value_twice_is_fine(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await _get(ws.owner.api, f"workspace_id={ws.id}&workspace_id={ws.id}")

        assert response.status_code == 200
        assert response.json()["success"] is True

    async def test_the_same_number_spelt_twice_ways_is_the_same_value(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await _get(ws.owner.api, f"workspace_id={ws.id}&workspace_id=0{ws.id}")

        assert response.status_code == 200
        assert response.json()["success"] is True

    async def test_a_bad_second_value_is_400_invalid(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await _get(ws.owner.api, f"workspace_id={ws.id}&workspace_id=abc")

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_workspace_id"

    async def test_query_and_body_that_disagree_are_400_and_nothing_is_created(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", params={"workspace_id": ws.id}, json={"workspace_id": other.id, "name": "Twice"}
        )

        assert response.status_code == 400
        assert response.json()["error"] == "workspace_id_conflict"
        listed = await ws.owner.api.get("/projects")
        assert "Twice" not in [p["name"] for p in listed.json()["data"]]

    async def test_query_and_body_that_agree_are_fine(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", params={"workspace_id": ws.id}, json={"workspace_id": ws.id, "name": "Once"}
        )

        assert response.status_code == 201
        created = await ws.owner.api.get(f"/projects/{response.json()['data']['id']}")
        assert created.json()["data"]["name"] == "Once"

    async def test_a_body_naming_it_twice_with_two_values_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        raw = f'{{"workspace_id": {other.id}, "name": "Dup", "workspace_id": {ws.id}}}'

        response = await ws.owner.api.post(
            "/projects", content=raw, headers={"Content-Type": "application/json"}, with_workspace=False
        )

        assert response.status_code == 400
        assert response.json()["error"] == "workspace_id_conflict"

    async def test_a_body_naming_it_twice_with_one_value_is_fine(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        raw = json.dumps({"workspace_id": ws.id, "name": "Dup"})[:-1] + f', "workspace_id": {ws.id}}}'

        response = await ws.owner.api.post(
            "/projects", content=raw, headers={"Content-Type": "application/json"}, with_workspace=False
        )

        assert response.status_code == 201
        assert response.json()["data"]["name"] == "Dup"
