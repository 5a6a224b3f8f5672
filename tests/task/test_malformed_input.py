"""D2: no input, however malformed, gives a 500 on the project, contract and task writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Tenants
from tests.factories.structure import make_project, make_task

NASTY_BODIES: list[Any] = [
    None,
    [],
    "text",
    12,
    {"name": None, "title": None, "project_id": None, "user_id": None},
    {"name": ["x"], "title": {"a": 1}, "project_id": True, "user_id": 1.5},
    {"name": "ü" * 255, "title": "🙂" * 500, "project_id": -1, "user_id": 2**64},
    {"tags": [None, 3, {"color": "#fff"}], "assignees": [None, "a", 2**40], "parent_id": "x"},
    {"start_date": "0000-00-00", "deadline": "9999-12-31", "end_date": "2024-02-30"},
    {"estimation": "1e999", "budget": "-0", "rate": "Infinity", "weekly_hours_limit": 1e30},
    {"screenshots": "", "status": "1", "priority": None, "rate_type": "custom"},
    {"notes": "x" * 20_000, "description": "\u0000", "icon": "a" * 101},
]


@pytest.mark.parametrize("body", NASTY_BODIES)
async def test_writes_answer_malformed_bodies_without_a_500(tenants: Tenants, body: Any) -> None:
    ws = await tenants.workspace()
    project = await make_project(ws)
    task = await make_task(ws, project)

    responses = [
        await ws.owner.api.post("/projects", json=body),
        await ws.owner.api.put(f"/projects/{project}", json=body),
        await ws.owner.api.post("/contracts", json=body),
        await ws.owner.api.put("/contracts/1", json=body),
        await ws.owner.api.post("/tasks", json=body),
        await ws.owner.api.put(f"/tasks/{task}", json=body),
        await ws.owner.api.delete(f"/tasks/{task}/unassign/1", json=body),
    ]

    assert all(r.status_code < 500 for r in responses), [(r.request.url.path, r.status_code) for r in responses]


@pytest.mark.parametrize(
    "params",
    [
        {"name": "%_\\"},
        {"name": "x" * 300},
        {"page": "9" * 30},
        {"per_page": "-1"},
        {"project_id": "9" * 30, "user_id": "1e3", "status": "🙂", "priority": "0x10"},
    ],
)
async def test_lists_answer_malformed_queries_without_a_500(tenants: Tenants, params: dict[str, str]) -> None:
    ws = await tenants.workspace()

    responses = [await ws.owner.api.get(path, params=params) for path in ("/projects", "/contracts", "/tasks")]

    assert all(r.status_code < 500 for r in responses), [(r.request.url.path, r.status_code) for r in responses]
