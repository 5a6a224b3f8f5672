from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select, update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.time_entry.helpers import Booked, booked
from worktally.db.models import WebhookEvent, Workspace

RANGE = {"date_from": "2025-12-01", "date_to": "2025-12-31"}


async def request_time(b: Booked, api: Any = None, **body: Any) -> httpx.Response:
    payload = {
        "user_id": b.member.user_id,
        "contract_id": b.contract_id,
        "task_id": b.task_id,
        "start": "2025-12-05T09:00:00+00:00",
        "end": "2025-12-05T17:00:00+00:00",
        "activity_description": "Worked on feature implementation",
        **body,
    }
    response: httpx.Response = await (api or b.member.api).post("/time-requests", json=payload)
    return response


async def event_types(tenants: Tenants, workspace_id: int) -> list[str]:
    async with tenants.sessionmaker() as session:
        rows = await session.execute(select(WebhookEvent.type).where(WebhookEvent.workspace_id == workspace_id))
        return list(rows.scalars())


class TestCreateTimeRequest:
    async def test_member_creates_a_pending_request_with_the_catalogue_message(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b)

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["message"] == (
            "Time request created for John Doe on 2025-12-05 (09:00 - 17:00) | Project: Website Redesign"
            " | Task: Implement auth | Activity: Worked on feature implementation"
        )
        data = body["data"]
        assert data["status"] == "pending"
        assert data["user_id"] == b.member.user_id
        assert data["user_name"] == "John Doe"
        assert data["user_email"] == b.member.email
        assert data["project_id"] == b.project_id
        assert data["project_name"] == "Website Redesign"
        assert data["task_title"] == "Implement auth"
        assert data["start"] == "2025-12-05T09:00:00.000000Z"
        assert await b.day("2025-12-05") == []
        assert await event_types(tenants, b.ws.id) == ["time_request.created"]

    async def test_without_project_the_message_leaves_the_parts_out(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, contract_id=None, task_id=None, activity_description=None)

        assert response.json()["message"] == "Time request created for John Doe on 2025-12-05 (09:00 - 17:00)"

    async def test_times_in_the_message_are_the_members(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone="America/Los_Angeles")

        response = await request_time(
            b, start="2025-12-05T17:00:00Z", end="2025-12-05T18:30:00Z", contract_id=None, task_id=None
        )

        assert response.json()["message"].startswith("Time request created for John Doe on 2025-12-05 (09:00 - 10:30)")

    async def test_time_without_offset_is_read_in_the_members_timezone(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone="Pacific/Kiritimati")

        response = await request_time(b, start="2025-12-05T09:00:00", end="2025-12-05T10:00:00")

        assert response.json()["data"]["start"] == "2025-12-04T19:00:00.000000Z"

    async def test_owner_request_is_applied_at_once(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, api=b.ws.owner.api)

        assert response.status_code == 201
        assert response.json()["data"]["status"] == "approved"
        [entry] = await b.day("2025-12-05")
        assert entry["method"] == "Manually added time"
        assert entry["duration_minutes"] == 480

    async def test_auto_approving_workspace_applies_a_members_request(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(
                update(Workspace).where(Workspace.id == b.ws.id).values(auto_approve_time_requests=True)
            )

        response = await request_time(b)

        assert response.json()["data"]["status"] == "approved"
        assert len(await b.day("2025-12-05")) == 1

    async def test_applied_at_once_over_existing_time_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2025-12-05", "08:00", "18:00")

        response = await request_time(b, api=b.ws.owner.api)

        assert_error_code(response, 409, "time_overlap")

    async def test_member_may_not_request_for_someone_else(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()

        response = await request_time(b, api=other.api)

        assert_error_code(response, 403, "role_forbidden")

    async def test_end_before_start_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, start="2025-12-05T17:00:00Z", end="2025-12-05T09:00:00Z")

        assert_error_code(response, 422, "validation_failed")
        assert "end" in response.json()["errors"]

    async def test_more_than_a_day_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, start="2025-12-05T09:00:00Z", end="2025-12-07T09:00:00Z")

        assert_error_code(response, 422, "validation_failed")

    async def test_bad_dates_are_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, start="yesterday", end="soon")

        assert_error_code(response, 422, "validation_failed")
        assert {"start", "end"} <= set(response.json()["errors"])

    async def test_contract_of_another_workspace_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await booked(tenants)

        response = await request_time(b, contract_id=other.contract_id, task_id=None)

        assert_error_code(response, 422, "validation_failed")
        assert "contract_id" in response.json()["errors"]

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await request_time(b, api=viewer.api)

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await request_time(b, api=await b.ws.token_for(b.member, frozenset({"read"})))

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-requests", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestListTimeRequests:
    async def test_lists_requests_in_the_range(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await request_time(b)
        await request_time(b, start="2026-01-05T09:00:00Z", end="2026-01-05T10:00:00Z")

        response = await b.member.api.get("/time-requests", params=RANGE)

        assert response.status_code == 200
        assert [r["start"][:10] for r in response.json()["data"]] == ["2025-12-05"]
        assert response.json()["meta"]["pagination"]["total"] == 1

    async def test_filters_by_status_user_project_and_id(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        await request_time(b, start="2025-12-06T09:00:00Z", end="2025-12-06T10:00:00Z", contract_id=None, task_id=None)
        api = b.ws.owner.api

        pending = await api.get("/time-requests", params={**RANGE, "status": "pending"})
        by_project = await api.get("/time-requests", params={**RANGE, "project_id": b.project_id})
        by_id = await api.get("/time-requests", params={**RANGE, "id": created["id"]})
        by_user = await api.get("/time-requests", params={**RANGE, "user_id": b.ws.owner.user_id})

        assert len(pending.json()["data"]) == 2
        assert [r["id"] for r in by_project.json()["data"]] == [created["id"]]
        assert [r["id"] for r in by_id.json()["data"]] == [created["id"]]
        assert by_user.json()["data"] == []

    async def test_member_sees_only_their_own(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()
        await request_time(b)

        response = await other.api.get("/time-requests", params=RANGE)

        assert response.json()["data"] == []

    async def test_requires_the_date_range(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.get("/time-requests")

        assert_error_code(response, 422, "validation_failed")
        assert set(response.json()["errors"]) == {"date_from", "date_to"}

    async def test_date_to_before_date_from_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.get("/time-requests", params={"date_from": "2025-12-31", "date_to": "2025-12-01"})

        assert_error_code(response, 422, "validation_failed")

    async def test_bad_status_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.get("/time-requests", params={**RANGE, "status": "maybe"})

        assert_error_code(response, 422, "validation_failed")

    async def test_another_workspace_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        elsewhere = await tenants.workspace()

        response = await b.member.api.get("/time-requests", params={**RANGE, "workspace_id": elsewhere.id})

        assert_error_code(response, 403, "not_a_member")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/time-requests", params=RANGE)

        assert_error_code(response, 401, "unauthenticated")


class TestGetTimeRequest:
    async def test_returns_the_request(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]

        response = await b.member.api.get(f"/time-requests/{created['id']}")

        assert response.status_code == 200
        assert response.json()["data"]["id"] == created["id"]

    async def test_another_members_request_is_404_for_a_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        other = await b.ws.member()
        created = (await request_time(b)).json()["data"]

        response = await other.api.get(f"/time-requests/{created['id']}")

        assert_error_code(response, 404, "time_request_not_found")

    async def test_another_workspaces_request_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.get(f"/time-requests/{created['id']}")

        assert_error_code(response, 404, "time_request_not_found")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.get("/time-requests/x")

        assert_error_code(response, 403, "role_forbidden")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/time-requests/x")

        assert_error_code(response, 401, "unauthenticated")


class TestApproveTimeRequest:
    async def test_approving_saves_the_time_with_the_catalogue_message(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        em = await b.ws.member(role="Executive manager", firstname="Jane", lastname="Doe")
        frozen(datetime(2025, 12, 5, 11, 0, tzinfo=UTC))

        response = await em.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Time request approved by Jane Doe at 2025-12-05 11:00:00"
        data = response.json()["data"]
        assert data["status"] == "approved"
        assert data["updated_by"] == em.user_id
        [entry] = await b.day("2025-12-05")
        assert entry["method"] == "Manually added time"
        assert entry["id"] == data["time_entry_id"]
        assert "time_request.approved" in await event_types(tenants, b.ws.id)

    async def test_approving_saves_only_what_does_not_overlap(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        await b.add("2025-12-05", "12:00", "13:00")

        await b.ws.owner.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert sum(e["duration_minutes"] for e in await b.day("2025-12-05")) == 480

    async def test_approving_twice_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        await b.ws.owner.api.post(f"/time-requests/{created['id']}/approve", json={})

        response = await b.ws.owner.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "time_request_not_pending"

    async def test_approving_fully_overlapped_time_is_409_and_stays_pending(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        await b.add("2025-12-05", "08:00", "18:00")

        response = await b.ws.owner.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert_error_code(response, 409, "time_overlap")
        again = await b.ws.owner.api.get(f"/time-requests/{created['id']}")
        assert again.json()["data"]["status"] == "pending"

    async def test_member_may_not_approve(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]

        response = await b.member.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert_error_code(response, 403, "role_forbidden")

    async def test_another_workspaces_request_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.post(f"/time-requests/{created['id']}/approve", json={})

        assert_error_code(response, 404, "time_request_not_found")
        assert (await b.ws.owner.api.get(f"/time-requests/{created['id']}")).json()["data"]["status"] == "pending"

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.post("/time-requests/x/approve", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-requests/x/approve", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestRejectTimeRequest:
    async def test_rejecting_keeps_the_comment_and_says_why(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        em = await b.ws.member(role="Executive manager", firstname="Jane", lastname="Doe")
        frozen(datetime(2025, 12, 5, 11, 0, tzinfo=UTC))

        response = await em.api.post(
            f"/time-requests/{created['id']}/reject",
            json={"comment": "Time entry overlaps with existing approved time"},
        )

        assert response.status_code == 200
        assert response.json()["message"] == (
            "Time request rejected by Jane Doe at 2025-12-05 11:00:00"
            " | Reason: Time entry overlaps with existing approved time"
        )
        assert response.json()["data"]["status"] == "rejected"
        assert response.json()["data"]["comment"] == "Time entry overlaps with existing approved time"
        assert await b.day("2025-12-05") == []
        assert "time_request.rejected" in await event_types(tenants, b.ws.id)

    async def test_comment_is_required(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]

        response = await b.ws.owner.api.post(f"/time-requests/{created['id']}/reject", json={})

        assert_error_code(response, 422, "validation_failed")
        assert "comment" in response.json()["errors"]

    async def test_comment_over_1000_characters_is_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]

        response = await b.ws.owner.api.post(f"/time-requests/{created['id']}/reject", json={"comment": "x" * 1001})

        assert_error_code(response, 422, "validation_failed")

    async def test_rejecting_an_approved_request_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b, api=b.ws.owner.api)).json()["data"]

        response = await b.ws.owner.api.post(f"/time-requests/{created['id']}/reject", json={"comment": "no"})

        assert_error_code(response, 409, "time_request_not_pending")

    async def test_member_may_not_reject(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]

        response = await b.member.api.post(f"/time-requests/{created['id']}/reject", json={"comment": "no"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.post("/time-requests/x/reject", json={"comment": "no"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_another_workspaces_request_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await request_time(b)).json()["data"]
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.post(f"/time-requests/{created['id']}/reject", json={"comment": "no"})

        assert_error_code(response, 404, "time_request_not_found")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.post("/api/v2/time-requests/x/reject", json={"comment": "no"})

        assert_error_code(response, 401, "unauthenticated")
