"""The member app in the system Chromium (Playwright) against a real server, walked as a member would, with
every result checked through the API too (D21)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import expect

from tests.factories import Member, Tenants
from tests.web.app_kit import PAGES, owner_tracked, tracked_member
from tests.web.conftest import LiveServer
from worktally.core.clock import utc_now

pytestmark = pytest.mark.browser


@dataclass
class Watch:
    """What a page did besides rendering: console errors, requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@asynccontextmanager
async def member_page(
    chromium: Any, live: LiveServer, member: Member, *, width: int = 1200, javascript: bool = True
) -> AsyncIterator[tuple[Any, Watch]]:
    context = await chromium.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    page = await context.new_page()
    watch = Watch()
    host = urlsplit(live.url).netloc
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.on("request", lambda r: watch.foreign.append(r.url) if urlsplit(r.url).netloc != host else None)
    page.on("dialog", lambda d: d.accept())
    try:
        await page.goto(f"{live.url}/sign-in")
        await page.get_by_label("E-mail").fill(member.email)
        await page.get_by_label("Password").fill("pw")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        yield page, watch
    finally:
        await context.close()


async def _current(member: Member) -> dict[str, Any]:
    response = await member.api.get("/time-tracking/current-data")
    data: dict[str, Any] = response.json()["data"]
    return data


async def _entries(member: Member, day: str | None = None) -> list[dict[str, Any]]:
    response = await member.api.get(
        "/time-entries", params={"user_id": member.user_id, "date": day or utc_now().date().isoformat()}
    )
    items: list[dict[str, Any]] = response.json()["data"]
    return items


