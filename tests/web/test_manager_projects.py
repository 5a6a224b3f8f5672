"""The projects pages over HTTP (D6, D13, D21): create, edit, archive, restore; contracts with a rate; tasks
with assignees; estimation against tracked time; and a Project manager sees only the projects they manage."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from tests.errors import assert_page_error
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.factories.time import make_entry
from tests.web.app_kit import CSP, forms_without_csrf, signed_in, unlabelled_fields
from worktally.core.clock import utc_now


class TestProjects:
    async def test_create_a_project_a_contract_with_a_rate_and_a_task(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User", firstname="Ann", lastname="Archer")
        csrf = await signed_in(browser, ws.owner)

        created = await browser.post(
            "/projects", data={"csrf_token": csrf, "name": "Orion", "is_billable": "1", "estimation": "10"}
        )
        project_id = int(created.headers["location"].rsplit("/", 1)[1])
        await browser.post(
            f"/projects/{project_id}/contracts",
            data={
                "csrf_token": csrf,
                "user_id": str(ann.user_id),
                "rate": "42.50",
                "weekly_hours_limit": "20",
                "screenshots": "blurred",
            },
        )
        await browser.post(
            f"/projects/{project_id}/tasks",
            data={"csrf_token": csrf, "title": "Launch", "assignees": [str(ann.user_id)]},
        )
        page = await browser.get(f"/projects/{project_id}")
        contract = (await ws.owner.api.get("/contracts", params={"project_id": project_id})).json()["data"][0]
        task = (await ws.owner.api.get("/tasks", params={"project_id": project_id})).json()["data"][0]

        assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
        assert unlabelled_fields(page.text) == [] and forms_without_csrf(page.text) == []
        assert (contract["user_id"], contract["rate"], contract["weekly_hours_limit"], contract["screenshots"]) == (
            ann.user_id,
            42.5,
            20,
            "blurred",
        )
        assert task["title"] == "Launch" and [a["id"] for a in task["assignees"]] == [ann.user_id]
        assert "42.5 USD" in page.text and "Launch" in page.text

    async def test_a_bad_rate_shows_the_api_message(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        project_id = await make_project(ws, name="Orion")
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            f"/projects/{project_id}/contracts",
            data={"csrf_token": csrf, "user_id": str(ann.user_id), "rate": "-3", "weekly_hours_limit": "20"},
        )

        assert response.status_code == 422 and 'id="contract-rate-error"' in response.text

    async def test_pause_edit_archive_restore(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        project_id = await make_project(ws, name="Orion")
        contract_id = await make_contract(ws, ann, project_id)
        csrf = await signed_in(browser, ws.owner)

        await browser.post(f"/contracts/{contract_id}", data={"csrf_token": csrf, "status": "paused"})
        paused = (await ws.owner.api.get(f"/contracts/{contract_id}")).json()["data"]["status"]
        await browser.post(f"/projects/{project_id}", data={"csrf_token": csrf, "name": "Orion II", "is_billable": "1"})
        renamed = (await ws.owner.api.get(f"/projects/{project_id}")).json()["data"]["name"]
        await browser.post(f"/projects/{project_id}/archive", data={"csrf_token": csrf})
        listed = await browser.get("/projects")
        await browser.post(f"/projects/{project_id}/restore", data={"csrf_token": csrf})
        restored = (await ws.owner.api.get(f"/projects/{project_id}")).json()["data"]["deleted_at"]

        assert (paused, renamed, restored) == ("paused", "Orion II", None)
        assert f'action="/projects/{project_id}/restore"' in listed.text

    async def test_estimation_against_tracked_time(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        project_id = await make_project(ws, name="Orion")
        contract_id = await make_contract(ws, ann, project_id)
        start = utc_now().replace(microsecond=0) - timedelta(days=2)
        await make_entry(ws, ann, start, start + timedelta(hours=5), project_id=project_id, contract_id=contract_id)
        csrf = await signed_in(browser, ws.owner)
        await browser.post(
            f"/projects/{project_id}",
            data={"csrf_token": csrf, "name": "Orion", "is_billable": "1", "estimation": "10"},
        )

        page = await browser.get("/projects")

        row = re.search(rf'<tr data-project="{project_id}">(.*?)</tr>', page.text, re.S)
        assert row and 'data-minutes="300"' in row.group(1) and "50 %" in row.group(1)


class TestRoles:
    async def test_project_manager_sees_only_their_projects(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        mine = await make_project(ws, name="Mine")
        other = await make_project(ws, name="Other")
        await make_contract(ws, manager, mine)
        await signed_in(browser, manager)

        listed = await browser.get("/projects")
        theirs = await browser.get(f"/projects/{other}")
        api = (await manager.api.get("/projects")).json()["data"]

        shown = {int(i) for i in re.findall(r'<tr data-project="(\d+)"', listed.text)}
        assert shown == {p["id"] for p in api} == {mine}
        assert_page_error(theirs, 404, "project_not_found")
        assert 'action="/projects"' not in listed.text  # no create form

    async def test_regular_user_gets_the_403_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        await signed_in(browser, member)

        response = await browser.get("/projects")

        assert response.status_code == 403 and "Not allowed" in response.text
