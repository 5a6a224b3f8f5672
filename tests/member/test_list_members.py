from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import event, update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_team
from tests.member.helpers import bulk_members
from worktally.db.models import Membership, Team, TeamMember

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
MEMBER_FIELDS = {
    "id",
    "email",
    "firstname",
    "lastname",
    "avatar",
    "current_role",
    "timezone",
    "status",
    "team_id",
    "team_name",
    "title",
    "rate",
    "rate_status",
    "rate_type",
    "currency",
    "screenshots",
    "weekly_hours_limit",
    "is_blocked",
    "created_at",
    "updated_at",
    "deleted_at",
}


def ids(response: object) -> list[int]:
    return [m["id"] for m in response.json()["data"]]  # type: ignore[attr-defined]


class TestListMembers:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/members", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")
        assert response.json()["success"] is False

    async def test_a_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        write_only = await ws.token_for(ws.owner, frozenset({"write"}))

        response = await write_only.get("/members")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_a_read_only_token_may_list(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        read_only = await ws.token_for(ws.owner, frozenset({"read"}))

        response = await read_only.get("/members")

        assert response.status_code == 200
        assert ws.owner.user_id in {m["id"] for m in response.json()["data"]}

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await ws.owner.api.get("/members", params={"workspace_id": other.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_lists_members_with_the_catalogue_fields(self, tenants: Tenants) -> None:
        ws = await tenants.workspace(timezone="Europe/Paris")
        member = await ws.member(role="Regular User", firstname="Rita", lastname="Regular")

        response = await ws.owner.api.get("/members")

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Members retrieved successfully"
        assert ids(response) == [ws.owner.user_id, member.user_id]
        item = body["data"][1]
        assert set(item) == MEMBER_FIELDS
        assert item["email"] == member.email
        assert item["firstname"] == "Rita"
        assert item["current_role"] == "Regular User"
        assert item["status"] == "active"
        assert item["timezone"] == "Europe/Paris"
        assert TIMESTAMP.match(item["created_at"])
        assert item["deleted_at"] is None
        assert body["meta"]["pagination"]["total"] == 2

    async def test_filters_by_email_exactly_and_case_insensitively(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await ws.member()

        response = await ws.owner.api.get("/members", params={"email": member.email.upper()})

        assert ids(response) == [member.user_id]

    async def test_an_email_prefix_matches_nothing(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()

        response = await ws.owner.api.get("/members", params={"email": member.email[:5]})

        assert ids(response) == []

    async def test_filters_by_status(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await ws.member()
        inactive = await ws.member(status="inactive")

        response = await ws.owner.api.get("/members", params={"status": "inactive"})

        assert ids(response) == [inactive.user_id]

    async def test_filters_by_role(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await ws.member(role="Regular User")
        manager = await ws.member(role="Team manager")

        response = await ws.owner.api.get("/members", params={"role": "Team manager"})

        assert ids(response) == [manager.user_id]

    async def test_leaves_out_project_viewers(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await ws.member(role="Project viewer")

        response = await ws.owner.api.get("/members")

        assert ids(response) == [ws.owner.user_id]

    async def test_lists_project_viewers_when_asked(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")

        response = await ws.owner.api.get("/members", params={"role": "Project viewer"})

        assert ids(response) == [viewer.user_id]

    async def test_bad_filters_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/members", params={"status": "gone", "role": "Boss"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"status", "role"}

    async def test_bad_paging_is_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/members", params={"page": 0, "per_page": 101})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"page", "per_page"}

    async def test_team_name_comes_from_the_members_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        team_id = await make_team(ws, name="Development Team", members=[member])

        response = await ws.owner.api.get("/members", params={"email": member.email})

        [item] = response.json()["data"]
        assert item["team_name"] == "Development Team"
        assert item["team_id"] == team_id

    async def test_managing_a_team_does_not_make_it_your_team(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")
        await make_team(ws, name="Managed", managers=[manager])

        response = await ws.owner.api.get("/members", params={"email": manager.email})

        assert response.json()["data"][0]["team_name"] is None


class TestMemberRates:
    async def _set_rate(self, tenants: Tenants, workspace_id: int, user_id: int) -> None:
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(Membership)
                .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
                .values(rate=Decimal("42.50"))
            )

    async def test_the_owner_sees_every_rate_as_a_number(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await self._set_rate(tenants, ws.id, member.user_id)

        response = await ws.owner.api.get(f"/members/{member.user_id}")

        assert response.json()["data"]["rate"] == 42.5

    async def test_a_member_with_rate_status_1_sees_their_own_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(rate_status=1)
        await self._set_rate(tenants, ws.id, member.user_id)

        response = await member.api.get(f"/members/{member.user_id}")

        assert response.json()["data"]["rate"] == 42.5

    async def test_a_member_with_rate_status_0_does_not_see_their_rate(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(rate_status=0)
        await self._set_rate(tenants, ws.id, member.user_id)

        response = await member.api.get(f"/members/{member.user_id}")

        assert response.json()["data"]["rate"] is None

    async def test_a_team_manager_does_not_see_their_members_rates(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager", rate_status=1)
        member = await ws.member()
        await make_team(ws, members=[member], managers=[manager])
        await self._set_rate(tenants, ws.id, member.user_id)

        response = await manager.api.get(f"/members/{member.user_id}")

        assert response.json()["data"]["rate"] is None


class TestMembersPaging:
    async def test_pages_through_1000_members_seeing_each_once(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await bulk_members(ws, 1000)

        seen: list[int] = []
        for page in range(1, 12):
            response = await ws.owner.api.get("/members", params={"page": page, "per_page": 100})
            assert response.status_code == 200
            seen.extend(ids(response))

        assert sorted(seen) == sorted([ws.owner.user_id, *created])
        assert len(seen) == len(set(seen)) == 1001
        assert response.json()["meta"]["pagination"]["last_page"] == 11

    async def test_a_page_of_100_members_costs_a_small_constant_number_of_statements(
        self, tenants: Tenants, app: object
    ) -> None:
        ws = await tenants.workspace()
        member_ids = await bulk_members(ws, 150)
        async with tenants.sessionmaker() as session, session.begin():
            team = Team(workspace_id=ws.id, name="Big")
            session.add(team)
            await session.flush()
            session.add_all(TeamMember(team_id=team.id, user_id=uid, is_manager=False) for uid in member_ids[:100])
        engine = app.state.engine.sync_engine  # type: ignore[attr-defined]
        statements: list[str] = []

        def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        await ws.owner.api.get("/members", params={"per_page": 1})  # warm up (last_used_at etc.)
        event.listen(engine, "before_cursor_execute", count)
        try:
            small = await ws.owner.api.get("/members", params={"per_page": 1})
            small_count = len(statements)
            statements.clear()
            big = await ws.owner.api.get("/members", params={"per_page": 100})
            big_count = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)

        assert len(small.json()["data"]) == 1
        assert len(big.json()["data"]) == 100
        assert big_count == small_count
        assert big_count <= 6, statements