class TestTimerFlows:
    async def test_start_and_stop_the_timer_and_see_the_entry(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.get_by_label("Project and task").first.select_option(tracked.target)
            await page.get_by_label("What are you working on?").fill("Hero section")
            await page.get_by_role("button", name="Start").click()
            await page.locator("#timer-elapsed").wait_for()
            running = await _current(tracked.member)
            first = await page.locator("#timer-elapsed").text_content()
            await expect(page.locator("#timer-elapsed")).not_to_have_text(first or "", timeout=5000)  # it ticks
            await page.locator("#stop-button").click()
            await page.locator(".flash").wait_for()
            flash = await page.locator(".flash").text_content()
            stopped = await _current(tracked.member)

        assert running["is_tracking"] and running["task_id"] == tracked.task_id
        assert running["activity_description"] == "Hero section"
        assert not stopped["is_tracking"]
        assert flash and flash.startswith("Stopped")
        assert watch.errors == [] and watch.foreign == []

    async def test_continue_an_entry(self, tenants: Tenants, live_server: LiveServer, chromium: Any) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": tracked.member.user_id,
                "contract_id": tracked.contract_id,
                "task_id": tracked.task_id,
                "notes": "Footer links",
                "date": utc_now().date().isoformat(),
                "start_time": "00:00",
                "end_time": "00:20",
            },
        )
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.get_by_role("button", name="Continue Apollo Footer links").click()
            await page.locator("#timer-elapsed").wait_for()
            running = await _current(tracked.member)

        assert running["is_tracking"] and running["task_id"] == tracked.task_id
        assert running["activity_description"] == "Footer links"
        assert watch.errors == []

    async def test_keyboard_only_timer(self, tenants: Tenants, live_server: LiveServer, chromium: Any) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": tracked.member.user_id,
                "contract_id": tracked.contract_id,
                "notes": "Earlier work",
                "date": utc_now().date().isoformat(),
                "start_time": "00:00",
                "end_time": "00:20",
            },
        )
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.keyboard.press("c")
            await page.locator("#timer-elapsed").wait_for()
            continued = await _current(tracked.member)
            await page.keyboard.press("s")
            await page.locator("#timer-form").wait_for()
            stopped = await _current(tracked.member)
            await page.keyboard.press("n")
            focused = await page.evaluate("document.activeElement.id")
            await page.keyboard.type("Keyboard work")
            await page.keyboard.press("Enter")
            await page.locator("#timer-elapsed").wait_for()
            started = await _current(tracked.member)
            await page.keyboard.press("?")
            keys_open = await page.evaluate("document.getElementById('keys').open")

        assert continued["is_tracking"] and continued["activity_description"] == "Earlier work"
        assert continued["contract_id"] == tracked.contract_id
        assert not stopped["is_tracking"]
        assert focused == "timer-text"
        assert started["is_tracking"] and started["activity_description"] == "Keyboard work"
        assert keys_open
        assert watch.errors == []

    async def test_the_timer_works_without_javascript(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        async with member_page(chromium, live_server, tracked.member, javascript=False) as (page, _):
            await page.get_by_label("What are you working on?").fill("No script")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Start").click()
            running = await _current(tracked.member)
            async with page.expect_navigation():
                await page.locator("#stop-button").click()
            stopped = await _current(tracked.member)

        assert running["is_tracking"] and running["activity_description"] == "No script"
        assert not stopped["is_tracking"]


class TestTimeByHand:
    async def test_add_time_by_hand(self, tenants: Tenants, live_server: LiveServer, chromium: Any) -> None:
        ws = await tenants.workspace()
        tracked = await owner_tracked(ws)
        day = (utc_now() - timedelta(days=1)).date().isoformat()
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.locator("#add-target").select_option(tracked.target)
            await page.locator("#add-date").fill(day)
            await page.locator("#add-start").fill("09:00")
            await page.locator("#add-end").fill("10:45")
            await page.locator("#add-notes").fill("Budget review")
            await page.locator("#add-end").fill("08:00")
            await page.get_by_role("button", name="Add time").click()
            await page.locator("#end_time-error").wait_for()
            error = await page.locator("#end_time-error").text_content()
            kept = await page.locator("#add-notes").input_value()
            url_after_error = page.url
            await page.locator("#add-end").fill("10:45")
            await page.get_by_role("button", name="Add time").click()
            await page.locator(".flash").wait_for()
            flash = await page.locator(".flash").text_content()
            listed = await page.locator("#entries").text_content()

        [entry] = await _entries(tracked.member, day)
        assert error == "The end time must be after the start time." and kept == "Budget review"
        assert url_after_error == f"{live_server.url}/"
        assert entry["duration_minutes"] == 105 and entry["task_id"] == tracked.task_id
        assert entry["method"] == "Manually added time"
        assert flash and "1 hr 45 min successfully added" in flash
        assert listed and "Budget review" in listed
        # The refused submission is answered 422 (the browser notes it); nothing else may show up.
        assert [e for e in watch.errors if "status of 422" not in e] == []

    async def test_edit_an_entry_into_an_overlap_and_see_the_warning(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await owner_tracked(ws)
        day = (utc_now() - timedelta(days=1)).date().isoformat()
        for start, end in (("09:00", "10:00"), ("11:00", "12:00")):
            await ws.owner.api.post(
                "/time-entries",
                json={
                    "user_id": tracked.member.user_id,
                    "contract_id": tracked.contract_id,
                    "date": day,
                    "start_time": start,
                    "end_time": end,
                },
            )
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.goto(f"{live_server.url}/?date={day}")
            await page.get_by_role("link", name="Edit entry 11:00").click()
            await page.locator("#edit-start").fill("09:30")
            await page.get_by_role("button", name="Save").click()
            await page.locator(".flash.warning").wait_for()
            warning = await page.locator(".flash.warning").text_content()

        durations = sorted(e["duration_minutes"] for e in await _entries(tracked.member, day))
        assert warning and "Only 2 hr of 2 hr 30 min were saved" in warning
        assert durations == [60, 120]
        assert watch.errors == []


class TestWeek:
    async def test_submit_the_week_and_see_it_locked_after_approval(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await owner_tracked(ws)
        day = utc_now().date().isoformat()
        await ws.owner.api.post(
            "/time-entries",
            json={
                "user_id": tracked.member.user_id,
                "contract_id": tracked.contract_id,
                "date": day,
                "start_time": "00:00",
                "end_time": "00:45",
            },
        )
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.get_by_role("link", name="My week").click()
            await page.get_by_role("button", name="Submit week").click()
            await page.locator("#unsubmit-week").wait_for()
            [sheet] = (await ws.owner.api.get("/timesheets", params={"user_id": tracked.member.user_id})).json()["data"]
            approved = await ws.owner.api.put(f"/timesheets/{sheet['id']}/approve", json={})
            await page.reload()
            locked_note = await page.locator("#locked-note").text_content()
            grid_total = await page.locator("#week-grid-total").text_content()
            await page.goto(f"{live_server.url}/?date={day}")
            edit_links = await page.get_by_role("link", name="Edit entry 00:00").count()
            lock_badges = await page.locator("#entries .badge.lock").count()

        assert sheet["status"] == "submitted" and approved.status_code == 200
        assert locked_note and "locked" in locked_note
        assert grid_total == "0:45"
        assert edit_links == 0 and lock_badges == 1
        assert watch.errors == []


class TestLeave:
    async def test_request_half_a_day_and_see_the_balance_after_approval(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await ws.owner.api.post("/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": 20})
        day = f"{utc_now().year}-06-03"
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.get_by_role("link", name="Leave").click()
            hours_hidden = await page.locator("#f-start_time").is_hidden()
            await page.get_by_label("First day").fill(day)
            await page.get_by_label("Last day").fill(day)
            await page.get_by_label("Second half").check()
            await page.get_by_label("Reason").fill("Afternoon off")
            await page.get_by_role("button", name="Request leave").click()
            await page.locator("#leave-requests").wait_for()
            [leave] = (await tracked.member.api.get("/leaves", params={"user_id": tracked.member.user_id})).json()[
                "data"
            ]
            await ws.owner.api.put(f"/leaves/{leave['id']}/approve", json={})
            await page.reload()
            balance = await page.locator(".balance-left").first.text_content()

        assert hours_hidden  # a day-based policy: the script hides the hour fields
        assert leave["leave_period"] == 2 and leave["total"]["days"] == 0.5
        assert balance == "19.5 days"
        assert watch.errors == []


class TestExpenses:
    async def test_add_an_expense(self, tenants: Tenants, live_server: LiveServer, chromium: Any) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await ws.owner.api.post("/expenses/categories", json={"name": "Travel"})
        async with member_page(chromium, live_server, tracked.member) as (page, watch):
            await page.get_by_role("link", name="Expenses").click()
            await page.get_by_label("What").fill("Airport train")
            await page.get_by_label("Amount (USD)").fill("18.40")
            await page.get_by_label("Category").select_option(label="Travel")
            await page.get_by_role("button", name="Add expense").click()
            await page.locator("#expenses").wait_for()
            total = await page.locator("#expense-total").text_content()

        [expense] = (await tracked.member.api.get("/expenses")).json()["data"]
        assert expense["expense_name"] == "Airport train" and expense["amount"] == 18.4
        assert expense["category"] == "Travel"
        assert total == "18.40 USD"
        assert watch.errors == []


class TestEveryPageInTheBrowser:
    @pytest.mark.parametrize("width", [1200, 375])
    async def test_no_console_errors_no_other_hosts_no_sideways_scroll(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any, width: int
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        await tracked.member.api.post("/time-tracking/start", json={"contract_id": tracked.contract_id})
        overflow: dict[str, int] = {}
        async with member_page(chromium, live_server, tracked.member, width=width) as (page, watch):
            for path in [*PAGES, "/settings/tokens"]:
                await page.goto(f"{live_server.url}{path}")
                excess = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if excess > 0:
                    overflow[path] = excess

        assert overflow == {}
        assert watch.errors == [] and watch.foreign == []


class TestTheme:
    async def test_the_systems_dark_scheme_and_the_toggle(
        self, tenants: Tenants, live_server: LiveServer, chromium: Any
    ) -> None:
        ws = await tenants.workspace()
        tracked = await tracked_member(ws)
        context = await chromium.new_context(color_scheme="dark")
        page = await context.new_page()
        await page.goto(f"{live_server.url}/sign-in")
        await page.get_by_label("E-mail").fill(tracked.member.email)
        await page.get_by_label("Password").fill("pw")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        background = "getComputedStyle(document.body).backgroundColor"
        system = await page.evaluate(background)
        await page.locator("#theme-toggle").click()  # auto → dark
        await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        await page.locator("#theme-toggle").click()  # dark → light
        await expect(page.locator("html")).to_have_attribute("data-theme", "light")
        light = await page.evaluate(background)
        await page.reload()
        kept = await page.locator("html").get_attribute("data-theme")
        await context.close()

        assert system == "rgb(21, 23, 27)"
        assert light == "rgb(247, 247, 245)"
        assert kept == "light"
