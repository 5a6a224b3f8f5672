"""Issue #17's point 2, page by page: a Project manager and a Team manager see on every manager page and
chart only the members and projects the API lists for them (D6), the approval inbox and the settings are
not theirs (403), and a Regular User gets the 403 page on every manager page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_team
from tests.web.app_kit import signed_in
from tests.web.test_manager_reports import _tracked_week


def _pages(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    monday = data["monday"]
    wednesday = (monday + timedelta(days=2)).isoformat()
    week = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
    return {
        "/team": {},
        "/projects": {},
        "/reports/tracked-hours": week,
        "/reports/timeline": {"date": wednesday},
        "/reports/attendance": {"date": wednesday},
        "/reports/activity": week,
        "/reports/tasks": week,
        "/reports/descriptions": week,
    }


# Pages of charts with a row per member who tracked time in the range (the visible member must be on them).
CHARTED = ("/reports/tracked-hours", "/reports/timeline", "/reports/attendance", "/reports/activity")
NOT_THEIRS = ("/approvals", "/settings/workspace", "/settings/webhooks")


async def _names(member: Member) -> tuple[set[str], set[str]]:
    """The member and project names the API lists for ``member``."""
    people = (await member.api.get("/members", params={"per_page": 100})).json()["data"]
    projects = (await member.api.get("/projects", params={"per_page": 100})).json()["data"]
    return {f"{m['firstname']} {m['lastname']}" for m in people}, {p["name"] for p in projects}


async def _scoped(ws: WorkspaceFixture, browser: httpx.AsyncClient, manager: Member, data: dict[str, Any]) -> str:
    """Every manager page as ``manager``: nothing the API hides from them; returns the visible member's name."""
    every_member, every_project = await _names(ws.owner)
    their_members, their_projects = await _names(manager)
    hidden = (every_member - their_members) | (every_project - their_projects)
    await signed_in(browser, manager)
    shown: dict[str, str] = {}
    for path, query in _pages(data).items():
        response = await browser.get(path, params=query)
        assert response.status_code == 200, (path, response.status_code)
        shown[path] = response.text
        assert [name for name in sorted(hidden) if name in response.text] == [], path
    for path in NOT_THEIRS:
        refused = await browser.get(path)
        assert refused.status_code == 403 and "Not allowed" in refused.text, path
    assert hidden  # the test means something: the workspace holds what they may not see
    return "\n".join(shown[path] for path in CHARTED)


class TestManagersOfAPart:
    async def test_team_manager_sees_only_their_team_on_every_page(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        lead = await ws.member(role="Team manager", firstname="Tom", lastname="Lead")
        await make_team(ws, name="Ann's", members=[data["ann"]], managers=[lead])

        charted = await _scoped(ws, browser, lead, data)

        assert charted.count("Ann Archer") >= len(CHARTED) and "Bob Baker" not in charted

    async def test_project_manager_sees_only_their_projects_on_every_page(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        manager = await ws.member(role="Project manager", firstname="Pia", lastname="Manager")
        await make_contract(ws, manager, data["zephyr"])

        charted = await _scoped(ws, browser, manager, data)

        assert charted.count("Bob Baker") >= len(CHARTED) and "Apollo" not in charted


MANAGER_PAGES = (
    "/approvals",
    "/team",
    "/projects",
    "/reports/tracked-hours",
    "/reports/timeline",
    "/reports/attendance",
    "/reports/activity",
    "/reports/tasks",
    "/reports/descriptions",
    "/settings/workspace",
    "/settings/webhooks",
)


@pytest.mark.parametrize("path", MANAGER_PAGES)
async def test_a_regular_user_gets_the_403_page(tenants: Tenants, browser: httpx.AsyncClient, path: str) -> None:
    ws = await tenants.workspace()
    member = await ws.member(role="Regular User")
    await signed_in(browser, member)

    response = await browser.get(path)

    assert response.status_code == 403 and "Not allowed" in response.text
    assert f'href="{path}"' not in response.text.split("<main", 1)[0]  # not in the navigation either
