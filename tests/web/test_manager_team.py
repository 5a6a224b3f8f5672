"""The team page over HTTP (D6, D12, D17, D21): members as the API lists them, invite and its link, roles,
archive and restore, teams, project viewers; and what a Team manager sees."""

from __future__ import annotations

import re

import httpx

from tests.errors import assert_page_error
from tests.factories import Tenants
from tests.factories.structure import make_project, make_team
from tests.web.app_kit import CSP, forms_without_csrf, signed_in, unlabelled_fields


class TestTeamPage:
    async def test_lists_the_members_with_role_status_team_timezone(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User", firstname="Ann", lastname="Archer", timezone="Europe/Berlin")
        await make_team(ws, name="Design", members=[ann])
        await signed_in(browser, ws.owner)

        response = await browser.get("/team")

        html = response.text
        assert response.status_code == 200 and response.headers["content-security-policy"] == CSP
        assert unlabelled_fields(html) == [] and forms_without_csrf(html) == []
        row = re.search(rf'<tr data-member="{ann.user_id}">(.*?)</tr>', html, re.S)
        assert row and "Ann Archer" in row.group(1) and "Europe/Berlin" in row.group(1) and "Design" in row.group(1)

    async def test_invite_shows_the_link_that_works(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/team/invite",
            data={
                "csrf_token": csrf,
                "email": "new@example.com",
                "firstname": "New",
                "lastname": "Person",
                "role": "Team manager",
            },
            follow_redirects=True,
        )
        link = re.search(r'<p class="flash link">[^<]*(/accept-invitation/[^<\s]+)</p>', response.text)
        listed = await ws.owner.api.get("/members", params={"email": "new@example.com"})

        assert link, response.text
        assert listed.json()["data"][0]["current_role"] == "Team manager"
        assert listed.json()["data"][0]["status"] == "inactive"
        form = await browser.get(link.group(1))
        assert form.status_code == 200

    async def test_invite_a_member_twice_says_so_next_to_the_email(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/team/invite",
            data={"csrf_token": csrf, "email": ann.email, "firstname": "A", "lastname": "B", "role": "Regular User"},
        )

        assert_page_error(response, 409, "member_exists")
        assert 'id="email-error"' in response.text and f'value="{ann.email}"' in response.text

    async def test_change_role_archive_restore(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        csrf = await signed_in(browser, ws.owner)

        await browser.post(f"/team/{ann.user_id}/role", data={"csrf_token": csrf, "role": "Project manager"})
        role = (await ws.owner.api.get(f"/members/{ann.user_id}")).json()["data"]["current_role"]
        await browser.post(f"/team/{ann.user_id}/archive", data={"csrf_token": csrf})
        archived = (await ws.owner.api.get(f"/members/{ann.user_id}")).json()["data"]["status"]
        await browser.post(f"/team/{ann.user_id}/restore", data={"csrf_token": csrf})
        restored = (await ws.owner.api.get(f"/members/{ann.user_id}")).json()["data"]["status"]

        assert (role, archived, restored) == ("Project manager", "left", "active")

    async def test_the_owner_cannot_be_changed(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        em = await ws.member(role="Executive manager")
        csrf = await signed_in(browser, em)

        response = await browser.post(
            f"/team/{ws.owner.user_id}/role", data={"csrf_token": csrf, "role": "Regular User"}, follow_redirects=True
        )
        role = (await ws.owner.api.get(f"/members/{ws.owner.user_id}")).json()["data"]["current_role"]

        assert role == "Owner" and 'class="flash error"' in response.text

    async def test_create_a_team_with_a_manager(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User")
        lead = await ws.member(role="Team manager")
        csrf = await signed_in(browser, ws.owner)

        await browser.post(
            "/team/teams",
            data={
                "csrf_token": csrf,
                "name": "Ops",
                "member_ids": [str(ann.user_id)],
                "manager_ids": [str(lead.user_id)],
            },
        )
        found = (await ws.owner.api.get("/teams")).json()["data"]

        assert [(t["name"], t["member_ids"], t["manager_ids"]) for t in found] == [
            ("Ops", [ann.user_id], [lead.user_id])
        ]

    async def test_assign_a_project_to_a_viewer(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        viewer = await ws.member(role="Project viewer")
        project = await make_project(ws, name="Glass")
        csrf = await signed_in(browser, ws.owner)

        await browser.post(f"/team/viewers/{viewer.user_id}/assign", data={"csrf_token": csrf, "project_id": project})
        page = await browser.get("/team")
        read = (await ws.owner.api.get(f"/project-viewers/{viewer.user_id}")).json()["data"]

        assert [p["project_id"] for p in read["projects"]] == [project]
        assert re.search(rf'data-viewer="{viewer.user_id}">.*?Glass', page.text, re.S)


class TestRoles:
    async def test_team_manager_sees_only_their_team(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        lead = await ws.member(role="Team manager")
        mine = await ws.member(role="Regular User", firstname="Mine", lastname="Member")
        other = await ws.member(role="Regular User", firstname="Other", lastname="Person")
        await make_team(ws, name="Mine", members=[mine], managers=[lead])
        await signed_in(browser, lead)

        response = await browser.get("/team")
        api = (await lead.api.get("/members")).json()["data"]

        shown = {int(i) for i in re.findall(r'<tr data-member="(\d+)"', response.text)}
        assert shown == {m["id"] for m in api}
        assert mine.user_id in shown and other.user_id not in shown
        assert 'action="/team/invite"' not in response.text

    async def test_team_manager_cannot_invite(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        lead = await ws.member(role="Team manager")
        csrf = await signed_in(browser, lead)

        response = await browser.post(
            "/team/invite",
            data={
                "csrf_token": csrf,
                "email": "x@example.com",
                "firstname": "X",
                "lastname": "Y",
                "role": "Regular User",
            },
        )

        assert_page_error(response, 403, "role_forbidden")

    async def test_regular_user_gets_the_403_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        await signed_in(browser, member)

        response = await browser.get("/team")

        assert response.status_code == 403 and "Not allowed" in response.text
