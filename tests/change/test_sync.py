"""D19 end to end: clients of several roles follow the changes feed while a script makes random creates,
updates and deletes across every kind of resource; at the end each client's replayed state is what its
lists return, deletes included, and no client saw a change its lists would not show.

Each client syncs the way the feed is meant to be used: it takes the feed's position, lists everything
once, then only follows the feed.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.factories.workspace import ApiClient, Member, WorkspaceFixture
from worktally.core.clock import utc_now

DAY = "2026-01-14"  # a Wednesday, long past: time there is not inside any running week
WEEK = ("2026-01-12", "2026-01-18")
KINDS = (
    "member",
    "team",
    "project",
    "contract",
    "task",
    "project_viewer",
    "time_entry",
    "tracking",
    "time_request",
    "timesheet",
    "leave",
    "leave_policy",
    "expense",
    "expense_category",
    "webhook",
)
# Fields derived from other resources (a member's team, a timesheet's totals) are not re-sent when those
# change; they are compared through the resource they come from. The webhook's secret is not in the log.
IGNORED: dict[str, set[str]] = {
    "member": {"team_id", "team_name"},
    "project": {"contracts_count"},
    "project_viewer": {"projects"},  # an archived project leaves it; compared through the project's own change
    "timesheet": {"total_hours", "total_minutes", "total_amount", "daily_breakdown", "member", "approved_by"},
    "webhook": {"token", "updated_at"},
    "tracking": set(),
}


async def all_pages(api: ApiClient, path: str, **params: Any) -> list[dict[str, Any]] | None:
    """Every item of a list, or None when the role may not list it (403)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        per_page = 50 if path == "/time-entries" else 100
        response = await api.get(path, params={**params, "page": page, "per_page": per_page})
        if response.status_code == 403:
            return None
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        items += body["data"]
        pagination = body["meta"].get("pagination")
        if pagination is None or page >= pagination["last_page"]:
            return items
        page += 1


@dataclass
class World:
    ws: WorkspaceFixture
    owner: Member
    pm: Member
    ru: Member
    viewer: Member
    shared_project: int
    policy_id: int
    users: list[int] = field(default_factory=list)


async def listed(world: World, api: ApiClient) -> dict[str, dict[Any, dict[str, Any]]]:
    """What this caller's lists show, by kind and id."""
    state: dict[str, dict[Any, dict[str, Any]]] = {}

    async def put(kind: str, items: list[dict[str, Any]] | None) -> None:
        state.setdefault(kind, {})
        for item in items or []:
            state[kind][item["id"]] = item

    await put("member", await all_pages(api, "/members"))
    await put("team", await all_pages(api, "/teams"))
    await put("project", await all_pages(api, "/projects"))
    await put("contract", await all_pages(api, "/contracts"))
    await put("task", await all_pages(api, "/tasks"))
    await put("project_viewer", await all_pages(api, "/project-viewers"))
    state["time_entry"] = {}
    state["tracking"] = {}
    # The script's entries, the tracker's of today, and the entries approved paid leave saved on its days.
    days = {DAY, utc_now().date().isoformat()}
    for leave in await all_pages(world.owner.api, "/leaves", status="approved") or []:
        first, last = date.fromisoformat(leave["start_date"]), date.fromisoformat(leave["end_date"])
        days.update((first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1))
    for user_id in world.users:
        for day in sorted(days):
            await put("time_entry", await all_pages(api, "/time-entries", user_id=user_id, date=day))
        current = await api.get("/time-tracking/current-data", params={"user_id": user_id})
        if current.status_code == 200 and current.json()["data"]["is_tracking"]:
            state["tracking"][user_id] = {"user_id": user_id}
    await put("time_request", await all_pages(api, "/time-requests", date_from=WEEK[0], date_to=WEEK[1]))
    today = utc_now().date()
    this_week = (today - timedelta(days=today.weekday()), today - timedelta(days=today.weekday()) + timedelta(days=6))
    await put("timesheet", await all_pages(api, "/timesheets", date_from=WEEK[0], date_to=WEEK[1]))
    await put(
        "timesheet",
        await all_pages(api, "/timesheets", date_from=this_week[0].isoformat(), date_to=this_week[1].isoformat()),
    )
    # The weeks of paid leave: saving its time keeps those weeks' timesheets too.
    for monday in sorted({date.fromisoformat(d) - timedelta(days=date.fromisoformat(d).weekday()) for d in days}):
        sunday = monday + timedelta(days=6)
        await put(
            "timesheet", await all_pages(api, "/timesheets", date_from=monday.isoformat(), date_to=sunday.isoformat())
        )
    await put("leave", await all_pages(api, "/leaves"))
    await put("leave_policy", await all_pages(api, "/leaves/policies"))
    await put("expense", await all_pages(api, "/expenses"))
    await put("expense_category", await all_pages(api, "/expenses/categories"))
    await put("webhook", await all_pages(api, "/webhooks"))
    return state


