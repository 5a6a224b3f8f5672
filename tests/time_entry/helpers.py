"""Shared arrangements for the time tests: a member with a contract and a task, a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_task
from worktally.core import clock


@dataclass
class Booked:
    """A workspace, a member (John Doe) with a contract on "Website Redesign" and a task "Implement auth"."""

    ws: WorkspaceFixture
    member: Member
    project_id: int
    contract_id: int
    task_id: int

    async def add(
        self, day: str, start: str, end: str, *, contract: bool = True, notes: str | None = None, **extra: Any
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "user_id": self.member.user_id,
            "contract_id": self.contract_id if contract else None,
            "date": day,
            "start_time": start,
            "end_time": end,
            "notes": notes,
            **extra,
        }
        return await self.ws.owner.api.post("/time-entries", json=body)

    async def day(self, day: str) -> list[dict[str, Any]]:
        response = await self.ws.owner.api.get(
            "/time-entries", params={"user_id": self.member.user_id, "date": day, "per_page": 50}
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["data"]
        return items


async def booked(
    tenants: Tenants,
    *,
    timezone: str | None = None,
    workspace_timezone: str = "UTC",
    role: str = "Regular User",
    weekly_hours_limit: int = 168,
    contract_status: str = "active",
) -> Booked:
    ws = await tenants.workspace(timezone=workspace_timezone)
    member = await ws.member(role=role, timezone=timezone, firstname="John", lastname="Doe")
    project_id = await make_project(ws, name="Website Redesign")
    contract_id = await make_contract(
        ws, member, project_id, weekly_hours_limit=weekly_hours_limit, status=contract_status
    )
    task_id = await make_task(ws, project_id, title="Implement auth", assignees=[member])
    return Booked(ws=ws, member=member, project_id=project_id, contract_id=contract_id, task_id=task_id)


@pytest.fixture
def frozen() -> Iterator[Any]:
    """``frozen(datetime)`` freezes the server clock for this test."""

    def freeze(at: datetime) -> None:
        clock.freeze(at)

    yield freeze
    clock.freeze(None)
