from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from tests.errors import assert_error_code
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.factories.time import make_entry
from tests.time_entry.helpers import Booked, booked
from worktally.db.models import Workspace

WEEK = {"date_from": "2026-01-26", "date_to": "2026-02-01"}
NOW = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)


async def timesheet(b: Booked, api: Any = None, **params: Any) -> dict[str, Any]:
    response = await (api or b.ws.owner.api).get("/timesheets", params={**WEEK, "user_id": b.member.user_id, **params})
    assert response.status_code == 200, response.text
    [item] = response.json()["data"]
    result: dict[str, Any] = item
    return result


async def submitted(b: Booked) -> dict[str, Any]:
    sheet = await timesheet(b)
    response = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})
    assert response.status_code == 200, response.text
    return sheet


class TestListTimesheets:
    async def test_time_creates_the_periods_timesheet_with_totals(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "17:00")
        await b.add("2026-01-28", "09:00", "10:30", contract=False)

        sheet = await timesheet(b)

        assert sheet["date_from"] == "2026-01-26"
        assert sheet["date_to"] == "2026-02-01"
        assert sheet["status"] == "pending"
        assert sheet["total_minutes"] == 570
        assert sheet["total_hours"] == 9.5
        assert sheet["member"] == {
            "id": b.member.user_id,
            "firstname": "John",
            "lastname": "Doe",
            "email": b.member.email,
        }
        assert sheet["daily_breakdown"]["2026-01-27"] == [
            {
                "project_id": b.project_id,
                "project_name": "Website Redesign",
                "contract_id": b.contract_id,
                "total_minutes": 480,
                "total_amount": {},  # D1: per currency; nothing billable here
            }
        ]
        assert sheet["daily_breakdown"]["2026-01-28"][0]["project_id"] is None
        assert sheet["submitted_on"] is None

    async def test_an_entry_across_midnight_counts_its_part_in_each_period(self, tenants: Tenants) -> None:
        """Issue #13: the timesheet counts each entry's part in each of its days, as every report does, also for
        an entry that began before the period (Sunday 23:00 to Monday 01:00)."""
        b = await booked(tenants)
        await make_entry(
            b.ws,
            b.member,
            datetime(2026, 1, 25, 23, 0, tzinfo=UTC),
            datetime(2026, 1, 26, 1, 0, tzinfo=UTC),
            project_id=b.project_id,
            contract_id=b.contract_id,
        )

        this_week = await timesheet(b)
        last_week = await timesheet(b, date_from="2026-01-19", date_to="2026-01-25")

        assert this_week["total_minutes"] == 60
        assert [i["total_minutes"] for i in this_week["daily_breakdown"]["2026-01-26"]] == [60]
        assert last_week["total_minutes"] == 60
        assert [i["total_minutes"] for i in last_week["daily_breakdown"]["2026-01-25"]] == [60]

    async def test_listing_a_period_creates_timesheets_for_members(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        frozen(NOW)

        response = await b.ws.owner.api.get("/timesheets", params=WEEK)

        users = sorted(t["user_id"] for t in response.json()["data"])
        assert users == sorted([b.ws.owner.user_id, b.member.user_id])
        assert all(t["total_minutes"] == 0 for t in response.json()["data"])

    async def test_a_long_range_is_created_once_and_in_full(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        # 1,414 weeks from Monday 2000-01-03 to the week of 2026-02-03: one request (schemathesis found this
        # taking over ten seconds on PostgreSQL with a savepoint and an INSERT per week).
        b = await booked(tenants)
        frozen(NOW)
        params = {"date_from": "2000-01-03", "user_id": b.member.user_id, "per_page": 1}
        weeks = (date(2026, 2, 2) - date(2000, 1, 3)).days // 7 + 1

        first = await b.ws.owner.api.get("/timesheets", params=params)
        again = await b.ws.owner.api.get("/timesheets", params={**params, "order_by": "desc"})

        assert first.status_code == 200
        assert first.json()["meta"]["pagination"]["total"] == weeks
        assert again.json()["meta"]["pagination"]["total"] == weeks
        assert first.json()["data"][0]["date_from"] == "2000-01-03"
        assert again.json()["data"][0]["date_from"] == "2026-02-02"

    async def test_future_periods_are_not_created_ahead(
        self, tenants: Tenants, frozen: Callable[[datetime], None]
    ) -> None:
        b = await booked(tenants)
        frozen(NOW)

        response = await b.ws.owner.api.get("/timesheets", params={"date_from": "2026-03-02", "date_to": "2026-03-08"})

        assert response.json()["data"] == []

    async def test_total_amount_for_the_owner_only(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        project = await make_project(b.ws, name="Paid", rate=Decimal("10"))
        contract = await make_contract(b.ws, b.member, project, rate=Decimal("50"))
        await b.add("2026-01-27", "09:00", "11:00", contract_id=contract)

        as_owner = await timesheet(b)
        as_member = await timesheet(b, api=b.member.api)

        assert as_owner["total_amount"] == {"USD": 100}
        assert as_member["total_amount"] is None
        assert all(i["total_amount"] is None for i in as_member["daily_breakdown"]["2026-01-27"])

    async def test_open_is_pending(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")

        response = await b.ws.owner.api.get(
            "/timesheets", params={**WEEK, "status": "open", "user_id": b.member.user_id}
        )

        assert [t["status"] for t in response.json()["data"]] == ["pending"]

    async def test_filters_by_status_and_id(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        by_status = await b.ws.owner.api.get("/timesheets", params={**WEEK, "status": "submitted"})
        by_id = await b.ws.owner.api.get("/timesheets", params={"id": sheet["id"]})

        assert [t["id"] for t in by_status.json()["data"]] == [sheet["id"]]
        assert [t["id"] for t in by_id.json()["data"]] == [sheet["id"]]

    async def test_orders_by_period(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-20", "09:00", "10:00")
        await b.add("2026-01-27", "09:00", "10:00")
        params = {"date_from": "2026-01-19", "date_to": "2026-02-01", "user_id": b.member.user_id}

        asc = await b.ws.owner.api.get("/timesheets", params={**params, "order_by": "asc"})
        desc = await b.ws.owner.api.get("/timesheets", params={**params, "order_by": "desc"})

        assert [t["date_from"] for t in asc.json()["data"]] == ["2026-01-19", "2026-01-26"]
        assert [t["date_from"] for t in desc.json()["data"]] == ["2026-01-26", "2026-01-19"]

    async def test_member_sees_only_their_own(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        other = await b.ws.member()

        response = await other.api.get("/timesheets", params={**WEEK, "user_id": b.member.user_id})

        assert response.json()["data"] == []

    async def test_monthly_workspace_has_monthly_timesheets(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        async with tenants.sessionmaker() as session, session.begin():
            await session.execute(update(Workspace).where(Workspace.id == b.ws.id).values(timesheet_period="monthly"))
        await b.add("2026-01-27", "09:00", "10:00")

        sheet = await timesheet(b, date_from="2026-01-27", date_to="2026-01-27")

        assert (sheet["date_from"], sheet["date_to"]) == ("2026-01-01", "2026-01-31")
        assert sheet["total_minutes"] == 60

    async def test_bad_filters_are_422(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.get(
            "/timesheets", params={"status": "nope", "order_by": "sideways", "date_from": "x"}
        )

        assert_error_code(response, 422, "validation_failed")
        assert {"status", "order_by", "date_from"} <= set(response.json()["errors"])

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.get("/timesheets")

        assert_error_code(response, 403, "role_forbidden")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.get("/api/v2/timesheets")

        assert_error_code(response, 401, "unauthenticated")


class TestSubmitTimesheet:
    async def test_member_submits_their_own(self, tenants: Tenants, frozen: Callable[[datetime], None]) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)
        frozen(NOW)

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert response.status_code == 200
        assert response.json()["message"] == "Timesheet submitted successfully"
        assert response.json()["data"] is None  # D10: read it with GET /timesheets
        after = await timesheet(b)
        assert after["status"] == "submitted"
        assert after["submitted_on"] == "2026-02-03T12:00:00.000000Z"

    async def test_submitting_twice_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert_error_code(response, 409, "timesheet_invalid_state")

    async def test_member_may_not_submit_another_members(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)
        other = await b.ws.member()

        response = await other.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert_error_code(response, 404, "timesheet_not_found")

    async def test_owner_submits_for_a_member(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)

        response = await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert response.status_code == 200
        assert response.json()["data"] is None
        assert (await timesheet(b))["status"] == "submitted"

    async def test_another_workspaces_timesheet_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert_error_code(response, 404, "timesheet_not_found")
        assert (await timesheet(b))["status"] == "pending"

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.member, frozenset({"read"}))

        response = await api.put("/timesheets/x/submit", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.put("/api/v2/timesheets/x/submit", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestUnsubmitTimesheet:
    async def test_returns_a_submitted_timesheet_to_pending(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/unsubmit", json={})

        assert response.status_code == 200
        assert response.json()["message"] == "Timesheet unsubmitted successfully"
        assert response.json()["data"] is None
        assert (await timesheet(b))["status"] == "pending"

    async def test_a_pending_timesheet_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/unsubmit", json={})

        assert_error_code(response, 409, "timesheet_invalid_state")

    async def test_project_viewer_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        viewer = await b.ws.member(role="Project viewer")

        response = await viewer.api.put("/timesheets/x/unsubmit", json={})

        assert_error_code(response, 403, "role_forbidden")

    async def test_another_workspaces_timesheet_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.put(f"/timesheets/{sheet['id']}/unsubmit", json={})

        assert_error_code(response, 404, "timesheet_not_found")
        assert (await timesheet(b))["status"] == "submitted"

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.member, frozenset({"read"}))

        response = await api.put("/timesheets/x/unsubmit", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.put("/api/v2/timesheets/x/unsubmit", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestApproveTimesheet:
    async def test_owner_approves_a_submitted_timesheet(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        response = await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})

        assert response.status_code == 200
        assert response.json()["message"] == "Timesheet approved successfully"
        assert response.json()["data"] is None
        after = await timesheet(b)
        assert after["status"] == "approved"
        assert after["approved_by"] == b.ws.owner.user_id
        assert after["updated_by"] == b.ws.owner.user_id

    async def test_a_pending_timesheet_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)

        response = await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "timesheet_invalid_state"

    async def test_member_may_not_approve(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/approve", json={})

        assert_error_code(response, 403, "role_forbidden")

    async def test_unknown_id_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.put("/timesheets/nope/approve", json={})

        assert_error_code(response, 404, "timesheet_not_found")

    async def test_another_workspaces_timesheet_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})

        assert_error_code(response, 404, "timesheet_not_found")
        assert (await timesheet(b))["status"] == "submitted"

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.put("/timesheets/x/approve", json={})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.put("/api/v2/timesheets/x/approve", json={})

        assert_error_code(response, 401, "unauthenticated")


class TestRejectTimesheet:
    async def test_rejects_with_a_reason(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)

        response = await b.ws.owner.api.put(
            f"/timesheets/{sheet['id']}/reject", json={"reason": "Please correct the hours for Monday"}
        )

        assert response.status_code == 200
        assert response.json()["message"] == "Timesheet rejected successfully"
        assert response.json()["data"] is None
        after = await timesheet(b)
        assert after["status"] == "rejected"
        assert after["reject_reason"] == "Please correct the hours for Monday"

    async def test_reason_is_required(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.ws.owner.api.put("/timesheets/x/reject", json={})

        assert_error_code(response, 422, "validation_failed")
        assert "reason" in response.json()["errors"]

    async def test_a_rejected_timesheet_can_be_resubmitted(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)
        await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/reject", json={"reason": "fix"})

        response = await b.member.api.put(f"/timesheets/{sheet['id']}/submit", json={})

        assert response.status_code == 200
        assert (await timesheet(b))["status"] == "submitted"

    async def test_member_may_not_reject(self, tenants: Tenants) -> None:
        b = await booked(tenants)

        response = await b.member.api.put("/timesheets/x/reject", json={"reason": "no"})

        assert_error_code(response, 403, "role_forbidden")

    async def test_a_pending_timesheet_is_409(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await timesheet(b)

        response = await b.ws.owner.api.put(f"/timesheets/{sheet['id']}/reject", json={"reason": "no"})

        assert_error_code(response, 409, "timesheet_invalid_state")

    async def test_another_workspaces_timesheet_is_404(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        await b.add("2026-01-27", "09:00", "10:00")
        sheet = await submitted(b)
        elsewhere = await tenants.workspace()

        response = await elsewhere.owner.api.put(f"/timesheets/{sheet['id']}/reject", json={"reason": "no"})

        assert_error_code(response, 404, "timesheet_not_found")

    async def test_read_only_token_is_403(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        api = await b.ws.token_for(b.ws.owner, frozenset({"read"}))

        response = await api.put("/timesheets/x/reject", json={"reason": "no"})

        assert_error_code(response, 403, "insufficient_scope")

    async def test_anonymous_is_401(self, tenants: Tenants) -> None:
        response = await tenants.http.put("/api/v2/timesheets/x/reject", json={"reason": "no"})

        assert_error_code(response, 401, "unauthenticated")