@dataclass
class Follower:
    """A client following the feed: its cursor and the state it replayed."""

    name: str
    api: ApiClient
    cursor: str | None = None
    state: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    seen: list[dict[str, Any]] = field(default_factory=list)
    world: World | None = None
    restarts: int = 0

    async def catch_up(self) -> None:
        while True:
            params: dict[str, Any] = {"limit": 7}  # small pages: the cursor is exercised
            if self.cursor is not None:
                params["cursor"] = self.cursor
            response = await self.api.get("/changes", params=params)
            if response.status_code == 410:  # what this role may see changed: list afresh, as D19 says
                assert response.json()["error"] == "cursor_expired", response.text
                assert self.world is not None
                self.restarts += 1
                self.cursor = None
                await self.start(self.world)
                return
            assert response.status_code == 200, response.text
            body = response.json()
            for item in body["data"]:
                self.seen.append(item)
                kind = self.state.setdefault(item["type"], {})
                if item["op"] == "delete":
                    kind.pop(item["id"], None)
                else:
                    kind[item["id"]] = {"user_id": item["id"]} if item["type"] == "tracking" else item["data"]
            self.cursor = body["meta"]["next_cursor"]
            if not body["meta"]["has_more"]:
                return

    async def start(self, world: World) -> None:
        self.world = world
        await self.catch_up()  # the position first, then the lists: nothing between them is lost
        self.seen.clear()
        self.state = await listed(world, self.api)


def differences(got: Any, want: Any) -> Any:
    if isinstance(got, set):
        return {"extra": got - want, "missing": want - got}
    return {
        "extra": sorted(set(got) - set(want), key=str),
        "missing": sorted(set(want) - set(got), key=str),
        "fields": {
            k: {
                f: (got[k].get(f), want[k].get(f))
                for f in set(got[k]) | set(want[k])
                if got[k].get(f) != want[k].get(f)
            }
            for k in set(got) & set(want)
            if got[k] != want[k]
        },
    }


def comparable(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in item.items() if k not in IGNORED.get(kind, set())}
    if kind == "timesheet":  # a timesheet made lazily is announced with its own fields, the rest still null
        kept = {k: v for k, v in kept.items() if v is not None}
    return kept


