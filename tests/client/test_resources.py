"""The client against a live server (#18): every resource group, through the sync and the async client,
each call's effect checked by reading it back."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from worktally_client import AsyncWorktally, NotFoundError, PermissionDeniedError, Worktally, models

from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.web.conftest import LiveServer

WEEK = date(2026, 11, 2)  # a Monday in the past


async def test_every_resource_group_through_the_sync_client(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    member = await ws.member("Regular User")
    owner = Worktally(live_server.url, ws.owner.token, workspace_id=ws.id)
    mine = Worktally(live_server.url, member.token, workspace_id=ws.id)

    assert [w.id for w in owner.workspaces.list()] == [ws.id]
    settings = owner.workspaces.update_settings(timezone="Europe/Berlin")
    assert owner.workspaces.get_settings().timezone == settings.timezone == "Europe/Berlin"

    # Members, teams
    assert {m.id for m in owner.members.list()} == {ws.owner.user_id, member.user_id}
    assert owner.members.get(member.user_id).email == member.email
    team = owner.teams.create(name="Core", member_ids=[member.user_id])
    assert owner.teams.update(team.id, name="Core team").name == "Core team"
    assert [t.name for t in owner.teams.list()] == ["Core team"]
    owner.teams.delete(team.id)
    with pytest.raises(NotFoundError) as missing:
        owner.teams.get(team.id)
    assert missing.value.status == 404 and missing.value.error == "team_not_found"

    # Projects, contracts, tasks
    project = owner.projects.create(name="Website", rate="50.00")
    assert isinstance(project, models.ProjectRead) and owner.projects.get(project.id).name == "Website"
    assert owner.projects.update(project.id, notes="Spring").notes == "Spring"
    contract = owner.contracts.create(project_id=project.id, user_id=member.user_id, rate="40", rate_type=1)
    assert [c.id for c in owner.contracts.list(project_id=project.id)] == [contract.id]
    assert owner.contracts.update(contract.id, weekly_hours_limit=30).weekly_hours_limit == 30
    task = owner.tasks.create(project_id=project.id, title="Design")
    owner.tasks.assign(task.id, member.user_id, project_id=project.id)
    assert [a.id for a in owner.tasks.list_assignees(task.id, project_id=project.id)] == [member.user_id]
    assert owner.tasks.get(task.id, project_id=project.id).title == "Design"

    # Time: a timer, entries, a request, the timesheet
    started = mine.time_tracking.start(contract_id=contract.id, task_id=task.id, activity_description="Mockups")
    assert started.contract_id == contract.id and started.task_title == "Design"
    assert mine.time_tracking.current().contract_id == contract.id
    mine.time_tracking.stop()
    entry = owner.time_entries.create(
        user_id=member.user_id, contract_id=contract.id, date="2026-11-03", start_time="09:00", end_time="10:30"
    )
    listed = owner.time_entries.list(user_id=member.user_id, date="2026-11-03")
    assert [e.id for e in listed] == [entry.id]
    owner.time_entries.update(entry.id, notes="Kick-off")
    week = owner.time_entries.list(user_id=member.user_id, date_from="2026-11-02", date_to="2026-11-08")
    assert [e.activity_description for e in week] == ["Kick-off"]
    request = mine.time_requests.create(
        contract_id=contract.id, start="2026-11-04T09:00:00+00:00", end="2026-11-04T10:00:00+00:00"
    )
    assert owner.time_requests.approve(request.id).status == "approved"
    assert owner.time_requests.get(request.id).status == "approved"
    sheet = next(iter(mine.timesheets.list(date_from="2026-11-02", date_to="2026-11-08")))
    mine.timesheets.submit(sheet.id)
    assert [t.status for t in owner.timesheets.list(id=sheet.id)] == ["submitted"]
    owner.timesheets.approve(sheet.id)
    assert [t.status for t in owner.timesheets.list(id=sheet.id)] == ["approved"]

    # Reports, JSON and CSV
    report = owner.reports.tracked_hours(start_date="2026-11-02", end_date="2026-11-08")
    assert isinstance(report, models.TrackedHoursReport)
    text = owner.reports.tracked_hours(start_date="2026-11-02", end_date="2026-11-08", format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(int(r["total_minutes"]) for r in rows) == 150

    # Leave, expenses
    policy = owner.leaves.create_policy(name="Vacation", unit="days", allowance=10, member_ids=[member.user_id])
    assert [p.name for p in owner.leaves.list_policies()] == ["Vacation"]
    leave = mine.leaves.request(policy_id=policy.id, start="2026-11-09", end="2026-11-10")
    assert owner.leaves.approve(leave.id).status == "approved"
    assert [
        b.user_id
        for b in owner.leaves.list_balances(user_id=member.user_id, date_from="2026-01-01", date_to="2026-12-31")
    ] == [member.user_id]
    category = owner.expenses.create_category(name="Travel")
    expense = mine.expenses.create(
        expense_name="Train", date="2026-11-03", amount="12.50", category_id=str(category.id)
    )
    assert [e.id for e in owner.expenses.list(user_id=member.user_id)] == [expense.id]

    # Viewers, webhooks, the changes feed, OAuth metadata
    viewer = owner.project_viewers.create(email="viewer@example.test", firstname="Vi", lastname="Ewer")
    owner.project_viewers.assign_project(viewer.id, project_id=project.id)
    assert owner.project_viewers.get(viewer.id).email == "viewer@example.test"
    hook = owner.webhooks.create(url="http://127.0.0.1:9/hook", events=["project.created"])
    assert [h.id for h in owner.webhooks.list()] == [hook.id]
    owner.webhooks.delete(hook.id)
    changes = list(owner.changes())
    assert {"project", "time_entry"} <= {c.type for c in changes}
    assert owner.changes.cursor is not None and list(owner.changes(owner.changes.cursor)) == []
    assert owner.oauth2.server_metadata().token_endpoint.endswith("/oauth/token")

    # A Regular User cannot do a manager's work: the typed error says which.
    with pytest.raises(PermissionDeniedError) as refused:
        mine.projects.create(name="Mine")
    assert refused.value.status == 403 and refused.value.error and refused.value.message
    owner.close()
    mine.close()


async def test_the_async_client_has_the_same_surface(tenants: Tenants, live_server: LiveServer) -> None:
    ws = await tenants.workspace()
    member = await ws.member("Regular User")
    project = await make_project(ws, name="Async project")
    contract = await make_contract(ws, member, project)
    async with (
        AsyncWorktally(live_server.url, ws.owner.token, workspace_id=ws.id) as owner,
        AsyncWorktally(live_server.url, member.token, workspace_id=ws.id) as mine,
    ):
        assert [p.name async for p in await owner.projects.list()] == ["Async project"]
        await mine.time_tracking.start(contract_id=contract)
        await mine.time_tracking.stop()
        entry = await owner.time_entries.create(
            user_id=member.user_id, contract_id=contract, date="2026-11-05", start_time="13:00", end_time="14:00"
        )
        days = await mine.time_entries.list(user_id=member.user_id, date="2026-11-05")
        assert [e.id for e in days.data] == [entry.id]
        await owner.time_entries.delete(entry.id)
        assert (await mine.time_entries.list(user_id=member.user_id, date="2026-11-05")).data == []
        assert [c.type async for c in mine.changes()]
        with pytest.raises(PermissionDeniedError) as refused:
            await mine.members.invite(email="x@example.test", firstname="X", lastname="Y", role="Regular User")
        assert refused.value.error
