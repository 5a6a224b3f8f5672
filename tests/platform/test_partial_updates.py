"""One rule for every PUT (``core.updates``, issue #13): the fields given change; a null for a field that may
be empty clears it; a null for one that may not is a 422 naming the field, and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.errors import assert_error_code
from tests.factories import Tenants, WorkspaceFixture
from tests.factories.structure import make_project, make_team
from tests.factories.time import make_entry
from worktally.core.updates import null_message
from worktally.db.models import Membership, Project, Team, TimeEntry, Workspace


async def _stored(ws: WorkspaceFixture, column: object, where: object) -> object:
    async with ws.tenants.sessionmaker() as session:
        return (await session.execute(select(column).where(where))).scalar_one()  # type: ignore[call-overload]


async def _team(ws: WorkspaceFixture) -> tuple[str, dict[str, object], str, object, object]:
    team_id = await make_team(ws, name="Old")
    return f"/teams/{team_id}", {"name": None}, "name", Team.name, Team.id == team_id


async def _project(ws: WorkspaceFixture) -> tuple[str, dict[str, object], str, object, object]:
    project_id = await make_project(ws, name="Apollo")
    return (
        f"/projects/{project_id}",
        {"is_billable": None},
        "is_billable",
        Project.is_billable,
        Project.id == project_id,
    )


async def _member(ws: WorkspaceFixture) -> tuple[str, dict[str, object], str, object, object]:
    member = await ws.member()
    where = (Membership.workspace_id == ws.id) & (Membership.user_id == member.user_id)
    return (
        f"/members/{member.user_id}",
        {"weekly_hours_limit": None},
        "weekly_hours_limit",
        Membership.weekly_hours_limit,
        where,
    )


async def _settings(ws: WorkspaceFixture) -> tuple[str, dict[str, object], str, object, object]:
    return "/workspaces/settings", {"timezone": None}, "timezone", Workspace.timezone, Workspace.id == ws.id


async def _time_entry(ws: WorkspaceFixture) -> tuple[str, dict[str, object], str, object, object]:
    member = await ws.member()
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    entry_id = await make_entry(ws, member, start, start.replace(hour=10))
    return (
        f"/time-entries/{entry_id}",
        {"start_time": None},
        "start_time",
        TimeEntry.started_at,
        TimeEntry.id == entry_id,
    )


CASES = {"team": _team, "project": _project, "member": _member, "settings": _settings, "time entry": _time_entry}


@pytest.mark.parametrize("case", CASES)
async def test_a_null_for_a_field_that_cannot_be_empty_is_a_422_and_changes_nothing(
    tenants: Tenants, case: str
) -> None:
    ws = await tenants.workspace()
    path, body, field, column, where = await CASES[case](ws)
    before = await _stored(ws, column, where)

    response = await ws.owner.api.put(path, json=body)

    errors = assert_error_code(response, 422, "validation_failed")["errors"]
    assert errors == {field: [null_message(field)]}
    assert await _stored(ws, column, where) == before


async def test_a_null_clears_a_field_that_may_be_empty(tenants: Tenants) -> None:
    ws = await tenants.workspace()
    member = await ws.member()
    titled = await ws.owner.api.put(f"/members/{member.user_id}", json={"title": "Engineer"})

    response = await ws.owner.api.put(f"/members/{member.user_id}", json={"title": None, "firstname": "Ada"})

    assert titled.json()["data"]["title"] == "Engineer"
    assert response.status_code == 200, response.text
    assert response.json()["data"]["title"] is None
    assert response.json()["data"]["firstname"] == "Ada"
    where = (Membership.workspace_id == ws.id) & (Membership.user_id == member.user_id)
    assert await _stored(ws, Membership.title, where) is None
