from __future__ import annotations

import re

from tests.errors import assert_error_code
from tests.factories import Tenants

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


class TestListWorkspaces:
    async def test_lists_the_callers_workspaces_in_the_envelope(self, tenants: Tenants) -> None:
        ws = await tenants.workspace(name="Acme")

        response = await ws.owner.api.get("/workspaces", with_workspace=False)

        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert body["meta"]["api_version"] == "2.0.0"
        assert TIMESTAMP.match(body["meta"]["timestamp"])
        assert body["meta"]["pagination"] == {
            "total": 1,
            "per_page": 20,
            "current_page": 1,
            "last_page": 1,
            "from": 1,
            "to": 1,
        }
        [item] = body["data"]
        assert item["id"] == ws.id
        assert item["workspace_name"] == "Acme"
        assert item["owner_id"] == ws.owner.user_id
        assert item["user_id"] == ws.owner.user_id
        assert item["role"] == "Owner"
        assert item["status"] == "active"
        assert TIMESTAMP.match(item["created_at"])
        assert TIMESTAMP.match(item["activated_at"])  # D1: not the catalogue's "Y-m-d H:i:s"

    async def test_a_member_sees_only_workspaces_they_belong_to(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await ws.member(role="Regular User")

        response = await member.api.get("/workspaces", with_workspace=False)

        ids = [w["id"] for w in response.json()["data"]]
        assert ids == [ws.id]
        assert other.id not in ids
        assert response.json()["data"][0]["role"] == "Regular User"

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/workspaces")

        assert_error_code(response, 401, "unauthenticated")
        assert response.json()["success"] is False
        assert response.json()["message"]

    async def test_pages_beyond_the_last_are_empty_with_null_from_and_to(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/workspaces", params={"page": 5}, with_workspace=False)

        assert response.status_code == 200
        assert response.json()["data"] == []
        pagination = response.json()["meta"]["pagination"]
        assert pagination["from"] is None and pagination["to"] is None
        assert pagination["current_page"] == 5

    async def test_bad_paging_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/workspaces", params={"page": 0, "per_page": 101}, with_workspace=False)

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"page", "per_page"}