class Script:
    """Random writes across every kind, each as a role allowed to make it."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.w, self.rng = world, rng
        self.projects: list[int] = []
        self.tasks: list[int] = []
        self.contracts: list[int] = []
        self.entries: list[str] = []
        self.requests: list[str] = []
        self.leaves: list[str] = []
        self.expenses: list[str] = []
        self.categories: list[str] = []
        self.policies: list[int] = []
        self.teams: list[int] = []
        self.webhooks: list[str] = []
        self.invited: list[int] = []
        self.viewers: list[int] = []
        self.reach_contracts: list[int] = []
        self.contract_project: dict[int, int] = {}
        self.tracking = False
        self.minute = 0

    def pick(self, items: list[Any]) -> Any:
        return self.rng.choice(items)

    async def ok(self, response: Any) -> dict[str, Any]:
        assert response.status_code in (200, 201), (response.request.method, str(response.request.url), response.text)
        data: Any = response.json().get("data")
        return data if isinstance(data, dict) else {}

    def slot(self) -> tuple[str, str]:
        self.minute += 7
        start = 6 * 60 + self.minute
        end = start + 5
        return f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"

    async def step(self) -> None:
        owner, ru = self.w.owner.api, self.w.ru.api
        actions: list[Callable[[], Awaitable[None]]] = [self.project, self.task, self.contract, self.entry]
        actions += [self.tracker, self.time_request, self.timesheet, self.leave, self.policy, self.expense]
        actions += [self.category, self.team, self.webhook, self.member, self.viewer_change, self.reach]
        _ = owner, ru
        await self.pick(actions)()

    async def project(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.projects or choice < 0.4:
            self.projects.append(
                (await self.ok(await api.post("/projects", json={"name": f"P {secrets.token_hex(3)}"})))["id"]
            )
        elif choice < 0.6:
            # The shared project too: every role sees it change.
            target = self.pick([*self.projects, self.w.shared_project])
            await self.ok(await api.put(f"/projects/{target}", json={"notes": secrets.token_hex(4)}))
        else:
            archived = self.projects.pop(self.rng.randrange(len(self.projects)))
            await self.ok(await api.delete(f"/projects/{archived}"))
            # Its contracts leave the lists with it (D13): the script no longer changes them.
            self.contracts = [c for c in self.contracts if self.contract_project.get(c) != archived]

    async def task(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.tasks or choice < 0.4:
            body = {"project_id": self.w.shared_project, "title": f"T {secrets.token_hex(3)}"}
            self.tasks.append((await self.ok(await api.post("/tasks", json=body)))["id"])
        elif choice < 0.7:
            await self.ok(await api.put(f"/tasks/{self.pick(self.tasks)}", json={"title": f"T {secrets.token_hex(3)}"}))
        else:
            await self.ok(await api.delete(f"/tasks/{self.tasks.pop(self.rng.randrange(len(self.tasks)))}"))

    async def contract(self) -> None:
        # On the script's own projects, for an invited member: nobody's reach changes.
        api = self.w.owner.api
        choice = self.rng.random()
        free = [p for p in self.projects if p not in self.contracts_projects]
        if free and (not self.contracts or choice < 0.4):
            project = self.pick(free)
            body = {"project_id": project, "user_id": self.w.extra.user_id}
            data = await self.ok(await api.post("/contracts", json=body))
            self.contracts.append(data["id"])
            self.contracts_projects.add(project)
            self.contract_project[data["id"]] = project
        elif self.contracts and choice < 0.7:
            await self.ok(
                await api.put(
                    f"/contracts/{self.pick(self.contracts)}", json={"weekly_hours_limit": self.rng.randint(1, 60)}
                )
            )
        elif self.contracts:
            await self.ok(await api.delete(f"/contracts/{self.contracts.pop(self.rng.randrange(len(self.contracts)))}"))

    contracts_projects: set[int] = set()

    async def reach(self) -> None:
        """A followed Regular User or Project manager gains a project (with a task) or loses one (D19, change/reach.py)."""
        api = self.w.owner.api
        if self.reach_contracts and self.rng.random() < 0.5:
            contract = self.reach_contracts.pop(self.rng.randrange(len(self.reach_contracts)))
            await self.ok(await api.delete(f"/contracts/{contract}"))
            return
        project = (await self.ok(await api.post("/projects", json={"name": f"R {secrets.token_hex(3)}"})))["id"]
        await self.ok(await api.post("/tasks", json={"project_id": project, "title": f"RT {secrets.token_hex(3)}"}))
        member = self.pick([self.w.ru, self.w.pm])
        body = {"project_id": project, "user_id": member.user_id}
        self.reach_contracts.append((await self.ok(await api.post("/contracts", json=body)))["id"])

    async def entry(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.entries or choice < 0.5:
            start, end = self.slot()
            body = {
                "user_id": self.w.ru.user_id,
                "contract_id": self.w.ru_contract,
                "date": DAY,
                "start_time": start,
                "end_time": end,
            }  # type: ignore[attr-defined]
            data = await self.ok(await api.post("/time-entries", json=body))
            self.entries += (
                [e["id"] for e in data.get("time_entries", [data])] if "time_entries" in data else [data["id"]]
            )
        elif choice < 0.75:
            target = self.pick(self.entries)
            await self.ok(await api.put(f"/time-entries/{target}", json={"notes": secrets.token_hex(4)}))
        else:
            await self.ok(await api.delete(f"/time-entries/{self.entries.pop(self.rng.randrange(len(self.entries)))}"))

    async def tracker(self) -> None:
        api = self.w.ru.api
        if self.tracking:
            await self.ok(await api.post("/time-tracking/stop", json={}))
        else:
            await self.ok(await api.post("/time-tracking/start", json={"contract_id": self.w.ru_contract}))  # type: ignore[attr-defined]
        self.tracking = not self.tracking

    async def time_request(self) -> None:
        choice = self.rng.random()
        if not self.requests or choice < 0.5:
            start, end = self.slot()
            body = {"contract_id": self.w.ru_contract, "start": f"{DAY}T{start}:00Z", "end": f"{DAY}T{end}:00Z"}  # type: ignore[attr-defined]
            self.requests.append((await self.ok(await self.w.ru.api.post("/time-requests", json=body)))["id"])
        else:
            target = self.requests.pop(self.rng.randrange(len(self.requests)))
            if self.rng.random() < 0.5:
                await self.ok(await self.w.owner.api.post(f"/time-requests/{target}/approve", json={}))
            else:
                await self.ok(await self.w.owner.api.post(f"/time-requests/{target}/reject", json={"comment": "No"}))

    async def timesheet(self) -> None:
        sheets = await all_pages(self.w.ru.api, "/timesheets", date_from=WEEK[0], date_to=WEEK[1]) or []
        for sheet in sheets:
            if sheet["user_id"] != self.w.ru.user_id:
                continue
            if sheet["status"] in ("pending", "rejected"):
                await self.ok(await self.w.ru.api.put(f"/timesheets/{sheet['id']}/submit", json={}))
            elif sheet["status"] == "submitted":
                action = self.pick(["unsubmit", "reject"])
                if action == "unsubmit":
                    await self.ok(await self.w.ru.api.put(f"/timesheets/{sheet['id']}/unsubmit", json={}))
                else:
                    await self.ok(
                        await self.w.owner.api.put(f"/timesheets/{sheet['id']}/reject", json={"reason": "Redo"})
                    )

    async def leave(self) -> None:
        if not self.leaves or self.rng.random() < 0.5:
            day = f"2026-02-{self.rng.randint(2, 27):02d}"
            body = {"policy_id": self.w.policy_id, "start": day, "end": day}
            response = await self.w.ru.api.post("/leaves", json=body)
            if response.status_code == 201:
                self.leaves.append(response.json()["data"]["id"])
        else:
            target = self.leaves.pop(self.rng.randrange(len(self.leaves)))
            action = self.pick(["approve", "reject"])
            await self.ok(await self.w.owner.api.put(f"/leaves/{target}/{action}", json={}))

    async def policy(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.policies or choice < 0.4:
            members = None if self.rng.random() < 0.5 else [self.w.ru.user_id]
            body = {"name": f"Policy {secrets.token_hex(3)}", "unit": "days", "allowance": 5, "member_ids": members}
            self.policies.append((await self.ok(await api.post("/leaves/policies", json=body)))["id"])
        elif choice < 0.7:
            members = None if self.rng.random() < 0.5 else [self.w.pm.user_id]
            await self.ok(
                await api.put(
                    f"/leaves/policies/{self.pick(self.policies)}",
                    json={"allowance": self.rng.randint(1, 30), "member_ids": members},
                )
            )
        else:
            await self.ok(
                await api.delete(f"/leaves/policies/{self.policies.pop(self.rng.randrange(len(self.policies)))}")
            )

    async def expense(self) -> None:
        api = self.w.ru.api
        choice = self.rng.random()
        if not self.expenses or choice < 0.4:
            body = {"expense_name": f"E {secrets.token_hex(3)}", "date": DAY, "amount": self.rng.randint(1, 99)}
            self.expenses.append((await self.ok(await api.post("/expenses", json=body)))["id"])
        elif choice < 0.7:
            await self.ok(
                await api.put(f"/expenses/{self.pick(self.expenses)}", json={"amount": self.rng.randint(1, 99)})
            )
        else:
            await self.ok(await api.delete(f"/expenses/{self.expenses.pop(self.rng.randrange(len(self.expenses)))}"))

    async def category(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.categories or choice < 0.4:
            self.categories.append(
                (await self.ok(await api.post("/expenses/categories", json={"name": f"C {secrets.token_hex(3)}"})))[
                    "id"
                ]
            )
        elif choice < 0.7:
            await self.ok(
                await api.put(
                    f"/expenses/categories/{self.pick(self.categories)}", json={"name": f"C {secrets.token_hex(3)}"}
                )
            )
        else:
            await self.ok(
                await api.delete(
                    f"/expenses/categories/{self.categories.pop(self.rng.randrange(len(self.categories)))}"
                )
            )

    async def team(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.teams or choice < 0.4:
            body = {"name": f"Team {secrets.token_hex(3)}", "member_ids": [self.w.extra.user_id]}
            self.teams.append((await self.ok(await api.post("/teams", json=body)))["id"])
        elif choice < 0.7:
            await self.ok(
                await api.put(f"/teams/{self.pick(self.teams)}", json={"name": f"Team {secrets.token_hex(3)}"})
            )
        else:
            await self.ok(await api.delete(f"/teams/{self.teams.pop(self.rng.randrange(len(self.teams)))}"))

    async def webhook(self) -> None:
        api = self.w.owner.api
        choice = self.rng.random()
        if not self.webhooks or choice < 0.4:
            body = {"url": "https://example.com/hook", "events": ["project.created"]}
            self.webhooks.append((await self.ok(await api.post("/webhooks", json=body)))["id"])
        elif choice < 0.7:
            await self.ok(
                await api.put(
                    f"/webhooks/{self.pick(self.webhooks)}",
                    json={"url": "https://example.com/other", "events": ["task.created"]},
                )
            )
        else:
            await self.ok(await api.delete(f"/webhooks/{self.webhooks.pop(self.rng.randrange(len(self.webhooks)))}"))

    async def member(self) -> None:
        api = self.w.owner.api
        if not self.invited or self.rng.random() < 0.4:
            body = {
                "email": f"inv-{secrets.token_hex(4)}@example.test",
                "firstname": "Ivy",
                "lastname": "Inv",
                "role": "Regular User",
            }
            data = await self.ok(await api.post("/members", json=body))
            self.invited.append(data["user_id"])
            self.w.users.append(data["user_id"])
        else:
            await self.ok(await api.put(f"/members/{self.pick(self.invited)}", json={"title": secrets.token_hex(3)}))

    async def viewer_change(self) -> None:
        api = self.w.owner.api
        if not self.viewers or self.rng.random() < 0.3:
            body = {"email": f"view-{secrets.token_hex(4)}@example.test", "firstname": "Vic", "lastname": "View"}
            data = await self.ok(await api.post("/project-viewers", json=body))
            self.viewers.append(data.get("id", data.get("user_id")))
        elif self.projects:
            viewer, project = self.pick(self.viewers), self.pick(self.projects)
            response = await api.post(f"/project-viewers/{viewer}/assign-project", json={"project_id": project})
            if response.status_code == 409:
                await self.ok(
                    await api.request(
                        "DELETE", f"/project-viewers/{viewer}/unassign-project", json={"project_id": project}
                    )
                )
            else:
                await self.ok(response)


async def build(tenants: Tenants) -> World:
    ws = await tenants.workspace()
    pm = await ws.member(role="Project manager")
    ru = await ws.member(role="Regular User")
    viewer = await ws.member(role="Project viewer")
    extra = await ws.member(role="Regular User")  # in teams and contracts of the script; nobody follows as them
    shared = await make_project(ws, name="Shared")
    await make_contract(ws, pm, shared)
    ru_contract = await make_contract(ws, ru, shared)
    assigned = await ws.owner.api.post(f"/project-viewers/{viewer.user_id}/assign-project", json={"project_id": shared})
    assert assigned.status_code == 200, assigned.text
    policy = await ws.owner.api.post(
        "/leaves/policies", json={"name": "Vacation", "unit": "days", "allowance": 300, "allow_negative_balance": True}
    )
    assert policy.status_code == 201, policy.text
    world = World(ws, ws.owner, pm, ru, viewer, shared, policy.json()["data"]["id"])
    world.users = [ws.owner.user_id, pm.user_id, ru.user_id, viewer.user_id, extra.user_id]
    world.extra = extra  # type: ignore[attr-defined]
    world.ru_contract = ru_contract  # type: ignore[attr-defined]
    return world


class TestSync:
    @pytest.mark.parametrize("seed", [1, 2])
    async def test_every_role_replays_exactly_what_its_lists_show(self, tenants: Tenants, seed: int) -> None:
        world = await build(tenants)
        followers = [Follower(m.role, m.api) for m in (world.owner, world.pm, world.ru, world.viewer)]
        for follower in followers:
            await follower.start(world)
        script, rng = Script(world, random.Random(seed)), random.Random(seed + 100)

        for _ in range(120):
            await script.step()
            if rng.random() < 0.25:
                await rng.choice(followers).catch_up()
        for follower in followers:
            await listed(world, follower.api)  # listing timesheets creates this week's lazily: itself a change
        for follower in followers:
            await follower.catch_up()

        for follower in followers:
            expected = await listed(world, follower.api)
            for kind in KINDS:
                want = {k: comparable(kind, v) for k, v in expected.get(kind, {}).items()}
                got = {k: comparable(kind, v) for k, v in follower.state.get(kind, {}).items()}
                if kind == "tracking":
                    want, got = set(want), set(got)  # type: ignore[assignment]
                assert got == want, (follower.name, kind, differences(got, want))
            # No change of a resource the role cannot list: every resource it heard of is in its lists now,
            # or it heard of its delete (what it heard before its reach changed was cleared by the restart).
            deleted = {(i["type"], i["id"]) for i in follower.seen if i["op"] == "delete"}
            for item in follower.seen:
                listed_now = item["id"] in expected.get(item["type"], {})
                if item["type"] == "tracking":
                    listed_now = listed_now or item["id"] in (follower.state.get("tracking") or {})
                assert listed_now or (item["type"], item["id"]) in deleted, (follower.name, item)
        assert {i["type"] for i in followers[0].seen} == set(KINDS)  # the Owner saw every kind change
        assert followers[0].restarts == 0  # the Owner's reach never changed
        assert followers[1].restarts + followers[2].restarts > 0, "the script changed a follower's reach"
