from __future__ import annotations

from sqlalchemy import update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.member.helpers import events, membership
from worktally.db.models import Membership


class TestArchiveMember:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await tenants.http.delete(f"/api/v2/members/{member.user_id}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        member = await ws.member()

        response = await manager.api.delete(f"/members/{member.user_id}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.delete(f"/members/{member.user_id}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_member_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        stranger = await other.member()

        response = await ws.owner.api.delete(f"/members/{stranger.user_id}")

        assert_error_code(response, 404, "member_not_found")
        row = await membership(other, stranger.user_id)
        assert row is not None and row.status == "active"

    async def test_archives_the_member(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.delete(f"/members/{member.user_id}")

        assert response.status_code == 200
        assert response.json()["message"] == "Member archived successfully"
        assert response.json()["data"] is None
        row = await membership(ws, member.user_id)
        assert row is not None
        assert row.status == "left"
        assert row.deleted_at is not None

    async def test_the_workspace_id_may_come_in_the_body(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.delete(
            f"/members/{member.user_id}", json={"workspace_id": ws.id}, with_workspace=False
        )

        assert response.status_code == 200
        read = await ws.owner.api.get(f"/members/{member.user_id}")
        assert read.json()["data"]["status"] == "left"

    async def test_an_archived_member_is_still_listed_as_left(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        await ws.owner.api.delete(f"/members/{member.user_id}")

        listed = await ws.owner.api.get("/members", params={"status": "left"})
        assert [m["id"] for m in listed.json()["data"]] == [member.user_id]
        assert listed.json()["data"][0]["deleted_at"] is not None

    async def test_records_archived_and_deleted_events(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        await ws.owner.api.delete(f"/members/{member.user_id}")

        [archived] = await events(ws, "member.archived")
        [deleted] = await events(ws, "member.deleted")
        assert archived["data"]["id"] == deleted["data"]["id"] == member.user_id
        assert archived["data"]["status"] == "left"

    async def test_the_archived_members_tokens_stop_working(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        await ws.owner.api.delete(f"/members/{member.user_id}")

        response = await member.api.get("/members")
        assert_error_code(response, 401, "unauthenticated")

    async def test_a_member_active_elsewhere_loses_only_this_workspace(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        member = await ws.member()
        async with tenants.sessionmaker() as session, session.begin():
            session.add(Membership(workspace_id=other.id, user_id=member.user_id, role="Regular User", status="active"))

        await ws.owner.api.delete(f"/members/{member.user_id}")

        here = await member.api.get("/members")
        there = await member.api.get("/members", params={"workspace_id": other.id})
        assert_error_code(here, 403, "not_a_member")
        assert there.status_code == 200

    async def test_the_owner_cannot_be_archived(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await executive.api.delete(f"/members/{ws.owner.user_id}")

        assert response.status_code == 403
        assert response.json()["error"] == "owner_protected"

    async def test_an_executive_manager_cannot_archive_another(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")
        colleague = await ws.member(role="Executive manager")

        response = await executive.api.delete(f"/members/{colleague.user_id}")

        assert_error_code(response, 403, "executive_manager_protected")
        row = await membership(ws, colleague.user_id)
        assert row is not None and row.status == "active"

    async def test_the_owner_can_archive_an_executive_manager(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")

        response = await ws.owner.api.delete(f"/members/{executive.user_id}")

        assert response.status_code == 200
        read = await ws.owner.api.get(f"/members/{executive.user_id}")
        assert read.json()["data"]["status"] == "left"

    async def test_archiving_twice_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await ws.owner.api.delete(f"/members/{member.user_id}")

        response = await ws.owner.api.delete(f"/members/{member.user_id}")

        assert response.status_code == 409
        assert response.json()["error"] == "member_already_archived"


class TestRestoreMember:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post(
            f"/api/v2/members/{ws.owner.user_id}/restore", params={"workspace_id": ws.id}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_a_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        left = await ws.member(status="left")

        response = await member.api.post(f"/members/{left.user_id}/restore")

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        left = await ws.member(status="left")
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.post(f"/members/{left.user_id}/restore")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_member_of_another_workspace_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        left = await other.member(status="left")

        response = await ws.owner.api.post(f"/members/{left.user_id}/restore")

        assert_error_code(response, 404, "member_not_found")
        row = await membership(other, left.user_id)
        assert row is not None and row.status == "left"

    async def test_restores_an_accepted_member_to_active(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await ws.owner.api.delete(f"/members/{member.user_id}")

        response = await ws.owner.api.post(f"/members/{member.user_id}/restore")

        assert response.status_code == 200
        assert response.json()["message"] == "Member restored successfully"
        assert response.json()["data"]["status"] == "active"
        assert response.json()["data"]["deleted_at"] is None

    async def test_restores_a_member_who_never_accepted_to_inactive(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        invited = await ws.owner.api.post(
            "/members", json={"email": "late@example.com", "firstname": "L", "lastname": "A", "role": "Regular User"}
        )
        user_id = invited.json()["data"]["user_id"]
        await ws.owner.api.delete(f"/members/{user_id}")

        response = await ws.owner.api.post(f"/members/{user_id}/restore")

        assert response.json()["data"]["status"] == "inactive"

    async def test_restoring_an_active_member_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.post(f"/members/{member.user_id}/restore")

        assert response.status_code == 409
        assert response.json()["error"] == "member_not_archived"

    async def test_records_a_member_activated_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(Membership)
                .where(Membership.workspace_id == ws.id, Membership.user_id == member.user_id)
                .values(status="left")
            )

        await ws.owner.api.post(f"/members/{member.user_id}/restore")

        [payload] = await events(ws, "member.activated")
        assert payload["data"]["id"] == member.user_id

    async def test_is_tagged_as_an_extension_in_openapi(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/openapi.json")

        operation = response.json()["paths"]["/api/v2/members/{memberId}/restore"]["post"]
        assert operation["x-worktally-extension"] is True
