"""Issue #14: the statements the calls a team makes all day send, pinned (every statement counted,
prepared reads on asyncpg included: ``tests/statements.py``). A change that adds a round trip to a hot path
has to change the number here, on purpose.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories import Tenants
from tests.statements import counting_statements

DAY = date.today() - timedelta(days=3)


def _sent(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


@pytest.fixture
async def seeded(tenants: Tenants) -> dict[str, Any]:
    ws = await tenants.workspace()
    api = ws.owner.api
    project = (await api.post("/projects", json={"name": "Hot"})).json()["data"]
    contract = (await api.post("/contracts", json={"project_id": project["id"], "user_id": ws.owner.user_id})).json()[
        "data"
    ]
    task = await api.post("/tasks", json={"project_id": project["id"], "title": "Hot task"})
    assert task.status_code == 201, task.text
    for start, end in (("09:00", "10:00"), ("10:30", "11:00")):
        entry = await api.post(
            "/time-entries",
            json={
                "user_id": ws.owner.user_id,
                "contract_id": contract["id"],
                "date": DAY.isoformat(),
                "start_time": start,
                "end_time": end,
            },
        )
        assert entry.status_code == 201, entry.text
    return {"ws": ws, "project": project, "contract": contract}


LISTS: dict[str, tuple[str, int]] = {
    # path, statements: authentication (token and membership in one prepared read), then the page with its
    # total (count(*) OVER (), api/pagination.py), then what the list joins in afterwards
    "time entries of a day": ("/time-entries", 3),  # + the member's timezone and rates
    "projects": ("/projects", 4),  # + each project's members, and its tracked totals
    "members": ("/members", 2),
    "contracts": ("/contracts", 2),
    "tasks": ("/tasks", 3),  # + the assignees
    "time requests": ("/time-requests", 2),
    "timesheets": ("/timesheets", 7),  # + the periods a list makes exist (it may create them), members, their time,
}


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_list_sends_its_pinned_statements(seeded: dict[str, Any], app: Any, name: str) -> None:
    ws = seeded["ws"]
    path, expected = LISTS[name]
    params: dict[str, Any] = {}
    if path == "/time-entries":
        params = {"user_id": ws.owner.user_id, "date": DAY.isoformat()}
    if path == "/tasks":
        params = {"project_id": seeded["project"]["id"]}
    if path == "/time-requests":
        params = {"date_from": (DAY - timedelta(days=7)).isoformat(), "date_to": DAY.isoformat()}
    await ws.owner.api.get(path, params=params)  # warm
    async with counting_statements(app) as statements:
        response = await ws.owner.api.get(path, params=params)
    assert response.status_code == 200, response.text
    assert len(_sent(statements)) == expected, _sent(statements)


async def test_a_time_entry_create_sends_its_pinned_statements(seeded: dict[str, Any], app: Any) -> None:
    ws = seeded["ws"]
    body = {
        "user_id": ws.owner.user_id,
        "contract_id": seeded["contract"]["id"],
        "date": DAY.isoformat(),
        "start_time": "13:00",
        "end_time": "14:00",
    }
    async with counting_statements(app) as statements:
        response = await ws.owner.api.post("/time-entries", json=body)
    assert response.status_code == 201, response.text
    # authentication, the member, the contract with its project, [PostgreSQL: the member's time lock], an approved
    # timesheet in the way, the entries it would overlap, the week's booked seconds (summed in SQL), the INSERT, the timesheet
    # upkeep, the event, the webhooks to deliver it to, the change
    expected = 12 if app.state.engine.dialect.name == "postgresql" else 11
    assert len(_sent(statements)) == expected, _sent(statements)
