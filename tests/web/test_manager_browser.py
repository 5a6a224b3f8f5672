"""The manager's pages in the system Chromium (Playwright) against a real server, each result read back
through the API or the member's own page (issue #17)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import Tenants
from tests.web.conftest import LiveServer
from tests.web.manager_kit import everything_waiting, last_monday
from tests.web.test_app_browser import member_page

pytestmark = pytest.mark.browser


class TestApprovals:
    async def test_reject_a_timesheet_with_a_reason_the_member_sees(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        async with member_page(chromium, live_server, ws.owner) as (page, watch):
            await page.goto(f"{live_server.url}/approvals")
            item = page.locator(f"#timesheet-{waiting.timesheet_id}")
            await item.get_by_text("Reject…").click()
            await item.get_by_label(re.compile("^Reason for")).fill("Tuesday is missing the client call")
            await item.get_by_role("button", name="Reject", exact=True).click()  # the page updates in place
            await page.locator(".flash").first.wait_for()
            flash = await page.locator(".flash").first.text_content()
        async with member_page(chromium, live_server, waiting.tracked.member) as (page, member_watch):
            await page.goto(f"{live_server.url}/week?date={last_monday().isoformat()}")
            seen = await page.locator("#reject-reason").text_content()

        assert flash == "Timesheet rejected successfully"
        assert seen and "Tuesday is missing the client call" in seen
        assert watch.errors == [] and watch.foreign == [] and member_watch.errors == []

    async def test_bulk_approve_two_time_requests_and_their_time_appears(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        waiting = await everything_waiting(ws)
        async with member_page(chromium, live_server, ws.owner, width=375) as (page, watch):
            await page.goto(f"{live_server.url}/approvals")
            for request_id in waiting.request_ids:
                await page.locator(f"#time-request-{request_id} input[type=checkbox]").check()
            await page.locator("#approve-selected").click()
            await page.locator(".flash").first.wait_for()
            flash = await page.locator(".flash").first.text_content()
        day = (last_monday() + timedelta(days=2)).isoformat()
        entries = await ws.owner.api.get(
            "/time-entries", params={"user_id": waiting.tracked.member.user_id, "date": day}
        )

        assert flash == "Approved 2 items."
        assert sum(e["duration_minutes"] for e in entries.json()["data"]) == 90
        assert watch.errors == [] and watch.foreign == []
