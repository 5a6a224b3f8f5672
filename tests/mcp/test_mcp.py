"""D22 / #18: the MCP tools at /mcp (Streamable HTTP, OAuth 2.1 resource server) and on stdio, with the SDK's
own client against a live server; every effect is checked through the REST API."""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from worktally_client.mcp_tools import TOOLS

from mcp import Client, StdioServerParameters
from tests.factories import Tenants
from tests.leave.support import make_policy
from tests.mcp.conftest import Live, error_text, mcp_http, oauth_token, structured
from tests.time_entry.helpers import booked

READ_ONLY = {
    "list_workspaces",
    "timer_status",
    "my_week",
    "pending_approvals",
    "leave_balance",
    "expense_categories",
    "tracked_hours",
    "find_projects",
    "find_tasks",
    "find_members",
}
DESTRUCTIVE = {"delete_time_entry", "reject"}


def last_monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7)


async def data(api: Any, path: str, **params: Any) -> Any:
    response = await api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


class TestResourceServer:
    async def test_unauthenticated_gets_the_rfc9728_challenge_and_metadata(self, live: Live) -> None:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            for headers in ({}, {"Authorization": "Bearer wta_not-a-token"}):
                answer = await http.post(
                    "/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                    headers={"Accept": "application/json, text/event-stream", **headers},
                )
                assert answer.status_code == 401
                assert answer.json()["error"] == "invalid_token"
                challenge = answer.headers["www-authenticate"]
                assert challenge.startswith("Bearer ")
                assert f'resource_metadata="{live.url}/.well-known/oauth-protected-resource/mcp"' in challenge

            for path in ("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"):
                metadata = (await http.get(path)).json()
                assert metadata["resource"] == f"{live.url}/mcp"
                assert metadata["authorization_servers"] == [live.url]
                assert metadata["scopes_supported"] == ["read", "write"]
            server = (await http.get("/.well-known/oauth-authorization-server")).json()
            assert server["issuer"] == live.url  # RFC 8414: the issuer the resource names, as a string
            assert server["authorization_endpoint"] == f"{live.url}/oauth/authorize"

    async def test_tool_list_with_descriptions_and_hints(self, tenants: Tenants, live: Live) -> None:
        ws = await tenants.workspace()
        token = await oauth_token(live, ws.owner)
        async with mcp_http(live, token) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}

        assert set(tools) == {spec.fn.__name__ for spec in TOOLS}
        assert len(tools) >= 19
        for name, tool in tools.items():
            assert tool.description and len(tool.description) > 30, name
            hints = tool.annotations
            assert hints is not None and hints.title, name
            assert hints.read_only_hint is (name in READ_ONLY), name
            if name not in READ_ONLY:
                assert hints.destructive_hint is (name in DESTRUCTIVE), name
        assert "project" in tools["start_timer"].input_schema["properties"]
        assert tools["reject"].input_schema["required"] == ["kind", "id", "reason"]


