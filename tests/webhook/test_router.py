"""The webhook endpoints (catalogue §3.14, D11): permissions, tenancy, validation, happy paths."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from sqlalchemy import select, update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.webhook.helpers import create_webhook, delivery_ids, emit
from worktally.core.clock import utc_now
from worktally.db.models import Webhook, WebhookAttempt, WebhookDelivery
from worktally.webhook.events import EVENT_TYPES

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
READ_ONLY = frozenset({"read"})
WRITE_ONLY = frozenset({"write"})


class TestListWebhooks:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.get("/api/v2/webhooks", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")

        response = await member.api.get("/webhooks")

        assert_error_code(response, 403, "role_forbidden")

    async def test_project_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")

        response = await manager.api.get("/webhooks")

        assert_error_code(response, 403, "role_forbidden")

    async def test_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get("/webhooks")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_missing_workspace_id_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/webhooks", with_workspace=False)

        assert_error_code(response, 400, "workspace_id_required")

    async def test_lists_only_this_workspaces_webhooks(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        mine = await create_webhook(ws)
        await create_webhook(other)

        response = await ws.owner.api.get("/webhooks")

        assert response.status_code == 200
        assert [w["id"] for w in response.json()["data"]] == [mine["id"]]
        assert response.json()["meta"]["pagination"]["total"] == 1

    async def test_executive_manager_sees_webhooks_with_their_tokens(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        executive = await ws.member(role="Executive manager")
        created = await create_webhook(ws)

        response = await executive.api.get("/webhooks")

        [item] = response.json()["data"]
        assert item == created

    async def test_pages_with_bad_per_page_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/webhooks", params={"per_page": 0})

        assert_error_code(response, 422, "validation_failed")
        assert "per_page" in response.json()["errors"]

    async def test_deleted_webhooks_are_not_listed(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await ws.owner.api.delete(f"/webhooks/{created['id']}")

        response = await ws.owner.api.get("/webhooks")

        assert response.json()["data"] == []


class TestCreateWebhook:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await tenants.http.post(
            "/api/v2/webhooks", json={"workspace_id": ws.id, "url": "https://a.example/h", "events": ["task.created"]}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_team_manager_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Team manager")

        response = await manager.api.post("/webhooks", json={"url": "https://a.example/h", "events": ["task.created"]})

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.post("/webhooks", json={"url": "https://a.example/h", "events": ["task.created"]})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get("/webhooks")).json()["data"] == []

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks",
            json={"workspace_id": other.id, "url": "https://a.example/h", "events": ["task.created"]},
            with_workspace=False,
        )

        assert_error_code(response, 403, "not_a_member")
        assert (await other.owner.api.get("/webhooks")).json()["data"] == []

    async def test_creates_with_a_standard_webhooks_secret(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks",
            json={"workspace_id": ws.id, "url": "https://a.example/h", "events": ["tracker.started", "task.created"]},
            with_workspace=False,
        )

        assert response.status_code == 201
        body = response.json()
        assert body["message"] == "Webhook created successfully"
        data = body["data"]
        assert data["url"] == "https://a.example/h"
        assert data["events"] == ["tracker.started", "task.created"]
        assert data["is_active"] is True
        assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
        assert data["token"].startswith("whsec_")
        assert 24 <= len(base64.b64decode(data["token"].removeprefix("whsec_"))) <= 32

    async def test_every_webhook_gets_its_own_secret(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        first = await create_webhook(ws)
        second = await create_webhook(ws)

        assert first["token"] != second["token"]
        assert first["id"] != second["id"]

    async def test_accepts_every_documented_event(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        created = await create_webhook(ws, events=list(EVENT_TYPES))

        assert created["events"] == list(EVENT_TYPES)

    async def test_repeated_events_are_stored_once(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        created = await create_webhook(ws, events=["task.created", "task.created", "task.deleted"])

        assert created["events"] == ["task.created", "task.deleted"]

    async def test_unknown_event_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": "https://a.example/h", "events": ["project.created", "project.exploded"]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "project.exploded" in response.json()["errors"]["events"][0]

    async def test_the_test_event_cannot_be_subscribed(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": "https://a.example/h", "events": ["webhook.test"]})

        assert_error_code(response, 422, "validation_failed")
        assert "events" in response.json()["errors"]

    async def test_empty_events_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": "https://a.example/h", "events": []})

        assert_error_code(response, 422, "validation_failed")
        assert "events" in response.json()["errors"]

    async def test_missing_fields_are_422_per_field(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"url", "events"}

    async def test_wrong_types_are_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": 5, "events": "project.created"})

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"url", "events"}

    async def test_non_http_scheme_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": "ftp://a.example/h", "events": ["task.created"]})

        assert_error_code(response, 422, "validation_failed")
        assert "url" in response.json()["errors"]

    async def test_url_without_host_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/webhooks", json={"url": "https:///path", "events": ["task.created"]})

        assert_error_code(response, 422, "validation_failed")
        assert "url" in response.json()["errors"]

    async def test_url_with_credentials_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", json={"url": "https://user:secret@a.example/h", "events": ["task.created"]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "credentials" in response.json()["errors"]["url"][0]

    async def test_garbage_urls_are_422_not_500(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        garbage = [
            "",
            "not a url",
            "http://",
            "https://exa mple.com",
            "http://a.example:99999/",
            "http://[::1/",
            "https://" + "a" * 2100 + ".com",
            "javascript:alert(1)",
            "http://\u0000.com",
            "//a.example/h",
        ]

        statuses = [
            (await ws.owner.api.post("/webhooks", json={"url": url, "events": ["task.created"]})).status_code
            for url in garbage
        ]

        assert statuses == [422] * len(garbage)

    async def test_malformed_json_is_400(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/webhooks", content=b"{not json", headers={"content-type": "application/json"}
        )

        assert_error_code(response, 400, "invalid_json")


class TestGetWebhook:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await tenants.http.get(f"/api/v2/webhooks/{created['id']}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        created = await create_webhook(ws)

        response = await member.api.get(f"/webhooks/{created['id']}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get(f"/webhooks/{created['id']}")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_webhook_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await create_webhook(other)

        response = await ws.owner.api.get(f"/webhooks/{theirs['id']}")

        assert_error_code(response, 404, "webhook_not_found")

    async def test_unknown_id_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.get("/webhooks/" + "x" * 300)

        assert_error_code(response, 404, "webhook_not_found")

    async def test_returns_the_webhook_with_its_token(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws, events=["tracker.started"])

        response = await ws.owner.api.get(f"/webhooks/{created['id']}")

        assert response.status_code == 200
        assert response.json()["data"] == created
        assert set(created) == {"id", "url", "events", "token", "is_active", "created_at", "updated_at"}


class TestUpdateWebhook:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await tenants.http.put(
            f"/api/v2/webhooks/{created['id']}", json={"workspace_id": ws.id, "url": "https://b.example/h"}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        created = await create_webhook(ws)

        response = await viewer.api.put(f"/webhooks/{created['id']}", json={"url": "https://b.example/h"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.put(f"/webhooks/{created['id']}", json={"url": "https://b.example/h"})

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/webhooks/{created['id']}")).json()["data"]["url"] == created["url"]

    async def test_another_workspaces_webhook_is_404_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await create_webhook(other)

        response = await ws.owner.api.put(f"/webhooks/{theirs['id']}", json={"url": "https://evil.example/h"})

        assert_error_code(response, 404, "webhook_not_found")
        assert (await other.owner.api.get(f"/webhooks/{theirs['id']}")).json()["data"] == theirs

    async def test_url_is_required(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await ws.owner.api.put(f"/webhooks/{created['id']}", json={"events": ["task.created"]})

        assert_error_code(response, 422, "validation_failed")
        assert "url" in response.json()["errors"]

    async def test_unknown_event_is_422_and_unchanged(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await ws.owner.api.put(
            f"/webhooks/{created['id']}", json={"url": "https://b.example/h", "events": ["nope"]}
        )

        assert_error_code(response, 422, "validation_failed")
        assert "events" in response.json()["errors"]
        assert (await ws.owner.api.get(f"/webhooks/{created['id']}")).json()["data"] == created

    async def test_updates_url_and_keeps_events_when_omitted(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws, events=["task.created"])

        response = await ws.owner.api.put(
            f"/webhooks/{created['id']}",
            json={"workspace_id": ws.id, "url": "https://b.example/h"},
            with_workspace=False,
        )

        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "Webhook updated successfully"
        assert body["data"]["url"] == "https://b.example/h"
        assert body["data"]["events"] == ["task.created"]
        assert body["data"]["token"] == created["token"]

    async def test_replaces_events(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws, events=["task.created"])

        response = await ws.owner.api.put(
            f"/webhooks/{created['id']}", json={"url": created["url"], "events": ["member.invited", "task.deleted"]}
        )

        assert response.json()["data"]["events"] == ["member.invited", "task.deleted"]

    async def test_pausing_stops_new_deliveries_and_gives_up_pending_ones(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await emit(ws)

        response = await ws.owner.api.put(
            f"/webhooks/{created['id']}", json={"url": created["url"], "is_active": False}
        )
        await emit(ws)

        assert response.json()["data"]["is_active"] is False
        deliveries = (await ws.owner.api.get(f"/webhooks/{created['id']}/deliveries")).json()["data"]
        assert [d["status"] for d in deliveries] == ["failed"]
        assert deliveries[0]["last_error"] == "The webhook was paused."


class TestDeleteWebhook:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await tenants.http.delete(f"/api/v2/webhooks/{created['id']}", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        created = await create_webhook(ws)

        response = await member.api.delete(f"/webhooks/{created['id']}")

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.delete(f"/webhooks/{created['id']}")

        assert_error_code(response, 403, "insufficient_scope")
        assert (await ws.owner.api.get(f"/webhooks/{created['id']}")).status_code == 200

    async def test_another_workspaces_webhook_is_404_and_kept(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await create_webhook(other)

        response = await ws.owner.api.delete(f"/webhooks/{theirs['id']}")

        assert_error_code(response, 404, "webhook_not_found")
        assert (await other.owner.api.get(f"/webhooks/{theirs['id']}")).status_code == 200

    async def test_deletes_softly(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await ws.owner.api.delete(f"/webhooks/{created['id']}")

        assert response.status_code == 200
        assert response.json()["message"] == "Webhook deleted successfully"
        assert_error_code(await ws.owner.api.get(f"/webhooks/{created['id']}"), 404, "webhook_not_found")
        async with tenants.sessionmaker() as session:
            row = (await session.execute(select(Webhook).where(Webhook.id == created["id"]))).scalar_one()
        assert row.deleted_at is not None

    async def test_deleting_twice_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await ws.owner.api.delete(f"/webhooks/{created['id']}")

        response = await ws.owner.api.delete(f"/webhooks/{created['id']}")

        assert_error_code(response, 404, "webhook_not_found")

    async def test_pending_deliveries_are_given_up_and_no_new_ones_made(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await emit(ws)

        await ws.owner.api.delete(f"/webhooks/{created['id']}")
        await emit(ws)

        async with tenants.sessionmaker() as session:
            statuses = (
                (
                    await session.execute(
                        select(WebhookDelivery.status).where(WebhookDelivery.webhook_id == created["id"])
                    )
                )
                .scalars()
                .all()
            )
        assert statuses == ["failed"]


class TestRecordEvent:
    async def test_only_subscribed_active_webhooks_of_the_workspace_get_a_delivery(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        subscribed = await create_webhook(ws, events=["task.created"])
        not_subscribed = await create_webhook(ws, events=["task.deleted"])
        elsewhere = await create_webhook(other, events=["task.created"])

        await emit(ws, "task.created")

        assert len(await delivery_ids(ws, subscribed["id"])) == 1
        assert await delivery_ids(ws, not_subscribed["id"]) == []
        assert await delivery_ids(ws, elsewhere["id"]) == []


class TestListDeliveries:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await tenants.http.get(
            f"/api/v2/webhooks/{created['id']}/deliveries", params={"workspace_id": ws.id}
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        created = await create_webhook(ws)

        response = await member.api.get(f"/webhooks/{created['id']}/deliveries")

        assert_error_code(response, 403, "role_forbidden")

    async def test_token_without_read_scope_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        api = await ws.token_for(ws.owner, WRITE_ONLY)

        response = await api.get(f"/webhooks/{created['id']}/deliveries")

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_webhook_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await create_webhook(other)
        await emit(other)

        response = await ws.owner.api.get(f"/webhooks/{theirs['id']}/deliveries")

        assert_error_code(response, 404, "webhook_not_found")

    async def test_unknown_status_filter_is_422(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await ws.owner.api.get(f"/webhooks/{created['id']}/deliveries", params={"status": "lost"})

        assert_error_code(response, 422, "validation_failed")
        assert "status" in response.json()["errors"]

    async def test_lists_newest_first_with_attempt_log(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        first_event = await emit(ws)
        second_event = await emit(ws)
        first, _second = await delivery_ids(ws, created["id"])
        now = utc_now()
        async with tenants.sessionmaker() as session, session.begin():
            session.add(WebhookAttempt(delivery_id=first, attempted_at=now, status_code=500, duration_ms=12, error="x"))
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == first)
                .values(attempts=1, last_status_code=500, last_error="x", next_attempt_at=now + timedelta(seconds=5))
            )

        response = await ws.owner.api.get(f"/webhooks/{created['id']}/deliveries")

        assert response.status_code == 200
        items = response.json()["data"]
        assert [d["event_id"] for d in items] == [second_event, first_event]
        older = items[1]
        assert older["status"] == "pending"
        assert older["event_type"] == "project.created"
        assert older["attempts"] == 1
        assert older["last_status_code"] == 500
        assert TIMESTAMP.match(older["next_attempt_at"])
        assert older["attempt_log"] == [
            {
                "attempted_at": older["attempt_log"][0]["attempted_at"],
                "status_code": 500,
                "duration_ms": 12,
                "error": "x",
            }
        ]
        assert items[0]["attempt_log"] == []
        assert response.json()["meta"]["pagination"]["total"] == 2

    async def test_filters_by_status(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await emit(ws)
        await emit(ws)
        first, _ = await delivery_ids(ws, created["id"])
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(update(WebhookDelivery).where(WebhookDelivery.id == first).values(status="failed"))

        response = await ws.owner.api.get(f"/webhooks/{created['id']}/deliveries", params={"status": "failed"})

        assert [d["id"] for d in response.json()["data"]] == [first]
        assert response.json()["data"][0]["next_attempt_at"] is None


class TestRetryDelivery:
    async def _failed_delivery(self, tenants: Tenants) -> tuple[object, dict[str, object], str]:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await emit(ws)
        [delivery] = await delivery_ids(ws, created["id"])
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery)
                .values(status="failed", attempts=11, last_status_code=503)
            )
        return ws, created, delivery

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws, created, delivery = await self._failed_delivery(tenants)

        response = await tenants.http.post(
            f"/api/v2/webhooks/{created['id']}/deliveries/{delivery}/retry",
            params={"workspace_id": ws.id},  # type: ignore[attr-defined]
        )

        assert_error_code(response, 401, "unauthenticated")

    async def test_regular_user_is_403(self, tenants: Tenants) -> None:
        ws, created, delivery = await self._failed_delivery(tenants)
        member = await ws.member(role="Regular User")  # type: ignore[attr-defined]

        response = await member.api.post(f"/webhooks/{created['id']}/deliveries/{delivery}/retry")

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403_and_unchanged(self, tenants: Tenants) -> None:
        ws, created, delivery = await self._failed_delivery(tenants)
        api = await ws.token_for(ws.owner, READ_ONLY)  # type: ignore[attr-defined]

        response = await api.post(f"/webhooks/{created['id']}/deliveries/{delivery}/retry")

        assert_error_code(response, 403, "insufficient_scope")
        listed = await ws.owner.api.get(f"/webhooks/{created['id']}/deliveries")  # type: ignore[attr-defined]
        assert listed.json()["data"][0]["status"] == "failed"

    async def test_another_workspaces_delivery_is_404_and_unchanged(self, tenants: Tenants) -> None:
        other, theirs, delivery = await self._failed_delivery(tenants)
        ws = await tenants.workspace()
        mine = await create_webhook(ws)

        via_their_webhook = await ws.owner.api.post(f"/webhooks/{theirs['id']}/deliveries/{delivery}/retry")
        via_my_webhook = await ws.owner.api.post(f"/webhooks/{mine['id']}/deliveries/{delivery}/retry")

        assert_error_code(via_their_webhook, 404, "webhook_not_found")
        assert_error_code(via_my_webhook, 404, "delivery_not_found")
        listed = await other.owner.api.get(f"/webhooks/{theirs['id']}/deliveries")  # type: ignore[attr-defined]
        assert listed.json()["data"][0]["status"] == "failed"

    async def test_unknown_delivery_is_404(self, tenants: Tenants) -> None:
        ws, created, _ = await self._failed_delivery(tenants)

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/deliveries/nope/retry")  # type: ignore[attr-defined]

        assert_error_code(response, 404, "delivery_not_found")

    async def test_schedules_a_failed_delivery_again_now(self, tenants: Tenants) -> None:
        ws, created, delivery = await self._failed_delivery(tenants)

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/deliveries/{delivery}/retry")  # type: ignore[attr-defined]

        assert response.status_code == 200
        assert response.json()["message"] == "Delivery scheduled for retry"
        data = response.json()["data"]
        assert data["id"] == delivery
        assert data["status"] == "pending"
        assert data["attempts"] == 11
        async with tenants.sessionmaker() as session:
            row = (await session.execute(select(WebhookDelivery).where(WebhookDelivery.id == delivery))).scalar_one()
        assert row.backoff_from == 11
        assert row.next_attempt_at <= utc_now()

    async def test_a_delivery_being_sent_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await emit(ws)
        [delivery] = await delivery_ids(ws, created["id"])
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery)
                .values(locked_until=utc_now() + timedelta(minutes=1))
            )

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/deliveries/{delivery}/retry")

        assert response.status_code == 409
        assert response.json()["error"] == "delivery_in_progress"

    async def test_a_paused_webhook_is_409(self, tenants: Tenants) -> None:
        ws, created, delivery = await self._failed_delivery(tenants)
        await ws.owner.api.put(f"/webhooks/{created['id']}", json={"url": created["url"], "is_active": False})  # type: ignore[attr-defined]

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/deliveries/{delivery}/retry")  # type: ignore[attr-defined]

        assert response.status_code == 409
        assert response.json()["error"] == "webhook_paused"


class TestTestWebhook:
    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)

        response = await tenants.http.post(f"/api/v2/webhooks/{created['id']}/test", params={"workspace_id": ws.id})

        assert_error_code(response, 401, "unauthenticated")

    async def test_executive_manager_may_but_regular_user_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        executive = await ws.member(role="Executive manager")
        created = await create_webhook(ws)

        denied = await member.api.post(f"/webhooks/{created['id']}/test")
        allowed = await executive.api.post(f"/webhooks/{created['id']}/test")

        assert_error_code(denied, 403, "role_forbidden")
        assert allowed.status_code == 201

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        api = await ws.token_for(ws.owner, READ_ONLY)

        response = await api.post(f"/webhooks/{created['id']}/test")

        assert_error_code(response, 403, "insufficient_scope")
        assert await delivery_ids(ws, created["id"]) == []

    async def test_another_workspaces_webhook_is_404(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        other = await tenants.workspace()
        theirs = await create_webhook(other)

        response = await ws.owner.api.post(f"/webhooks/{theirs['id']}/test")

        assert_error_code(response, 404, "webhook_not_found")
        assert await delivery_ids(other, theirs["id"]) == []

    async def test_queues_a_test_event_for_this_webhook_only(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        sibling = await create_webhook(ws, events=list(EVENT_TYPES))

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/test")

        assert response.status_code == 201
        data = response.json()["data"]
        assert data["event_type"] == "webhook.test"
        assert data["status"] == "pending"
        assert data["attempts"] == 0
        assert await delivery_ids(ws, sibling["id"]) == []

    async def test_a_paused_webhook_is_409(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await create_webhook(ws)
        await ws.owner.api.put(f"/webhooks/{created['id']}", json={"url": created["url"], "is_active": False})

        response = await ws.owner.api.post(f"/webhooks/{created['id']}/test")

        assert_error_code(response, 409, "webhook_paused")
