"""Helpers for the manager's pages' tests: a workspace with something waiting in every approval queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.factories import Member, WorkspaceFixture
from tests.web.app_kit import Tracked, tracked_member
from worktally.core.clock import utc_now
from worktally.core.timezones import week_start


def last_monday() -> date:
    return week_start(utc_now().date()) - timedelta(days=7)


@dataclass
class Waiting:
    tracked: Tracked
    timesheet_id: str
    request_ids: list[str]
    leave_id: str
    policy_id: int


async def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def submitted_timesheet(ws: WorkspaceFixture, tracked: Tracked) -> str:
    """Two hours last Tuesday on the member's project, and last week's timesheet submitted."""
    monday = last_monday()
    await _ok(
        await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": tracked.member.user_id,
                "contract_id": tracked.contract_id,
                "task_id": tracked.task_id,
                "notes": "Wireframes",
                "date": (monday + timedelta(days=1)).isoformat(),
                "start_time": "09:00",
                "end_time": "11:00",
            },
        )
    )
    sheets = await tracked.member.api.get(
        "/timesheets", params={"user_id": tracked.member.user_id, "date_from": monday.isoformat()}
    )
    sheet = next(s for s in sheets.json()["data"] if s["date_from"] == monday.isoformat())
    await _ok(await tracked.member.api.put(f"/timesheets/{sheet['id']}/submit"))
    return str(sheet["id"])


async def pending_request(tracked: Tracked, day: date, start: str, end: str) -> str:
    data = await _ok(
        await tracked.member.api.post(
            "/time-requests",
            json={
                "contract_id": tracked.contract_id,
                "start": f"{day.isoformat()}T{start}:00",
                "end": f"{day.isoformat()}T{end}:00",
                "activity_description": "Forgot the timer",
            },
        )
    )
    assert data["status"] == "pending"
    return str(data["id"])


async def pending_leave(
    ws: WorkspaceFixture, member: Member, allowance: int = 20, *, this_year: bool = False
) -> tuple[str, int]:
    """A Vacation policy of ``allowance`` days and two working days asked for next month (``this_year``:
    a Tuesday and Wednesday of this year, for the balance of this year that the member's page shows)."""
    policy = await _ok(
        await ws.owner.api.post("/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": allowance})
    )
    today = utc_now().date()
    first = today.replace(day=1) + timedelta(days=40)
    while first.weekday() != 1 or (this_year and (first + timedelta(days=1)).year != today.year):
        first -= timedelta(days=1)  # a Tuesday and Wednesday, inside the same year where possible
    leave = await _ok(
        await member.api.post(
            "/leaves",
            json={
                "policy_id": policy["id"],
                "start": first.isoformat(),
                "end": (first + timedelta(days=1)).isoformat(),
                "leave_period": 0,
            },
        )
    )
    return str(leave["id"]), int(policy["id"])


async def everything_waiting(ws: WorkspaceFixture) -> Waiting:
    tracked = await tracked_member(ws)
    timesheet_id = await submitted_timesheet(ws, tracked)
    day = last_monday() + timedelta(days=2)
    request_ids = [
        await pending_request(tracked, day, "13:00", "14:00"),
        await pending_request(tracked, day, "15:00", "15:30"),
    ]
    leave_id, policy_id = await pending_leave(ws, tracked.member)
    return Waiting(tracked, timesheet_id, request_ids, leave_id, policy_id)
