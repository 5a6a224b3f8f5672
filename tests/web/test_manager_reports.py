"""The report pages over HTTP (D16, D21): the numbers on the page are the API's report for the same filters,
the CSV is the API's CSV, bad filters show the API's messages, and the roles see what the API shows them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.errors import assert_page_error
from tests.factories import Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_team
from tests.factories.time import make_entry
from tests.web.app_kit import CSP, forms_without_csrf, signed_in, unlabelled_fields
from tests.web.manager_kit import last_monday


def _at(day: Any, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def _tracked_week(ws: WorkspaceFixture) -> dict[str, Any]:
    """Two members on two projects over last week, one with a rate."""
    monday = last_monday()
    ann = await ws.member(role="Regular User", firstname="Ann", lastname="Archer", timezone="UTC")
    bob = await ws.member(role="Regular User", firstname="Bob", lastname="Baker", timezone="UTC")
    apollo = await make_project(ws, name="Apollo")
    zephyr = await make_project(ws, name="Zephyr")
    ann_apollo = await make_contract(ws, ann, apollo, rate=Decimal("50"))
    bob_zephyr = await make_contract(ws, bob, zephyr)
    await make_entry(ws, ann, _at(monday, 9), _at(monday, 11), project_id=apollo, contract_id=ann_apollo)
    await make_entry(
        ws,
        ann,
        _at(monday + timedelta(days=2), 9),
        _at(monday + timedelta(days=2), 9, 45),
        project_id=apollo,
        contract_id=ann_apollo,
    )
    await make_entry(
        ws,
        bob,
        _at(monday + timedelta(days=2), 13),
        _at(monday + timedelta(days=2), 16),
        project_id=zephyr,
        contract_id=bob_zephyr,
    )
    return {"monday": monday, "ann": ann, "bob": bob, "apollo": apollo, "zephyr": zephyr}


def _cells(html: str, table: str, attr: str) -> dict[str, int]:
    body = re.search(rf'<table class="numbers" id="{table}">(.*?)</table>', html, re.S)
    assert body, table
    found = re.findall(rf'<tr {attr}="([^"]*)"[^>]*>.*?data-minutes="(\d+)"', body.group(1), re.S)
    return {key: int(minutes) for key, minutes in found}


class TestTrackedHours:
    async def test_page_numbers_are_the_api_report(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        monday = data["monday"]
        query = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/tracked-hours", params=query)
        api = (await ws.owner.api.get("/reports/tracked-hours", params=query)).json()["data"]

        html = page.text
        assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
        assert unlabelled_fields(html) == [] and forms_without_csrf(html) == []
        total = re.search(r'id="total-minutes" data-minutes="(\d+)"', html)
        assert total and int(total.group(1)) == api["total"]["total_minutes"] == 345
        per_day = _cells(html, "per-day", "data-first")
        assert per_day == {day: value["total_minutes"] for day, value in api["days"].items()}
        per_member: dict[str, int] = {}
        per_project: dict[str, int] = {}
        for value in api["days"].values():
            for user in value["users"]:
                per_member[str(user["user_id"])] = per_member.get(str(user["user_id"]), 0) + user["total_minutes"]
                for project in user["projects"]:
                    key = str(project["project_id"])
                    per_project[key] = per_project.get(key, 0) + project["total_minutes"]
        assert _cells(html, "per-member", "data-user") == per_member
        assert _cells(html, "per-project", "data-project") == per_project
        assert str(api["total"]["total_amount"]["USD"]) in ("137.5", "137.50")  # 2 h 45 min at 50 an hour
        assert re.search(r'id="total-amount">137\.50 USD<', html)
        assert html.count('<rect class="f') >= 3 and 'class="chart donut"' in html  # chart beside its table

    async def test_filters_are_the_api_filters(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        monday = data["monday"]
        query = {
            "start_date": monday.isoformat(),
            "end_date": (monday + timedelta(days=6)).isoformat(),
            "projects": [str(data["zephyr"])],
        }
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/tracked-hours", params=query)
        api = (await ws.owner.api.get("/reports/tracked-hours", params=query)).json()["data"]

        total = re.search(r'id="total-minutes" data-minutes="(\d+)"', page.text)
        assert total and int(total.group(1)) == api["total"]["total_minutes"] == 180
        assert _cells(page.text, "per-member", "data-user") == {str(data["bob"].user_id): 180}

    async def test_a_longer_range_has_a_bar_per_week(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        start = data["monday"] - timedelta(days=35)
        query = {"start_date": start.isoformat(), "end_date": (data["monday"] + timedelta(days=6)).isoformat()}
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/tracked-hours", params=query)

        per_week = _cells(page.text, "per-day", "data-first")
        assert len(per_week) == 6 and per_week[data["monday"].isoformat()] == 345
        assert "Per week" in page.text

    async def test_csv_is_the_api_csv(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        monday = data["monday"]
        query = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/tracked-hours.csv", params=query)
        api = await ws.owner.api.get("/reports/tracked-hours", params={**query, "format": "csv"})

        assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")
        assert page.text == api.text

    async def test_a_bad_range_shows_the_api_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        await signed_in(browser, ws.owner)
        query = {"start_date": "2026-03-10", "end_date": "2026-03-01"}

        page = await browser.get("/reports/tracked-hours", params=query)
        api = await ws.owner.api.get("/reports/tracked-hours", params=query)

        assert page.status_code == 422 and api.status_code == 422
        assert api.json()["errors"]["end_date"][0] in page.text


class TestOtherReports:
    async def test_each_renders_with_its_table(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        monday = data["monday"].isoformat()
        sunday = (data["monday"] + timedelta(days=6)).isoformat()
        await signed_in(browser, ws.owner)

        pages = {
            "/reports/timeline": ({"date": monday}, "timeline-table"),
            "/reports/attendance": ({"date": monday}, "attendance-table"),
            "/reports/activity": ({"start_date": monday, "end_date": sunday}, "activity-table"),
            "/reports/tasks": ({"start_date": monday, "end_date": sunday}, "tasks-table"),
            "/reports/descriptions": ({"start_date": monday, "end_date": sunday}, "descriptions-table"),
        }
        for path, (query, table) in pages.items():
            response = await browser.get(path, params=query)
            assert response.status_code == 200, path
            assert f'id="{table}"' in response.text, path
            assert unlabelled_fields(response.text) == [], path

    async def test_timeline_minutes_are_the_api_report(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        day = (data["monday"] + timedelta(days=2)).isoformat()
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/timeline", params={"date": day})
        api = (await ws.owner.api.get("/reports/daily-timeline", params={"date": day})).json()["data"]

        assert _cells(page.text, "timeline-table", "data-user") == {
            str(u["user_id"]): u["total_minutes"] for u in api["users"]
        }
        assert 'class="chart timeline"' in page.text

    async def test_more_than_31_days_is_refused_as_by_the_api(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        await signed_in(browser, ws.owner)

        page = await browser.get("/reports/tasks", params={"start_date": "2026-01-01", "end_date": "2026-03-01"})

        assert page.status_code == 422 and 'id="end_date-error"' in page.text


class TestRoles:
    async def test_regular_user_gets_the_403_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        await signed_in(browser, member)

        for path in ("/reports/tracked-hours", "/reports/timeline", "/reports/tracked-hours.csv"):
            response = await browser.get(path)
            assert_page_error(response, 403, "role_forbidden")
            assert "Not allowed" in response.text


class TestManagersSeeTheirPart:
    async def test_team_manager_report_is_their_team_as_in_the_api(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        lead = await ws.member(role="Team manager")
        await make_team(ws, name="Ann's", members=[data["ann"]], managers=[lead])
        monday = data["monday"]
        query = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
        await signed_in(browser, lead)

        page = await browser.get("/reports/tracked-hours", params=query)
        api = (await lead.api.get("/reports/tracked-hours", params=query)).json()["data"]

        total = re.search(r'id="total-minutes" data-minutes="(\d+)"', page.text)
        assert total and int(total.group(1)) == api["total"]["total_minutes"] == 165
        assert set(_cells(page.text, "per-member", "data-user")) == {str(data["ann"].user_id)}
        assert "Bob Baker" not in page.text  # neither in the table nor in the members filter

    async def test_project_manager_report_is_their_project_as_in_the_api(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        data = await _tracked_week(ws)
        manager = await ws.member(role="Project manager")
        await make_contract(ws, manager, data["zephyr"])
        monday = data["monday"]
        query = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
        await signed_in(browser, manager)

        page = await browser.get("/reports/tracked-hours", params=query)
        api = (await manager.api.get("/reports/tracked-hours", params=query)).json()["data"]

        total = re.search(r'id="total-minutes" data-minutes="(\d+)"', page.text)
        assert total and int(total.group(1)) == api["total"]["total_minutes"]
        assert set(_cells(page.text, "per-project", "data-project")) <= {str(data["zephyr"])}
        assert "Apollo" not in page.text
