"""``wt`` against a live server (#18): the commands run as a user would run them (the installed ``wt``
script, in a process of its own), ``--json`` and ``--csv`` parsed back, each effect checked through the API;
and ``wt login`` through Chromium with the loopback redirect."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Member, Tenants
from tests.factories.structure import make_contract, make_project, make_task
from tests.factories.workspace import TEST_PASSWORD
from tests.web.conftest import LiveServer

WT = str(Path(sys.executable).with_name("wt"))
DAY = "2026-11-03"  # a Tuesday in the past: its week is Mon 2 to Sun 8 November


def wt(*args: str, url: str, token: str | None, home: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKTALLY_")}
    env.update({"XDG_CONFIG_HOME": str(home), "WORKTALLY_URL": url, "COLUMNS": "200"})
    if token:
        env["WORKTALLY_TOKEN"] = token
    done = subprocess.run([WT, *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


async def _arrange(tenants: Tenants) -> tuple[Any, Member, int, int]:
    ws = await tenants.workspace()
    member = await ws.member("Regular User", firstname="Dev", lastname="Patel")
    project = await make_project(ws, name="Website Redesign")
    await make_contract(ws, member, project)
    await make_contract(ws, ws.owner, project)
    other = await make_project(ws, name="Mobile App")
    await make_contract(ws, member, other)
    task = await make_task(ws, project, title="Implement auth")
    return ws, member, project, task


async def test_a_week_from_timer_to_approval(tenants: Tenants, live_server: LiveServer, tmp_path: Path) -> None:
    ws, member, _, _ = await _arrange(tenants)
    url = live_server.url

    def me(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return wt(*args, url=url, token=member.token, home=tmp_path / "member", ok=ok)

    started = json.loads(me("start", "website", "-t", "auth", "-m", "Login form", "--json").stdout)
    assert started["project"] == "Website Redesign" and started["task"] == "Implement auth"
    status = json.loads(me("status", "--json").stdout)
    assert status["tracking"] is True and status["project"] == "Website Redesign"
    current = (await member.api.get("/time-tracking/current-data", params={"user_id": member.user_id})).json()
    assert current["data"]["is_tracking"] is True
    me("stop")
    assert json.loads(me("status", "--json").stdout)["tracking"] is False

    added = json.loads(me("add", "09:00-10:30", "Website", "-m", "Kick-off", "--day", DAY, "--json").stdout)
    assert added["kind"] == "time-request" and added["status"] == "pending" and added["description"] == "Kick-off"
    me("add", "11:00-11:45", "mobile", "--day", DAY)

    def boss(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return wt(*args, url=url, token=ws.owner.token, home=tmp_path / "owner", ok=ok)

    requests = [w for w in json.loads(boss("approvals", "--json").stdout) if w["kind"] == "time-request"]
    assert len(requests) == 2
    for request in requests:
        boss("approvals", "approve", "time-request", str(request["id"]))
    # An owner's own time is an entry straight away.
    own = json.loads(boss("add", "08:00-08:30", "Website", "--day", DAY, "--json").stdout)
    assert own["kind"] == "time-entry" and own["minutes"] == 30
    logged = json.loads(me("log", "--week", "--day", DAY, "--json").stdout)
    assert sorted((e["project"], e["minutes"]) for e in logged) == [("Mobile App", 45), ("Website Redesign", 90)]
    grid = list(csv.DictReader(io.StringIO(me("week", "--day", DAY, "--csv").stdout)))
    assert {(r["project"], r["Tue 03"], r["total"]) for r in grid} == {
        ("Mobile App", "45", "45"),
        ("Website Redesign", "90", "90"),
    }
    table = me("week", "--day", DAY).stdout
    assert "Website Redesign" in table and "1:30" in table

    me("submit", "--day", DAY)
    sheets = (
        await ws.owner.api.get(
            "/timesheets", params={"user_id": member.user_id, "date_from": "2026-11-02", "date_to": "2026-11-08"}
        )
    ).json()["data"]
    assert [s["status"] for s in sheets] == ["submitted"]

    # The manager's side.
    waiting = json.loads(boss("approvals", "--json").stdout)
    assert [(w["kind"], w["id"]) for w in waiting] == [("timesheet", sheets[0]["id"])]
    boss("approvals", "approve", "timesheet", str(sheets[0]["id"]))
    approved = (await ws.owner.api.get("/timesheets", params={"id": sheets[0]["id"]})).json()["data"]
    assert approved[0]["status"] == "approved"
    report = json.loads(boss("report", "week", "--day", DAY, "--json").stdout)
    assert {(r["member"], r["project"], r["minutes"]) for r in report} == {
        ("Dev Patel", "Mobile App", 45),
        ("Dev Patel", "Website Redesign", 90),
        ("Olivia Owner", "Website Redesign", 30),
    }

    # A member cannot approve, and the error is one line with the server's message and code.
    refused = me("approvals", "approve", "timesheet", str(sheets[0]["id"]), ok=False)
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith("error:") and len(refused.stderr.strip().splitlines()) == 1
    assert "(" in refused.stderr and refused.stdout == ""
    missing = me("start", "no such project", ok=False)
    assert missing.returncode == 1 and "no project of yours matches" in missing.stderr


async def test_reject_with_a_reason_and_leave(tenants: Tenants, live_server: LiveServer, tmp_path: Path) -> None:
    ws, member, _, _ = await _arrange(tenants)
    policy = (
        await ws.owner.api.post("/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": 20})
    ).json()["data"]
    home = tmp_path / "m"
    wt("leave", "request", "vacation", "2026-11-16", "2026-11-17", url=live_server.url, token=member.token, home=home)
    balances = json.loads(wt("leave", "--json", url=live_server.url, token=member.token, home=home).stdout)
    assert [(b["policy_id"], b["leave"]) for b in balances] == [(policy["id"], "Vacation")]
    waiting = json.loads(wt("approvals", "--json", url=live_server.url, token=ws.owner.token, home=tmp_path).stdout)
    [leave] = [w for w in waiting if w["kind"] == "leave"]
    wt(
        "approvals",
        "reject",
        "leave",
        str(leave["id"]),
        "--reason",
        "Team offsite",
        url=live_server.url,
        token=ws.owner.token,
        home=tmp_path,
    )
    stored = (await ws.owner.api.get("/leaves", params={"id": leave["id"]})).json()["data"]
    assert stored[0]["status"] == "rejected" and stored[0]["reject_reason"] == "Team offsite"


async def test_login_with_a_token_saves_a_private_config(
    tenants: Tenants, live_server: LiveServer, tmp_path: Path
) -> None:
    ws = await tenants.workspace()
    wt("login", "--url", live_server.url, "--token", ws.owner.token, url=live_server.url, token=None, home=tmp_path)
    path = tmp_path / "worktally" / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["workspace_id"] == ws.id and saved["user_id"] == ws.owner.user_id
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKTALLY_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    done = await asyncio.to_thread(
        subprocess.run, [WT, "status", "--json"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tracking"] is False


@pytest.mark.browser
async def test_login_through_the_browser_with_a_loopback_redirect(
    tenants: Tenants, live_server: LiveServer, chromium: Any
) -> None:
    from worktally_client import Worktally
    from worktally_client.cli.login import browser_login

    ws = await tenants.workspace()
    loop = asyncio.get_running_loop()
    opened: asyncio.Future[str] = loop.create_future()
    login = asyncio.create_task(
        asyncio.to_thread(
            browser_login, live_server.url, open_url=lambda u: loop.call_soon_threadsafe(opened.set_result, u)
        )
    )
    address = await asyncio.wait_for(opened, 20)
    assert "client_id=wt" in address and "code_challenge_method=S256" in address
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in address
    context = await chromium.new_context()
    page = await context.new_page()
    await page.goto(address)
    await page.get_by_label("E-mail").fill(ws.owner.email)
    await page.get_by_label("Password").fill(TEST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/oauth/authorize?**")
    await page.get_by_role("button", name="Approve").click()
    await page.wait_for_url("http://127.0.0.1:*/callback**")
    assert "Signed in" in await page.content()
    await context.close()
    token = await asyncio.wait_for(login, 20)
    with Worktally(live_server.url, token) as client:
        assert [w.id for w in client.workspaces.list()] == [ws.id]
