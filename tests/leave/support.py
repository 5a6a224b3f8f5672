"""Helpers for the leave tests: policies through the API, settings and time straight into the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from tests.factories import Member, WorkspaceFixture
from worktally.db.models import Holiday, TimeEntry, WebhookEvent, Workspace
from worktally.webhook.events import EVENT_TYPES

# February 2026: Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Sat 14, Sun 15, Mon 16.


async def make_policy(ws: WorkspaceFixture, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Vacation", "unit": "days", "allowance": 20}
    body.update(fields)
    response = await ws.owner.api.post("/leaves/policies", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def request_leave(member: Member, policy_id: int, start: str, end: str, **fields: Any) -> dict[str, Any]:
    response = await member.api.post("/leaves", json={"policy_id": policy_id, "start": start, "end": end, **fields})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def approve(ws: WorkspaceFixture, leave_id: str) -> dict[str, Any]:
    response = await ws.owner.api.put(f"/leaves/{leave_id}/approve", json={})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def add_holiday(ws: WorkspaceFixture, day: date, name: str = "Holiday") -> None:
    async with ws.tenants.sessionmaker() as session, session.begin():
        session.add(Holiday(workspace_id=ws.id, holiday_date=day, name=name))


async def set_workspace(ws: WorkspaceFixture, **settings: Any) -> None:
    async with ws.tenants.sessionmaker() as session, session.begin():
        await session.execute(update(Workspace).where(Workspace.id == ws.id).values(**settings))


async def add_time(ws: WorkspaceFixture, member: Member, start: datetime, end: datetime) -> None:
    async with ws.tenants.sessionmaker() as session, session.begin():
        session.add(
            TimeEntry(
                workspace_id=ws.id,
                user_id=member.user_id,
                method="Manually added time",
                started_at=start,
                ended_at=end,
                duration_minutes=int((end - start).total_seconds()) // 60,
            )
        )


async def leave_entries(ws: WorkspaceFixture, leave_id: str) -> list[TimeEntry]:
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(TimeEntry).where(TimeEntry.leave_request_id == leave_id).order_by(TimeEntry.started_at)
        )
        return list(rows.scalars())


async def event_types(ws: WorkspaceFixture) -> list[str]:
    """The webhook events recorded in ``ws`` (not the changes feed's change-only ones, D19)."""
    async with ws.tenants.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookEvent.type)
            .where(WebhookEvent.workspace_id == ws.id, WebhookEvent.type.in_(EVENT_TYPES))
            .order_by(WebhookEvent.created_at)
        )
        return list(rows.scalars())
