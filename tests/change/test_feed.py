"""D19: the changes feed over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.factories.workspace import ApiClient
from worktally.change import cursor as cursors
from worktally.core.clock import utc_now
from worktally.db.models import Change


async def feed(api: ApiClient, cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = await api.get("/changes", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def follow(
    api: ApiClient, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    items: list[dict[str, Any]] = []
    while True:
        body = await feed(api, cursor, limit)
        items += body["data"]
        cursor = body["meta"]["next_cursor"]
        if not body["meta"]["has_more"]:
            return items, cursor


class TestFeed:
    async def test_create_update_delete_in_order_with_the_resource(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = (await ws.owner.api.post("/projects", json={"name": "Fed"})).json()["data"]
        await ws.owner.api.put(f"/projects/{created['id']}", json={"name": "Fed again"})
        await ws.owner.api.delete(f"/projects/{created['id']}")

        items, _ = await follow(ws.owner.api)

        mine = [i for i in items if i["type"] == "project" and i["id"] == created["id"]]
        assert [(i["op"], i["data"] and i["data"]["name"]) for i in mine] == [
            ("upsert", "Fed"),
            ("upsert", "Fed again"),
            ("delete", None),
        ]
        assert mine[0]["data"] == created
        cursors_seen = [cursors.decode(i["cursor"]).id for i in items]
        assert cursors_seen == sorted(cursors_seen) and len(set(cursors_seen)) == len(cursors_seen)

    async def test_pages_follow_on_without_gaps_or_repeats(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        for n in range(7):
            await ws.owner.api.post("/projects", json={"name": f"P{n}"})

        everything, _ = await follow(ws.owner.api)
        paged, last = await follow(ws.owner.api, limit=2)

        assert [i["cursor"] for i in paged] == [i["cursor"] for i in everything]
        assert len([i for i in everything if i["type"] == "project"]) == 7
        after = await feed(ws.owner.api, last)
        assert after["data"] == [] and after["meta"]["has_more"] is False and after["meta"]["next_cursor"] == last

    async def test_a_rolled_back_change_appears_nowhere(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user = await ws.member()
        project = await make_project(ws, name="Shared")
        await make_contract(ws, user, project)
        _, start = await follow(ws.owner.api)

        refused = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": user.user_id})

        assert_error_code(refused, 409, "contract_exists")
        items, _ = await follow(ws.owner.api, start)
        assert items == []

    async def test_another_workspace_sees_nothing(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        await ws.owner.api.post("/projects", json={"name": "Private"})

        items, _ = await follow(other.owner.api)

        assert all(i["data"] is None or i["data"].get("name") != "Private" for i in items)


class TestCursor:
    async def test_an_expired_cursor_is_410(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        old = cursors.encode(1, utc_now() - timedelta(days=31), 1)

        response = await ws.owner.api.get("/changes", params={"cursor": old})

        assert response.status_code == 410
        assert response.json()["error"] == "cursor_expired"

    @pytest.mark.parametrize(
        "bad", ["nope", "Yzk=", "a" * 300, "YzEuMS4xNzk2Mjg3NjIwMzcyO!!!"]
    )  # the last: a cursor, mangled
    async def test_a_foreign_cursor_is_422(self, tenants: Tenants, bad: str) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/changes", params={"cursor": bad})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert "cursor" in response.json()["errors"]

    @pytest.mark.parametrize("limit", [0, 1001, -1])
    async def test_limit_out_of_range_is_422(self, tenants: Tenants, limit: int) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/changes", params={"limit": limit})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.http.get("/api/v2/changes", params={"workspace_id": ws.id})

        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"


class TestRetention:
    async def test_old_changes_are_purged_in_batches(self, tenants: Tenants) -> None:
        from worktally.change.repository import purge_before

        ws = await tenants.workspace()
        await ws.owner.api.post("/projects", json={"name": "Old"})
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(Change).where(Change.workspace_id == ws.id).values(changed_at=utc_now() - timedelta(days=40))
            )
            purged = await purge_before(session, cutoff=utc_now() - timedelta(days=30), batch=100_000)

        assert purged >= 1
        items, _ = await follow(ws.owner.api)
        assert items == []


class TestCommitOrder:
    async def test_a_change_committed_later_with_a_lower_id_is_not_skipped(
        self, tenants: Tenants, is_postgres: bool
    ) -> None:
        if not is_postgres:
            pytest.skip("SQLite serialises writers: ids are in commit order")
        import asyncio

        from worktally.webhook.events import record_event

        ws = await tenants.workspace()
        _, start = await follow(ws.owner.api)
        early = tenants.sessionmaker()
        try:
            # A transaction draws a change id and stays open; a later one draws a higher id and commits first.
            await record_event(early, workspace_id=ws.id, type="project.created", data={"id": 10_001, "name": "Early"})
            await ws.owner.api.post("/projects", json={"name": "Late"})

            reader = asyncio.ensure_future(follow(ws.owner.api, start))
            await wait_for_lock_waiter(tenants)  # the reader waits for the open writer, not past it
            assert not reader.done()
            await early.commit()
            items, _ = await reader
        finally:
            await early.close()

        assert [i["data"]["name"] for i in items] == ["Early", "Late"]


async def wait_for_lock_waiter(tenants: Tenants) -> None:
    """Until some session waits for an advisory lock (the feed's), checked in the database itself."""
    for _ in range(2000):
        async with tenants.sessionmaker() as session:
            waiting = await session.scalar(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = :c"),
                {"c": 0x57544348},
            )
        if waiting:
            return
    raise AssertionError("the reader never waited for the feed lock")


class TestHousekeeping:
    async def test_the_worker_pass_purges_old_changes_and_expired_keys(self, tenants: Tenants) -> None:
        from sqlalchemy import func, select

        from worktally.change.retention import purge_expired
        from worktally.db.models import IdempotencyKey

        ws = await tenants.workspace()
        await ws.owner.api.post("/projects", json={"name": "Old"}, headers={"Idempotency-Key": "housekeeping"})
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(Change).where(Change.workspace_id == ws.id).values(changed_at=utc_now() - timedelta(days=31))
            )
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.workspace_id == ws.id)
                .values(expires_at=utc_now() - timedelta(minutes=1))
            )

        await purge_expired(tenants.sessionmaker, changes_retention_days=30, batch=1)

        async with tenants.sessionmaker() as session:
            left = await session.scalar(select(func.count()).select_from(Change).where(Change.workspace_id == ws.id))
            keys = await session.scalar(
                select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.workspace_id == ws.id)
            )
        assert left == 0
        assert keys == 0


