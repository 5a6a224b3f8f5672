"""Approved paid leave appears in the member's time as ``Paid leave`` entries (D9, D10)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.factories import Tenants
from tests.leave.support import add_time, approve, leave_entries, make_policy, request_leave, set_workspace
from worktally.db.models import Timesheet


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=UTC)


class TestApprovePaidLeave:
    async def test_one_entry_per_working_day_at_the_workday_start(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws, hours_per_day=8, is_paid=True)
        leave = await request_leave(member, policy["id"], "2026-02-13", "2026-02-16")

        await approve(ws, leave["id"])

        entries = await leave_entries(ws, leave["id"])
        assert [(e.started_at, e.ended_at) for e in entries] == [(utc(13, 9), utc(13, 17)), (utc(16, 9), utc(16, 17))]
        assert {e.method for e in entries} == {"Paid leave"}
        assert {e.user_id for e in entries} == {member.user_id}
        assert {e.duration_minutes for e in entries} == {480}

    async def test_entries_start_in_the_members_timezone(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member(timezone="America/New_York")
        await set_workspace(ws, workday_start_time="08:30")
        policy = await make_policy(ws, hours_per_day=8)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        await approve(ws, leave["id"])

        [entry] = await leave_entries(ws, leave["id"])
        assert entry.started_at == utc(10, 13, 30)  # 08:30 EST
        assert entry.ended_at == utc(10, 21, 30)

    async def test_a_second_half_day_starts_after_the_first_half(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, hours_per_day=8)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10", leave_period=2)

        await approve(ws, leave["id"])

        [entry] = await leave_entries(ws, leave["id"])
        assert (entry.started_at, entry.ended_at) == (utc(10, 13), utc(10, 17))

    async def test_a_range_of_first_halves_is_a_morning_entry_each_working_day(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, hours_per_day=8)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12", leave_period=1)

        await approve(ws, leave["id"])

        entries = await leave_entries(ws, leave["id"])
        assert [(e.started_at, e.ended_at) for e in entries] == [
            (utc(10, 9), utc(10, 13)),
            (utc(11, 9), utc(11, 13)),
            (utc(12, 9), utc(12, 13)),
        ]

    async def test_an_hour_based_second_half_starts_after_the_first_half(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", hours_per_day=8, allowance=40)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-11", leave_period=2)

        await approve(ws, leave["id"])

        entries = await leave_entries(ws, leave["id"])
        assert [(e.started_at, e.ended_at) for e in entries] == [(utc(10, 13), utc(10, 17)), (utc(11, 13), utc(11, 17))]

    async def test_an_hour_based_request_is_recorded_at_its_times(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, unit="hours", allowance=40)
        leave = await request_leave(
            ws.owner, policy["id"], "2026-02-10", "2026-02-10", start_time="14:00", end_time="16:30"
        )

        await approve(ws, leave["id"])

        [entry] = await leave_entries(ws, leave["id"])
        assert (entry.started_at, entry.ended_at) == (utc(10, 14), utc(10, 16, 30))

    async def test_leave_flows_around_existing_time_instead_of_overlapping_it(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        await add_time(ws, member, utc(10, 10), utc(10, 12))
        policy = await make_policy(ws, hours_per_day=8)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")

        await approve(ws, leave["id"])

        entries = await leave_entries(ws, leave["id"])
        assert [(e.started_at, e.ended_at) for e in entries] == [(utc(10, 9), utc(10, 10)), (utc(10, 12), utc(10, 19))]
        assert sum(e.duration_minutes for e in entries) == 480

    async def test_unpaid_leave_records_no_time(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws, is_paid=False)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-12")

        await approve(ws, leave["id"])

        assert await leave_entries(ws, leave["id"]) == []

    async def test_a_rejected_request_records_no_time(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        policy = await make_policy(ws)
        leave = await request_leave(ws.owner, policy["id"], "2026-02-10", "2026-02-10")

        await ws.owner.api.put(f"/leaves/{leave['id']}/reject", json={})

        assert await leave_entries(ws, leave["id"]) == []


class TestApprovePaidLeaveInAnApprovedTimesheet:
    async def test_is_refused_and_leaves_the_request_pending(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        policy = await make_policy(ws, hours_per_day=8, is_paid=True)
        leave = await request_leave(member, policy["id"], "2026-02-10", "2026-02-10")
        async with ws.tenants.sessionmaker() as session, session.begin():
            session.add(
                Timesheet(
                    workspace_id=ws.id,
                    user_id=member.user_id,
                    date_from=date(2026, 2, 9),
                    date_to=date(2026, 2, 15),
                    status="approved",
                )
            )

        response = await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})

        assert response.status_code == 409
        assert response.json()["error"] == "timesheet_approved"
        listed = await ws.owner.api.get("/leaves", params={"id": leave["id"]})
        assert listed.json()["data"][0]["status"] == "pending"
        assert await leave_entries(ws, leave["id"]) == []
