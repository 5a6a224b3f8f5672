"""The approvals inbox over HTTP without JavaScript (D10, D21): what each item shows, the actions and their
effect read back through the API, the reason required, the roles."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx

from tests.errors import assert_page_error
from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task
from tests.web.app_kit import CSP, Tracked, forms_without_csrf, signed_in, unlabelled_fields
from tests.web.manager_kit import everything_waiting, submitted_timesheet


class TestInbox:
    async def test_shows_every_kind_with_what_it_asks(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        await signed_in(browser, ws.owner)

        response = await browser.get("/approvals")

        html = response.text
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CSP
        assert unlabelled_fields(html) == [] and forms_without_csrf(html) == []
        assert f'id="timesheet-{waiting.timesheet_id}"' in html
        assert "Apollo" in html and "2:00" in html  # the timesheet's hours per project
        assert all(f'id="time-request-{r}"' in html for r in waiting.request_ids)
        assert "13:00\u201314:00" in html and "0:30" in html
        assert f'id="leave-{waiting.leave_id}"' in html
        assert re.search(r"balance 20 → <strong class=\"balance-after\">18</strong>", html)
        assert re.search(r'Approvals <span class="count"[^>]*>4</span>', html)  # the navigation's count

    async def test_a_timesheet_with_an_amount(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User", timezone="UTC", firstname="Rita", lastname="Rated")
        project_id = await make_project(ws, name="Billable")
        contract_id = await make_contract(ws, member, project_id, rate=Decimal("42.50"), currency="EUR")
        task_id = await make_task(ws, project_id, title="Design", assignees=[member])
        timesheet_id = await submitted_timesheet(ws, Tracked(member, project_id, contract_id, task_id))
        await signed_in(browser, ws.owner)

        response = await browser.get("/approvals")

        assert response.status_code == 200, response.text
        item = response.text.split(f'id="timesheet-{timesheet_id}"', 1)[1].split("</li>", 1)[0]
        assert "Billable" in item and "2:00" in item
        assert "85.00 EUR" in item  # two hours at 42.50 EUR

    async def test_reject_needs_a_reason(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/approvals/reject",
            data={"csrf_token": csrf, "kind": "timesheet", "id": waiting.timesheet_id, "reason": "  "},
        )
        sheet = await ws.owner.api.get("/timesheets", params={"id": waiting.timesheet_id})

        assert_page_error(response, 422, "validation_failed")
        assert f'id="reason-{waiting.timesheet_id}-error"' in response.text
        assert sheet.json()["data"][0]["status"] == "submitted"

    async def test_reject_with_a_reason_the_member_sees(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/approvals/reject",
            data={"csrf_token": csrf, "kind": "time_request", "id": waiting.request_ids[0], "reason": "Not that day"},
        )
        read = await waiting.tracked.member.api.get(f"/time-requests/{waiting.request_ids[0]}")

        assert response.status_code == 303
        assert read.json()["data"]["status"] == "rejected" and read.json()["data"]["comment"] == "Not that day"

    async def test_bulk_approves_the_selected(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        csrf = await signed_in(browser, ws.owner)

        response = await browser.post(
            "/approvals/bulk",
            data={"csrf_token": csrf, "items": [f"time_request:{r}" for r in waiting.request_ids]},
        )
        page = await browser.get("/approvals")
        reads = [await ws.owner.api.get(f"/time-requests/{r}") for r in waiting.request_ids]

        assert response.status_code == 303
        assert [r.json()["data"]["status"] for r in reads] == ["approved", "approved"]
        assert all(r.json()["data"]["time_entry_id"] for r in reads)
        assert "Approved 2 items." in page.text

    async def test_approving_twice_says_it_is_no_longer_pending(
        self, tenants: Tenants, browser: httpx.AsyncClient
    ) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        csrf = await signed_in(browser, ws.owner)
        form = {"csrf_token": csrf, "kind": "leave", "id": waiting.leave_id}
        await browser.post("/approvals/approve", data=form)

        again = await browser.post("/approvals/approve", data=form, follow_redirects=True)

        assert again.status_code == 200
        assert 'class="flash error"' in again.text

    async def test_without_csrf_nothing_happens(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        await signed_in(browser, ws.owner)

        response = await browser.post("/approvals/approve", data={"kind": "leave", "id": waiting.leave_id})
        leave = await ws.owner.api.get("/leaves", params={"id": waiting.leave_id})

        assert_page_error(response, 403, "csrf_failed")
        assert leave.json()["data"][0]["status"] == "pending"


class TestRoles:
    async def test_regular_user_gets_the_403_page(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User")
        await signed_in(browser, member)

        response = await browser.get("/approvals")

        assert_page_error(response, 403, "role_forbidden")
        assert "Not allowed" in response.text and 'href="/approvals"' not in response.text

    async def test_managers_of_a_part_do_not_approve(self, tenants: Tenants, browser: httpx.AsyncClient) -> None:
        ws = await tenants.workspace()
        manager = await ws.member(role="Project manager")
        await signed_in(browser, manager)

        response = await browser.get("/approvals")

        assert_page_error(response, 403, "role_forbidden")  # D6: approvals are Owner and Executive manager only