class TestReach:
    """change/reach.py: a member whose reach changed lists afresh (410), others follow on."""

    async def test_a_new_contract_expires_the_members_cursor_only(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        _, member_cursor = await follow(member.api)
        await ws.owner.api.post("/projects", json={"name": "Before"})
        _, owner_cursor = await follow(ws.owner.api)
        assert member_cursor is None or isinstance(member_cursor, str)
        project = (await ws.owner.api.post("/projects", json={"name": "Gained"})).json()["data"]["id"]
        if member_cursor is None:  # nothing visible yet: a position before the contract
            member_cursor = cursors.encode(0, utc_now(), 0)

        gained = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})
        assert gained.status_code == 201, gained.text

        expired = await member.api.get("/changes", params={"cursor": member_cursor})
        assert_error_code(expired, 410, "cursor_expired")
        owner_items, _ = await follow(ws.owner.api, owner_cursor)  # the Owner saw everything: no restart
        assert {i["type"] for i in owner_items} >= {"project", "contract"}
        items, fresh = await follow(member.api)  # from the start: the project it gained is there
        assert any(i["type"] == "project" and i["id"] == project for i in items)
        assert all(i["type"] != "reach" for i in items)
        again = await member.api.get("/changes", params={"cursor": fresh})
        assert again.status_code == 200, again.text

    async def test_an_archived_projects_contracts_are_deleted_in_the_feed(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        project = (await ws.owner.api.post("/projects", json={"name": "Archived"})).json()["data"]["id"]
        created = await ws.owner.api.post("/contracts", json={"project_id": project, "user_id": member.user_id})
        contract = created.json()["data"]["id"]
        _, cursor = await follow(ws.owner.api)

        archived = await ws.owner.api.delete(f"/projects/{project}")
        assert archived.status_code == 200, archived.text

        items, _ = await follow(ws.owner.api, cursor)
        assert ("contract", contract, "delete") in {(i["type"], i["id"], i["op"]) for i in items}
        assert contract not in {c["id"] for c in (await ws.owner.api.get("/contracts")).json()["data"]}
