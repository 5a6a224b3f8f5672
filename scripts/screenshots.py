"""``make screenshots``: a PNG of every page of the member app and of the manager's pages (the demo owner:
approvals, team, projects, reports, workspace settings, webhooks), light and dark, desktop and 375 px wide.

A fresh demo workspace on a temporary SQLite database (``worktally demo``), a real server, the system
Chromium (Playwright; never a downloaded browser), signed in as the demo member with a timer running.
Writes ``docs/screenshots/<page>-<light|dark>-<desktop|mobile>.png``.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
MEMBER = "dev.patel@demo.worktally.local"
PASSWORD = "demo-password"
SIZES = {"desktop": (1280, 860), "mobile": (375, 812)}
# (file name, path) of the demo member's pages; the entry edit and 403 pages come from other roles.
PAGES = (
    ("today", "/"),
    ("week", "/week"),
    ("time-requests", "/time-requests"),
    ("leave", "/leave"),
    ("expenses", "/expenses"),
    ("me", "/me"),
    ("api-access", "/settings/tokens"),
)


OWNER = "owner@demo.worktally.local"
# The manager's pages (issue #17), as the demo owner; a report over the last two weeks (the demo's time).
MANAGER_PAGES = (
    ("approvals", "/approvals"),
    ("team", "/team"),
    ("projects", "/projects"),
    ("reports-tracked", "/reports/tracked-hours?start_date={two_weeks_ago}&end_date={today}"),
    ("reports-timeline", "/reports/timeline?date={yesterday}"),
    ("reports-attendance", "/reports/attendance?date={yesterday}"),
    ("reports-activity", "/reports/activity?start_date={two_weeks_ago}&end_date={today}"),
    ("settings-workspace", "/settings/workspace"),
    ("settings-webhooks", "/settings/webhooks"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(database: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WORKTALLY_DATABASE_URL": f"sqlite:///{database}",
        "WORKTALLY_SECRET_KEY": "screenshots-only-" + os.urandom(8).hex(),
        "WORKTALLY_RATE_LIMIT_PER_MINUTE": "100000",
    }
    subprocess.run(  # noqa: S603 - our own executable, fixed arguments
        [str(ROOT / ".venv/bin/worktally"), "demo"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=database.parent
    )
    server = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
        [str(ROOT / ".venv/bin/worktally"), "serve", "--port", str(port)],
        env=env,
        cwd=database.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


async def _sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/sign-in")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()


async def _shoot(page: Page, name: str) -> None:
    await page.wait_for_load_state("networkidle")
    await page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"  {name}.png")


async def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        setup = await browser.new_page()
        await _sign_in(setup, base, MEMBER)
        await setup.locator("#timer-target").select_option(index=2)
        await setup.get_by_label("What are you working on?").fill("Checkout flow: address form")
        await setup.get_by_role("button", name="Start").click()
        await setup.locator("#timer-elapsed").wait_for()
        await setup.close()
        webhook = await _a_webhook(browser, base)
        for scheme in ("light", "dark"):
            for size, (width, height) in SIZES.items():
                context = await browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme, device_scale_factor=1
                )
                page = await context.new_page()
                await page.goto(f"{base}/sign-in")
                await _shoot(page, f"sign-in-{scheme}-{size}")
                await _sign_in(page, base, MEMBER)
                for name, path in PAGES:
                    await page.goto(base + path)
                    await _shoot(page, f"{name}-{scheme}-{size}")
                await page.goto(f"{base}/")
                await page.keyboard.press("?")
                await _shoot(page, f"keys-{scheme}-{size}")
                await context.close()
                await _editor_pages(browser, base, scheme, size, width, height)
                await _manager_pages(browser, base, scheme, size, width, height, webhook)
        await browser.close()


async def _a_webhook(browser: Browser, base: str) -> str:
    """The owner registers a webhook and sends it a test event (its log then has a delivery); its page's path."""
    page = await browser.new_page()
    await _sign_in(page, base, OWNER)
    await page.goto(f"{base}/settings/webhooks")
    await page.get_by_label("Callback URL (http or https)").fill("https://example.com/worktally-hook")
    for event in ("timesheet.submitted", "timesheet.approved", "time_request.created"):
        await page.get_by_label(event).check()
    await page.locator("#create-webhook").click()
    await page.wait_for_url(re.compile(r"/settings/webhooks/[^/]+$"))
    await page.locator("#send-test").click()
    await page.get_by_text("Test event queued for delivery.").wait_for()
    path = urlsplit(page.url).path
    await page.close()
    return path


async def _manager_pages(
    browser: Browser, base: str, scheme: str, size: str, width: int, height: int, webhook: str
) -> None:
    """The manager's pages as the demo owner, and a project's page and the webhook's page with its log."""
    context = await browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = await context.new_page()
    await _sign_in(page, base, OWNER)
    days = {"today": _days_ago(0), "yesterday": _days_ago(1), "two_weeks_ago": _days_ago(13)}
    for name, path in MANAGER_PAGES:
        await page.goto(base + path.format(**days))
        await _shoot(page, f"{name}-{scheme}-{size}")
    await page.goto(f"{base}/projects")
    await page.locator("main a[href^='/projects/']").first.click()
    await page.wait_for_load_state("networkidle")
    await _shoot(page, f"project-{scheme}-{size}")
    await page.goto(base + webhook)
    await _shoot(page, f"webhook-{scheme}-{size}")
    await context.close()


async def _editor_pages(browser: Browser, base: str, scheme: str, size: str, width: int, height: int) -> None:
    """An entry's edit page, as the executive manager (a regular member sends time requests instead), and the
    403 page a project viewer gets for Today."""
    context = await browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = await context.new_page()
    await _sign_in(page, base, "erin.exec@demo.worktally.local")
    for back in range(1, 8):
        await page.goto(f"{base}/?date={_days_ago(back)}")
        edit = page.get_by_role("link", name="Edit entry").first
        if await edit.count():
            await edit.click()
            await page.locator("#edit-form").wait_for()
            await _shoot(page, f"entry-edit-{scheme}-{size}")
            break
    await context.close()
    context = await browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = await context.new_page()
    await _sign_in(page, base, "vic.viewer@demo.worktally.local")
    await page.goto(f"{base}/")
    await _shoot(page, f"forbidden-{scheme}-{size}")
    await context.close()


def _days_ago(days: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - days * 86400))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        server = _serve(Path(tmp) / "demo.sqlite3", port)
        try:
            asyncio.run(main(f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=20)
    sys.exit(0)
