"""D18: Idempotency-Key on writes, over HTTP on a real database."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.idempotency.helpers import events_named, projects_named
from worktally.core.clock import utc_now
from worktally.db.models import IdempotencyKey
from worktally.idempotency.keys import lock_id
from worktally.idempotency.repository import purge_expired


def key() -> str:
    return "k-" + secrets.token_urlsafe(12)


def h(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


class TestReplay:
    async def test_a_repeat_answers_the_same_and_changes_nothing(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        k, body = key(), {"name": "Replayed " + secrets.token_hex(3)}

        first = await ws.owner.api.post("/projects", json=body, headers=h(k))
        second = await ws.owner.api.post("/projects", json=body, headers=h(k))

        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        assert second.status_code == 201
        assert second.headers["idempotent-replayed"] == "true"
        assert second.content == first.content
        assert second.headers["content-type"] == first.headers["content-type"]
        assert await projects_named(tenants.sessionmaker, ws.id, body["name"]) == 1
        assert await events_named(tenants.sessionmaker, ws.id, "project.created", body["name"]) == 1

    async def test_without_the_header_a_repeat_is_a_second_write(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        body = {"name": "Twice " + secrets.token_hex(3)}

        await ws.owner.api.post("/projects", json=body)
        await ws.owner.api.post("/projects", json=body)

        assert await projects_named(tenants.sessionmaker, ws.id, body["name"]) == 2

    async def test_a_repeated_delete_replays_its_200_instead_of_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = (await ws.owner.api.post("/projects", json={"name": "Gone"})).json()["data"]
        k = key()

        first = await ws.owner.api.delete(f"/projects/{created['id']}", headers=h(k))
        second = await ws.owner.api.delete(f"/projects/{created['id']}", headers=h(k))
        unkeyed = await ws.owner.api.delete(f"/projects/{created['id']}")

        assert first.status_code == 200
        assert (second.status_code, second.content) == (200, first.content)
        assert second.headers["idempotent-replayed"] == "true"
        assert_error_code(unkeyed, 404, "project_not_found")

    async def test_tracker_start_and_stop_are_replayed(self, tenants: Tenants) -> None:
        from tests.time_entry.helpers import booked

        b = await booked(tenants)
        start, stop = key(), key()
        body = {"contract_id": b.contract_id}

        started = [await b.member.api.post("/time-tracking/start", json=body, headers=h(start)) for _ in range(2)]
        stopped = [await b.member.api.post("/time-tracking/stop", json={}, headers=h(stop)) for _ in range(2)]

        assert [r.status_code for r in started] == [200, 200], started[0].text
        assert started[1].content == started[0].content
        assert [r.status_code for r in stopped] == [200, 200], stopped[0].text
        assert stopped[1].content == stopped[0].content


class TestReuse:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/projects", {"name": "Other body"}),
            ("PUT", "/projects/1", {"name": "Same body"}),
            ("POST", "/teams", {"name": "Same body"}),
        ],
    )
    async def test_same_key_for_another_request_is_422(
        self, tenants: Tenants, method: str, path: str, body: dict[str, Any]
    ) -> None:
        ws = await tenants.workspace()
        k = key()
        await ws.owner.api.post("/projects", json={"name": "Same body"}, headers=h(k))

        response = await ws.owner.api.request(method, path, json=body, headers=h(k))

        assert response.status_code == 422
        assert response.json()["error"] == "idempotency_key_reused"

    async def test_another_users_key_never_replays(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Executive manager")
        k, body = key(), {"name": "Scoped " + secrets.token_hex(3)}

        mine = await ws.owner.api.post("/projects", json=body, headers=h(k))
        theirs = await manager.api.post("/projects", json=body, headers=h(k))

        assert mine.status_code == theirs.status_code == 201
        assert "idempotent-replayed" not in theirs.headers
        assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]
        assert await projects_named(tenants.sessionmaker, ws.id, body["name"]) == 2

    async def test_the_same_key_in_another_workspace_is_another_key(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        k = key()

        here = await ws.owner.api.post("/projects", json={"name": "Here"}, headers=h(k))
        there = await other.owner.api.post("/projects", json={"name": "Here"}, headers=h(k))

        assert here.status_code == there.status_code == 201
        assert "idempotent-replayed" not in there.headers


class TestNotStored:
    async def test_a_refused_request_can_be_corrected_under_the_same_key(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        k = key()

        refused = await ws.owner.api.post("/projects", json={"name": ""}, headers=h(k))
        corrected = await ws.owner.api.post("/projects", json={"name": "Corrected"}, headers=h(k))

        assert refused.status_code == 422
        assert refused.json()["error"] == "validation_failed"
        assert corrected.status_code == 201
        assert "idempotent-replayed" not in corrected.headers

    async def test_a_forbidden_request_stores_nothing(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        user = await ws.member(role="Regular User")
        k = key()

        response = await user.api.post("/projects", json={"name": "Nope"}, headers=h(k))

        assert response.status_code == 403
        assert response.json()["error"] == "role_forbidden"
        async with tenants.sessionmaker() as session:
            assert (await session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == k))).first() is None

    @pytest.mark.parametrize("bad", ["", "x" * 256, "clé", "with space", "tab\tkey"])
    async def test_a_malformed_key_is_400(self, tenants: Tenants, bad: str) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects",
            json={"name": "Bad key"},
            headers={"Idempotency-Key": bad.encode()},  # type: ignore[dict-item]
        )

        assert response.status_code == 400
        assert response.json()["error"] == "invalid_idempotency_key"
        assert await projects_named(tenants.sessionmaker, ws.id, "Bad key") == 0

    async def test_the_longest_key_is_accepted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "Long"}, headers=h("~" * 255))

        assert response.status_code == 201
        replay = await ws.owner.api.post("/projects", json={"name": "Long"}, headers=h("~" * 255))
        assert replay.json()["data"]["id"] == response.json()["data"]["id"]  # kept and replayed, not a second project


class TestExpiry:
    async def test_an_expired_key_is_a_new_key_and_is_purged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        k, body = key(), {"name": "Expiring " + secrets.token_hex(3)}
        await ws.owner.api.post("/projects", json=body, headers=h(k))
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == k)
                .values(expires_at=utc_now() - timedelta(seconds=1))
            )

        again = await ws.owner.api.post("/projects", json=body, headers=h(k))

        assert again.status_code == 201
        assert "idempotent-replayed" not in again.headers
        assert await projects_named(tenants.sessionmaker, ws.id, body["name"]) == 2
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == k)
                .values(expires_at=utc_now() - timedelta(seconds=1))
            )
            assert await purge_expired(session, now=utc_now(), batch=100_000) >= 1
            assert (await session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == k))).first() is None

    async def test_answers_are_kept_for_the_configured_hours(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        k = key()
        before = utc_now()

        await ws.owner.api.post("/projects", json={"name": "Kept"}, headers=h(k))

        async with tenants.sessionmaker() as session:
            stored = (await session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == k))).one()
        assert stored.caller == f"user:{ws.owner.user_id}" and stored.workspace_id == ws.id
        assert timedelta(hours=23, minutes=59) < stored.expires_at - before <= timedelta(hours=24, minutes=1)


class TestInFlight:
    async def test_a_key_held_by_another_transaction_is_409_with_retry_after(
        self, tenants: Tenants, is_postgres: bool
    ) -> None:
        if not is_postgres:
            pytest.skip("SQLite serialises writers: a repeat waits for the first and replays it")
        ws = await tenants.workspace()
        k = key()
        async with tenants.sessionmaker() as session, session.begin():
            # Another request (of any process) holding the key: its transaction holds the key's lock.
            await session.execute(
                text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock_id(f"user:{ws.owner.user_id}", ws.id, k)}
            )

            response = await ws.owner.api.post("/projects", json={"name": "In flight"}, headers=h(k))

        assert response.status_code == 409
        assert response.json()["error"] == "idempotency_key_in_flight"
        assert response.headers["retry-after"] == "1"
        assert await projects_named(tenants.sessionmaker, ws.id, "In flight") == 0


class TestOpenApi:
    async def test_every_write_declares_the_header(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/api/v2/openapi.json")).json()

        writes = [
            (path, method, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if method in ("post", "put", "delete", "patch") and path.startswith("/api/v2/")
        ]

        assert writes
        for path, method, operation in writes:
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            assert "Idempotency-Key" in names, (method, path)
        reads = [op for item in document["paths"].values() for m, op in item.items() if m == "get"]
        assert all("Idempotency-Key" not in [p["name"] for p in op.get("parameters", [])] for op in reads)


class TestClientCredentials:
    async def test_an_apps_keys_are_the_apps_not_its_owners(self, tenants: Tenants, client: httpx.AsyncClient) -> None:
        from tests.auth.kit import register_client

        ws = await tenants.workspace()
        app = await register_client(tenants.sessionmaker, ws.owner.user_id, public=False)

        async def app_token() -> str:
            response = await client.post(
                "https://testserver/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(app.client_id, app.client_secret or ""),
            )
            assert response.status_code == 200, response.text
            token: str = response.json()["access_token"]
            return token

        k, body = key(), {"workspace_id": ws.id, "name": "By the app " + secrets.token_hex(3)}
        first, second = await app_token(), await app_token()

        by_app = await client.post("/api/v2/projects", json=body, headers={"Authorization": f"Bearer {first}", **h(k)})
        again = await client.post("/api/v2/projects", json=body, headers={"Authorization": f"Bearer {second}", **h(k)})
        by_owner = await ws.owner.api.post("/projects", json=body, headers=h(k))

        assert by_app.status_code == 201, by_app.text
        assert (again.status_code, again.content) == (201, by_app.content)
        assert again.headers["idempotent-replayed"] == "true"
        assert by_owner.status_code == 201 and "idempotent-replayed" not in by_owner.headers
        assert await projects_named(tenants.sessionmaker, ws.id, body["name"]) == 2
