from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task
from tests.time_entry.helpers import booked
from worktally.db.models import WebhookEvent

T0 = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)


class TestStartTracking:
    async def test_starts_the_callers_tracker_on_the_server_clock(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        frozen(T0)

        response = await b.member.api.post(
            "/time-tracking/start",
            json={"contract_id": b.contract_id, "task_id": b.task_id, "activity_description": "API docs"},
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Time tracking started successfully"
        data = body["data"]
        assert data["message"] == "Time tracking started successfully"
        assert data["start_time"] == "2026-01-29T09:00:00.000000Z"
        assert data["contract_id"] == b.contract_id
        assert data["project_id"] == b.project_id
        assert data["project_name"] == "Website Redesign"
        assert data["task_id"] == b.task_id
        assert data["task_title"] == "Implement auth"
        assert data["activity_description"] == "API docs"
        assert data["user_id"] == b.member.user_id
        assert data["user_name"] == "John Doe"
        assert data["user_email"] == b.member.email

    async def test_without_a_contract_tracks_without_a_project(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post("/time-tracking/start", json={})

        assert response.status_code == 200
        assert response.json()["data"]["project_id"] is None

    async def test_a_second_start_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id})

        response = await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id})

        assert response.status_code == 409
        assert response.json()["error"] == "tracker_already_running"

    async def test_owner_starts_for_a_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.post(
            "/time-tracking/start", json={"user_id": b.member.user_id, "contract_id": b.contract_id}
        )

        assert response.status_code == 200
        assert response.json()["data"]["user_id"] == b.member.user_id

    async def test_member_may_not_start_for_someone_else(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()

        response = await other.api.post("/time-tracking/start", json={"user_id": b.member.user_id})

        assert_error_code(response, 403, "role_forbidden")

    async def test_paused_contract_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants, contract_status="paused")

        response = await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id})

        assert response.status_code == 409
        assert response.json()["error"] == "contract_paused"

    async def test_contract_of_another_member_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()
        theirs = await make_contract(b.ws, other, b.project_id)

        response = await b.member.api.post("/time-tracking/start", json={"contract_id": theirs})

        assert_error_code(response, 422, "validation_failed")
        assert "contract_id" in response.json()["errors"]

    async def test_task_of_another_project_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        task = await make_task(b.ws, await make_project(b.ws, name="Other"))

        response = await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id, "task_id": task})

        assert_error_code(response, 422, "validation_failed")
        assert "task_id" in response.json()["errors"]

    async def test_task_without_contract_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post("/time-tracking/start", json={"task_id": b.task_id})

        assert_error_code(response, 422, "validation_failed")

    async def test_wrong_types_are_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post("/time-tracking/start", json={"contract_id": "abc"})

        assert_error_code(response, 422, "validation_failed")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.post("/time-tracking/start", json={})

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.member, frozenset({"read"}))

        response = await api.post("/time-tracking/start", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await b.member.api.post("/time-tracking/start", params={"workspace_id": elsewhere.id}, json={})

        assert_error_code(response, 403, "not_a_member")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-tracking/start", json={})

        assert_error_code(response, 401, "unauthenticated")

    async def test_records_tracker_started(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        await b.member.api.post("/time-tracking/start", json={})

        async with tenants.sessionmaker() as session:
            types = (
                (await session.execute(select(WebhookEvent.type).where(WebhookEvent.workspace_id == b.ws.id)))
                .scalars()
                .all()
            )
        assert types == ["tracker.started"]


class TestStopTracking:
    async def test_stopping_saves_a_web_tracker_entry(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        frozen(T0)
        await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id, "task_id": b.task_id})
        frozen(T0 + timedelta(hours=2, minutes=30))

        response = await b.member.api.post("/time-tracking/stop", json={})

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["message"] == "Time tracking stopped successfully"
        assert body["data"]["message"] == "Time tracking stopped successfully"
        assert body["data"]["stopped_at"] == "2026-01-29T11:30:00.000000Z"
        assert body["data"]["saved_minutes"] == 150
        [entry] = await b.day("2026-01-29")
        assert entry["method"] == "Web tracker"
        assert entry["task_id"] == b.task_id
        assert entry["duration_minutes"] == 150

    async def test_stop_without_a_body(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.member.api.post("/time-tracking/start", json={})

        response = await b.member.api.post("/time-tracking/stop")

        assert response.status_code == 200
        current = await b.member.api.get("/time-tracking/current-data")
        assert current.json()["data"]["is_tracking"] is False

    async def test_stop_saves_only_what_does_not_overlap(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "10:00", "11:00")
        frozen(T0)
        await b.member.api.post("/time-tracking/start", json={"contract_id": b.contract_id})
        frozen(T0 + timedelta(hours=3))

        response = await b.member.api.post("/time-tracking/stop", json={})

        assert response.json()["data"]["saved_minutes"] == 120
        assert len(response.json()["data"]["time_entry_ids"]) == 2

    async def test_stop_inside_existing_time_stops_and_saves_nothing(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "08:00", "12:00")
        frozen(T0)
        await b.member.api.post("/time-tracking/start", json={})
        frozen(T0 + timedelta(hours=1))

        response = await b.member.api.post("/time-tracking/stop", json={})

        assert response.status_code == 200
        assert response.json()["data"]["saved_minutes"] == 0
        again = await b.member.api.post("/time-tracking/stop", json={})
        assert_error_code(again, 409, "tracker_not_running")

    async def test_nothing_running_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.post("/time-tracking/stop", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "tracker_not_running"

    async def test_owner_stops_a_members_tracker(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.member.api.post("/time-tracking/start", json={})

        response = await b.ws.owner.api.post("/time-tracking/stop", json={"user_id": b.member.user_id})

        assert response.status_code == 200
        assert response.json()["data"]["user_id"] == b.member.user_id

    async def test_member_may_not_stop_someone_else(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()
        await b.member.api.post("/time-tracking/start", json={})

        response = await other.api.post("/time-tracking/stop", json={"user_id": b.member.user_id})

        assert_error_code(response, 403, "role_forbidden")

    async def test_unknown_user_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.post("/time-tracking/stop", json={"user_id": b.member.user_id})

        assert_error_code(response, 404, "member_not_found")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.member, frozenset({"read"}))

        response = await api.post("/time-tracking/stop", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-tracking/stop")

        assert_error_code(response, 401, "unauthenticated")

    async def test_records_tracker_stopped(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.member.api.post("/time-tracking/start", json={})

        await b.member.api.post("/time-tracking/stop", json={})

        async with tenants.sessionmaker() as session:
            types = (
                (await session.execute(select(WebhookEvent.type).where(WebhookEvent.workspace_id == b.ws.id)))
                .scalars()
                .all()
            )
        assert "tracker.stopped" in types


class TestCurrentTrackerData:
    async def test_running_tracker_and_the_days_minutes(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await b.add("2026-01-29", "06:00", "07:00")
        frozen(T0)
        await b.member.api.post(
            "/time-tracking/start",
            json={"contract_id": b.contract_id, "task_id": b.task_id, "activity_description": "x"},
        )
        frozen(T0 + timedelta(minutes=7, seconds=9))

        response = await b.member.api.get("/time-tracking/current-data")

        assert response.status_code == 200
        assert response.json()["message"] == "Current tracker data retrieved successfully"
        data = response.json()["data"]
        assert data["is_tracking"] is True
        assert data["contract_id"] == b.contract_id
        assert data["task_title"] == "Implement auth"
        assert data["total_seconds"] == 9
        assert data["total_minutes"] == 67
        assert data["date"] == "2026-01-29"

    async def test_nothing_running(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.get("/time-tracking/current-data")

        assert response.status_code == 200
        assert response.json()["data"]["is_tracking"] is False
        assert response.json()["data"]["contract_id"] is None

    async def test_owner_reads_any_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.member.api.post("/time-tracking/start", json={})

        response = await b.ws.owner.api.get("/time-tracking/current-data", params={"user_id": b.member.user_id})

        assert response.json()["data"]["is_tracking"] is True

    async def test_member_may_not_read_another_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()

        response = await other.api.get("/time-tracking/current-data", params={"user_id": b.member.user_id})

        assert_error_code(response, 403, "role_forbidden")

    async def test_user_of_another_workspace_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.get("/time-tracking/current-data", params={"user_id": b.member.user_id})

        assert_error_code(response, 404, "member_not_found")

    async def test_bad_user_id_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get("/time-tracking/current-data", params={"user_id": "abc"})

        assert_error_code(response, 422, "validation_failed")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.get("/time-tracking/current-data")

        assert_error_code(response, 403, "role_forbidden")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/time-tracking/current-data")

        assert_error_code(response, 401, "unauthenticated")