class TestMemberTools:
    async def test_timer_expense_and_lookups_act_as_the_member(self, tenants: Tenants, live: Live) -> None:
        b = await booked(tenants)
        token = await oauth_token(live, b.member)
        async with mcp_http(live, token) as client:
            started = structured(
                await client.call_tool("start_timer", {"project": "website", "task_id": b.task_id, "note": "auth"})
            )
            assert started["project_id"] == b.project_id
            current = await data(b.member.api, "/time-tracking/current-data")
            assert current["is_tracking"] is True and current["task_id"] == b.task_id
            assert structured(await client.call_tool("timer_status", {}))["is_tracking"] is True

            again = error_text(await client.call_tool("start_timer", {"project": "Website Redesign"}))
            assert "tracker_already_running" in again

            stopped = structured(await client.call_tool("stop_timer", {}))
            assert stopped["user_id"] == b.member.user_id
            assert (await data(b.member.api, "/time-tracking/current-data"))["is_tracking"] is False

            expense = structured(
                await client.call_tool(
                    "add_expense", {"name": "Train ticket", "amount": 42.5, "project": str(b.project_id)}
                )
            )
            listed = await data(b.member.api, "/expenses")
            assert [(e["id"], e["amount"], e["project_id"]) for e in listed] == [(expense["id"], 42.5, b.project_id)]

            projects = structured(await client.call_tool("find_projects", {"name": "redesign"}))["projects"]
            assert [p["id"] for p in projects] == [b.project_id]
            tasks = structured(await client.call_tool("find_tasks", {"project": "Website", "title": "AUTH"}))
            assert [t["id"] for t in tasks["tasks"]] == [b.task_id]
            workspaces = structured(await client.call_tool("list_workspaces", {}))["workspaces"]
            assert [(w["id"], w["role"]) for w in workspaces] == [(b.ws.id, "Regular User")]

            unknown = error_text(await client.call_tool("start_timer", {"project": "No such project"}))
            assert "No project" in unknown

    async def test_log_approve_week_submit_and_leave_between_member_and_owner(
        self, tenants: Tenants, live: Live
    ) -> None:
        b = await booked(tenants)
        policy = await make_policy(b.ws)
        monday = last_monday()
        member_token = await oauth_token(live, b.member)
        owner_token = await oauth_token(live, b.ws.owner)
        leave_day = (date.today() + timedelta(days=35)).isoformat()

        async with mcp_http(live, member_token) as member, mcp_http(live, owner_token) as owner:
            logged = structured(
                await member.call_tool(
                    "log_time",
                    {"start": f"{monday}T09:00:00", "end": f"{monday}T10:30:00", "project": "Website", "note": "x"},
                )
            )
            assert logged["status"] == "pending"
            balance = structured(await member.call_tool("leave_balance", {}))
            assert [p["id"] for p in balance["policies"]] == [policy["id"]]
            leave = structured(
                await member.call_tool(
                    "request_leave", {"policy_id": policy["id"], "start": leave_day, "end": leave_day}
                )
            )
            assert leave["status"] == "pending"

            pending = structured(await owner.call_tool("pending_approvals", {}))
            assert [r["id"] for r in pending["time_requests"]] == [logged["id"]]
            assert [x["id"] for x in pending["leaves"]] == [leave["id"]]

            structured(await owner.call_tool("approve", {"kind": "time_request", "id": logged["id"]}))
            entries = await data(b.ws.owner.api, "/time-entries", user_id=b.member.user_id, date=monday.isoformat())
            assert sum(e["duration_minutes"] for e in entries) == 90

            week = structured(await member.call_tool("my_week", {"day": monday.isoformat()}))
            assert week["week"]["from"] == monday.isoformat()
            assert week["total_minutes"] == 90 and week["minutes_per_day"][monday.isoformat()] == 90

            submitted = structured(await member.call_tool("submit_timesheet", {"day": monday.isoformat()}))
            assert submitted["status"] == "submitted"
            sheets = await data(b.ws.owner.api, "/timesheets", user_id=b.member.user_id, status="submitted")
            assert [s["id"] for s in sheets] == [submitted["id"]]

            pending = structured(await owner.call_tool("pending_approvals", {}))
            assert [s["id"] for s in pending["timesheets"]] == [submitted["id"]]
            structured(await owner.call_tool("approve", {"kind": "timesheet", "id": submitted["id"]}))
            sheets = await data(b.ws.owner.api, "/timesheets", id=submitted["id"])
            assert sheets[0]["status"] == "approved"

            structured(await owner.call_tool("reject", {"kind": "leave", "id": leave["id"], "reason": "Busy month"}))
            leaves = await data(b.ws.owner.api, "/leaves", id=leave["id"])
            assert (leaves[0]["status"], leaves[0]["reject_reason"]) == ("rejected", "Busy month")

            summary = structured(
                await owner.call_tool(
                    "tracked_hours",
                    {
                        "start_date": monday.isoformat(),
                        "end_date": (monday + timedelta(days=6)).isoformat(),
                        "user_id": b.member.user_id,
                    },
                )
            )
            assert summary["total"]["total_minutes"] == 90
            assert summary["minutes_per_day"][monday.isoformat()] == 90

            members = structured(await owner.call_tool("find_members", {"name": "doe"}))["members"]
            assert [m["id"] for m in members] == [b.member.user_id]

    async def test_delete_time_entry_is_the_owners(self, tenants: Tenants, live: Live) -> None:
        b = await booked(tenants)
        monday = last_monday().isoformat()
        assert (await b.add(monday, "09:00", "10:00")).status_code == 201
        entry = (await b.day(monday))[0]
        async with mcp_http(live, await oauth_token(live, b.member)) as member:
            refused = error_text(await member.call_tool("delete_time_entry", {"entry_id": entry["id"]}))
            assert "HTTP 403" in refused
        assert len(await b.day(monday)) == 1
        async with mcp_http(live, await oauth_token(live, b.ws.owner)) as owner:
            structured(await owner.call_tool("delete_time_entry", {"entry_id": entry["id"]}))
        assert await b.day(monday) == []


