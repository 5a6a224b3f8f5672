from __future__ import annotations

from tests.errors import assert_error_code
from tests.factories import Tenants


class TestGetMember:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get(f"/api/v2/members/{ws.owner.user_id}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get(f"/members/{ws.owner.user_id}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_returns_the_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Team manager", timezone="Asia/Tokyo")

        response = await ws.owner.api.get(f"/members/{member.user_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Member retrieved successfully"
        data = response.json()["data"]
        assert data["id"] == member.user_id
        assert data["current_role"] == "Team manager"
        assert data["timezone"] == "Asia/Tokyo"

    async def test_a_member_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        stranger = await other.member()

        response = await ws.owner.api.get(f"/members/{stranger.user_id}")

        assert response.status_code == 404
        assert response.json()["error"] == "member_not_found"

    async def test_an_unknown_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/members/999999999")

        assert_error_code(response, 404, "member_not_found")

    async def test_an_id_beyond_64_bits_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get(f"/members/{2**70}")

        assert_error_code(response, 404, "member_not_found")

    async def test_a_non_integer_id_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/members/abc")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"memberId"}

    async def test_a_regular_user_reads_themself(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await member.api.get(f"/members/{member.user_id}")

        assert response.status_code == 200
        assert response.json()["data"]["id"] == member.user_id
        assert response.json()["data"]["email"] == member.email

    async def test_a_regular_user_cannot_read_a_colleague(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        colleague = await ws.member()

        response = await member.api.get(f"/members/{colleague.user_id}")

        assert_error_code(response, 404, "member_not_found")

    async def test_a_project_viewer_can_be_read_by_the_owner(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.get(f"/members/{viewer.user_id}")

        assert response.json()["data"]["current_role"] == "Project viewer"
