"""The manager's flows of issue #17's "Done when" in the system Chromium (Playwright) against a real server,
each result read back through the API or the member's own page (those not in test_manager_browser.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import Tenants
from tests.web.conftest import LiveServer
from tests.web.manager_kit import last_monday, pending_leave
from tests.web.test_app_browser import member_page
from tests.web.test_manager_reports import _tracked_week

pytestmark = pytest.mark.browser


class TestLeave:
    async def test_approve_a_leave_and_the_balance_drops(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        member = await ws.member(role="Regular User", timezone="UTC", firstname="Lea", lastname="Leave")
        leave_id, policy_id = await pending_leave(ws, member, this_year=True)
        async with member_page(chromium, live_server, ws.owner) as (page, watch):
            await page.goto(f"{live_server.url}/approvals")
            item = page.locator(f"#leave-{leave_id}")
            asked = await item.text_content()
            await item.get_by_role("button", name="Approve").click()
            await page.locator(".flash").first.wait_for()
        async with member_page(chromium, live_server, member) as (page, member_watch):
            await page.goto(f"{live_server.url}/leave")
            left = await page.locator(f'.balance[data-policy-id="{policy_id}"] .balance-left').text_content()
        leave = await ws.owner.api.get("/leaves", params={"id": leave_id})

        assert leave.json()["data"][0]["status"] == "approved"
        assert asked is not None and "balance 20 → 18 days after" in " ".join(asked.split())
        assert left is not None and left.strip() == "18 days"  # was 20: the balance dropped
        assert watch.errors == [] and watch.foreign == [] and member_watch.errors == []


class TestTeam:
    async def test_invite_a_member_and_the_invitation_works(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        email = f"new-{ws.id}@example.com"
        async with member_page(chromium, live_server, ws.owner) as (page, watch):
            await page.goto(f"{live_server.url}/team")
            form = page.locator("#invite-form")
            await form.get_by_label("E-mail").fill(email)
            await form.get_by_label("First name").fill("Nia")
            await form.get_by_label("Last name").fill("New")
            await form.get_by_label("Role").select_option("Regular User")
            await page.locator("#invite-button").click()
            await page.locator(".flash.link").wait_for()
            link = (await page.locator(".flash.link").text_content() or "").strip()
        context = await chromium.new_context()
        try:
            page = await context.new_page()
            await page.goto(link)
            await page.get_by_label(re.compile("^Password")).fill("a new long password")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Activate my account").click()
            landed = page.url
        finally:
            await context.close()
        members = await ws.owner.api.get("/members", params={"per_page": 100})

        assert link.startswith(live_server.url)
        assert [m["status"] for m in members.json()["data"] if m["email"] == email] == ["active"]
        assert not landed.endswith("/sign-in")
        assert watch.errors == [] and watch.foreign == []


class TestWebhooks:
    async def test_create_a_webhook_and_see_a_test_delivery_in_its_log(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        async with member_page(chromium, live_server, ws.owner, width=375) as (page, watch):
            await page.goto(f"{live_server.url}/settings/webhooks")
            form = page.locator("#webhook-form")
            await form.get_by_label(re.compile("^Callback URL")).fill("https://example.com/hook")
            await form.get_by_label("project.created").check()
            await form.get_by_label("timesheet.approved").check()
            await page.locator("#create-webhook").click()  # the page updates in place, its address too
            await page.wait_for_url(re.compile(r"/settings/webhooks/[^/]+$"))
            hook_id = page.url.rsplit("/", 1)[1]
            await page.locator("#send-test").click()
            await page.get_by_text("Test event queued for delivery.").wait_for()
            rows = await page.locator("#deliveries tbody tr").all_text_contents()
        hook = await ws.owner.api.get(f"/webhooks/{hook_id}")
        deliveries = await ws.owner.api.get(f"/webhooks/{hook_id}/deliveries")

        assert hook.json()["data"]["events"] == ["project.created", "timesheet.approved"]
        assert [d["event_type"] for d in deliveries.json()["data"]] == ["webhook.test"]
        assert len(rows) == 1 and "webhook.test" in rows[0]
        assert deliveries.json()["data"][0]["status"] in rows[0]
        assert watch.errors == [] and watch.foreign == []


def _clock_minutes(text: str) -> int:
    hours, minutes = text.strip().rsplit(":", 1)
    return int(hours) * 60 + int(minutes)


class TestProjects:
    async def test_create_a_project_a_contract_with_a_rate_and_a_task(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        ann = await ws.member(role="Regular User", firstname="Ann", lastname="Archer")
        async with member_page(chromium, live_server, ws.owner) as (page, watch):
            await page.goto(f"{live_server.url}/projects")
            await page.get_by_text("New project").click()  # a details element
            await page.get_by_label("Name", exact=True).fill("Orion")
            await page.get_by_label("Billable").check()
            await page.locator("#create-project").click()
            await page.wait_for_url(re.compile(r"/projects/\d+$"))
            project_id = int(page.url.rsplit("/", 1)[1])
            await page.get_by_text("Add a member").click()
            await page.get_by_label("Member", exact=True).select_option(label="Ann Archer")
            await page.get_by_label(re.compile("^Rate per hour [(]the project")).fill("42.50")
            await page.locator("#add-contract").click()
            await page.get_by_text("42.5 USD").first.wait_for()  # the page updated in place
            await page.get_by_text("New task").click()
            await page.get_by_label("Title").fill("Launch")
            await page.get_by_label("Assignees").select_option(str(ann.user_id))
            await page.locator("#add-task").click()
            await page.get_by_text("Launch").first.wait_for()
        project = await ws.owner.api.get(f"/projects/{project_id}")
        contracts = (await ws.owner.api.get("/contracts", params={"project_id": project_id})).json()["data"]
        tasks = (await ws.owner.api.get("/tasks", params={"project_id": project_id})).json()["data"]

        assert project.json()["data"]["name"] == "Orion" and project.json()["data"]["is_billable"] is True
        assert [(c["user_id"], c["rate"]) for c in contracts] == [(ann.user_id, 42.5)]
        assert [(t["title"], [a["id"] for a in t["assignees"]]) for t in tasks] == [("Launch", [ann.user_id])]
        assert watch.errors == [] and watch.foreign == []


class TestReports:
    async def test_a_reports_chart_and_table_equal_the_apis_totals(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        await _tracked_week(ws)
        monday = last_monday()
        query = {"start_date": monday.isoformat(), "end_date": (monday + timedelta(days=6)).isoformat()}
        async with member_page(chromium, live_server, ws.owner) as (page, watch):
            await page.goto(f"{live_server.url}/reports/tracked-hours")
            await page.get_by_label("From", exact=True).fill(query["start_date"])
            await page.get_by_label("To", exact=True).fill(query["end_date"])
            await page.get_by_role("button", name=re.compile("^Show")).click()
            await page.wait_for_url(re.compile("start_date=" + query["start_date"]))
            await page.locator("#per-day").wait_for()
            bars = await page.locator("svg rect.hit title").all_text_contents()
            days = await page.locator("#per-day tbody tr").evaluate_all(
                "rows => rows.map(r => [r.dataset.first, Number(r.querySelector('[data-minutes]').dataset.minutes)])"
            )
            total = await page.locator("#total-minutes").get_attribute("data-minutes")
            slices = await page.locator("svg.donut title, .donut title").all_text_contents()
        api = (await ws.owner.api.get("/reports/tracked-hours", params=query)).json()["data"]

        per_day = {day: value["total_minutes"] for day, value in api["days"].items()}
        bar_minutes = [_clock_minutes(t.rsplit(": ", 1)[1]) for t in bars]
        assert int(total or 0) == api["total"]["total_minutes"] == 345
        assert dict(days) == per_day
        assert sorted(m for m in bar_minutes if m) == sorted(m for m in per_day.values() if m)
        assert sum(_clock_minutes(t.rsplit(": ", 1)[1].split(" ")[0]) for t in slices) == 345
        assert watch.errors == [] and watch.foreign == []
