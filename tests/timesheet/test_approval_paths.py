"""End-to-end approval paths over HTTP (D10): requests, timesheets, and time frozen by an approval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.time_entry.helpers import Booked, booked

WEEK = {"date_from": "2025-12-01", "date_to": "2025-12-07"}


async def the_timesheet(b: Booked) -> dict[str, Any]:
    response = await b.member.api.get("/timesheets", params={**WEEK, "user_id": b.member.user_id})
    [sheet] = response.json()["data"]
    result: dict[str, Any] = sheet
    return result


async def approved_week(b: Booked) -> dict[str, Any]:
    """A member's request approved, their week submitted and approved."""
    request = await b.member.api.post(
        "/time-requests",
        json={
            "user_id": b.member.user_id,
            "contract_id": b.contract_id,
            "start": "2025-12-05T09:00:00Z",
            "end": "2025-12-05T17:00:00Z",
        },
    )
    await b.ws.owner.api.post(f"/time-requests/{request.json()['data']['id']}/approve", json={})
    sheet = await the_timesheet(b)
    await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})
    await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})
    return sheet


class TestApprovalPaths:
    async def test_request_approved_lands_in_the_timesheet_which_is_approved_then_frozen(
        self, tenants: Tenants
    ) -> None:
        b = await booked(tenants)

        request = await b.member.api.post(
            "/time-requests",
            json={
                "user_id": b.member.user_id,
                "contract_id": b.contract_id,
                "start": "2025-12-05T09:00:00Z",
                "end": "2025-12-05T17:00:00Z",
                "activity_description": "Docs",
            },
        )
        assert request.json()["data"]["status"] == "pending"
        approve = await b.ws.owner.api.post(f"/time-requests/{request.json()['data']['id']}/approve", json={})
        assert approve.status_code == 200
        sheet = await the_timesheet(b)
        assert sheet["total_minutes"] == 480
        assert sheet["daily_breakdown"]["2025-12-05"][0]["contract_id"] == b.contract_id
        submit = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})
        assert (submit.status_code, submit.json()["data"]) == (200, None)
        assert (await the_timesheet(b))["status"] == "submitted"
        approved = await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})
        assert (approved.status_code, approved.json()["data"]) == (200, None)
        assert (await the_timesheet(b))["status"] == "approved"
        [entry] = await b.day("2025-12-05")

        edit = await b.ws.owner.api.put(f"/time-entries/{entry['id']}", json={"end_time": "12:00"})
        delete = await b.ws.owner.api.delete(f"/time-entries/{entry['id']}")
        add = await b.add("2025-12-06", "09:00", "10:00")

        assert edit.status_code == 409
        assert edit.json()["error"] == "timesheet_approved"
        assert_error_code(delete, 409, "timesheet_approved")
        assert_error_code(add, 409, "timesheet_approved")
        assert await b.day("2025-12-05") == [entry]

    async def test_approving_a_request_inside_an_approved_timesheet_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await approved_week(b)
        late = await b.member.api.post(
            "/time-requests",
            json={"user_id": b.member.user_id, "start": "2025-12-06T09:00:00Z", "end": "2025-12-06T10:00:00Z"},
        )

        response = await b.ws.owner.api.post(f"/time-requests/{late.json()['data']['id']}/approve", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "timesheet_approved"

    async def test_stopping_a_tracker_into_an_approved_timesheet_is_409(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        await approved_week(b)
        frozen(datetime(2025, 12, 6, 9, 0, tzinfo=UTC))
        await b.member.api.post("/time-tracking/start", json={})
        frozen(datetime(2025, 12, 6, 10, 0, tzinfo=UTC))

        response = await b.member.api.post("/time-tracking/stop", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "timesheet_approved"

    async def test_request_rejected_with_a_comment_adds_no_time(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        request = await b.member.api.post(
            "/time-requests",
            json={"user_id": b.member.user_id, "start": "2025-12-05T09:00:00Z", "end": "2025-12-05T10:00:00Z"},
        )

        reject = await b.ws.owner.api.post(
            f"/time-requests/{request.json()['data']['id']}/reject", json={"comment": "Not on that day"}
        )

        assert reject.json()["data"]["status"] == "rejected"
        assert reject.json()["data"]["comment"] == "Not on that day"
        assert (await the_timesheet(b))["total_minutes"] == 0

    async def test_unsubmit_edit_and_resubmit(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        created = (await b.add("2025-12-03", "09:00", "17:00")).json()["data"]
        sheet = await the_timesheet(b)
        await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        unsubmit = await b.member.api.put(f"/timesheets/{sheet['id']}/unsubmit", json={})
        after_unsubmit = await the_timesheet(b)
        edit = await b.ws.owner.api.put(f"/time-entries/{created['id']}", json={"end_time": "13:00"})
        resubmit = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert (unsubmit.status_code, unsubmit.json()["message"]) == (200, "Timesheet unsubmitted successfully")
        assert after_unsubmit["status"] == "pending"
        assert edit.status_code == 200
        assert (resubmit.status_code, resubmit.json()["data"]) == (200, None)
        after = await the_timesheet(b)
        assert after["status"] == "submitted"
        assert after["total_minutes"] == 240