class TestLimits:
    async def test_a_read_only_token_is_refused_on_write_tools(self, tenants: Tenants, live: Live) -> None:
        b = await booked(tenants)
        read_only = await b.ws.token_for(b.member, frozenset({"read"}))
        async with mcp_http(live, read_only.token) as client:
            assert structured(await client.call_tool("timer_status", {}))["is_tracking"] is False
            refused = error_text(await client.call_tool("start_timer", {"project": "Website"}))
            assert "lacks the 'write' scope" in refused and "insufficient_scope" in refused
        assert (await data(b.member.api, "/time-tracking/current-data"))["is_tracking"] is False

    async def test_a_regular_user_sees_and_approves_nothing_of_others(self, tenants: Tenants, live: Live) -> None:
        b = await booked(tenants)
        other = await b.ws.member(role="Regular User", firstname="Other", lastname="Person")
        monday = last_monday()
        policy = await make_policy(b.ws)
        leave_day = (date.today() + timedelta(days=40)).isoformat()
        theirs = await other.api.post(
            "/time-requests", json={"start": f"{monday}T11:00:00", "end": f"{monday}T12:00:00"}
        )
        assert theirs.status_code == 201, theirs.text
        their_leave = await other.api.post(
            "/leaves", json={"policy_id": policy["id"], "start": leave_day, "end": leave_day}
        )
        assert their_leave.status_code == 201, their_leave.text
        request_id, leave_id = theirs.json()["data"]["id"], their_leave.json()["data"]["id"]

        async with mcp_http(live, await oauth_token(live, b.member)) as client:
            pending = structured(await client.call_tool("pending_approvals", {}))
            seen = [row["user_id"] for rows in pending.values() for row in rows]
            assert other.user_id not in seen
            week = structured(await client.call_tool("tracked_hours", {"user_id": other.user_id}))
            assert not week.get("total") or week["total"]["total_minutes"] == 0
            for kind, id_ in (("time_request", request_id), ("leave", leave_id)):
                refused = error_text(await client.call_tool("approve", {"kind": kind, "id": id_}))
                assert "HTTP 403" in refused or "HTTP 404" in refused
                refused = error_text(await client.call_tool("reject", {"kind": kind, "id": id_, "reason": "no"}))
                assert "HTTP 403" in refused or "HTTP 404" in refused

        requests = await data(
            b.ws.owner.api, "/time-requests", id=request_id, date_from=monday.isoformat(), date_to=monday.isoformat()
        )
        assert requests[0]["status"] == "pending"
        assert (await data(b.ws.owner.api, "/leaves", id=leave_id))[0]["status"] == "pending"

    async def test_tool_calls_count_against_the_callers_rate_limit(self, tenants: Tenants, live_limited: Live) -> None:
        ws = await tenants.workspace()
        async with mcp_http(live_limited, ws.owner.token) as client:
            # A tool call is API calls: here the workspace list and the tracker's data, 2 of the 3 a minute.
            assert structured(await client.call_tool("timer_status", {}))["is_tracking"] is False
            limited = error_text(await client.call_tool("timer_status", {}))
        assert "HTTP 429" in limited and "rate_limited" in limited


class TestStdio:
    async def test_wt_mcp_on_stdio_acts_with_the_configured_token(
        self, tenants: Tenants, live: Live, tmp_path: Path
    ) -> None:
        b = await booked(tenants)
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "VIRTUAL_ENV")},
            "HOME": str(tmp_path),  # no wt config of the machine's user: the environment says where and as whom
            "XDG_CONFIG_HOME": str(tmp_path),
            "WORKTALLY_URL": live.url,
            "WORKTALLY_TOKEN": b.member.token,
        }
        wt = Path(sys.executable).parent / "wt"  # the installed entry point, as an assistant would spawn it
        params = StdioServerParameters(command=str(wt), args=["mcp"], env=env)
        async with Client(params) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names == {spec.fn.__name__ for spec in TOOLS}
            projects = structured(await client.call_tool("find_projects", {}))["projects"]
            assert [p["name"] for p in projects] == ["Website Redesign"]
            structured(await client.call_tool("start_timer", {"project": "Website"}))
            assert (await data(b.member.api, "/time-tracking/current-data"))["is_tracking"] is True
            structured(await client.call_tool("stop_timer", {}))
        assert (await data(b.member.api, "/time-tracking/current-data"))["is_tracking"] is False
