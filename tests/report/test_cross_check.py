"""Issue #13: one week, two currencies and odd seconds, counted through the timesheet, every report that
carries minutes or amounts, their CSV exports and the time-entry list: they agree to the minute and the cent.

The rule is core/billing.py's: each piece of time counts its seconds rounded to the nearest minute (half up),
totals are sums of those minutes, amounts are priced per member, day, project and contract, half a cent up.

Each working day of the week of 2026-11-02 (member in UTC):
- "Apollo", 10.00 USD/h: 10 min 40 s (11), 10 min 40 s (11), 7 min 29 s (7) → 29 min, 4.83 USD
- "Borealis", 10.00 EUR/h: 10 min 40 s (11), 10 min 30 s (11) → 22 min, 3.67 EUR
Week: 255 min; 24.15 USD and 18.35 EUR (a sum of seconds rounded once would give 21 min a day on Borealis).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task
from tests.factories.time import make_entry
from tests.report.conftest import csv_rows
from worktally.core import clock

MONDAY = date(2026, 11, 2)
DAYS = [MONDAY + timedelta(days=i) for i in range(5)]
RANGE = {"start_date": "2026-11-02", "end_date": "2026-11-08"}
# (project key, start hh:mm, length in seconds)
PIECES = [
    ("usd", (9, 0), 640),
    ("usd", (9, 20), 640),
    ("usd", (9, 40), 449),
    ("eur", (10, 0), 640),
    ("eur", (10, 20), 630),
]
DAY_MINUTES = {"usd": 29, "eur": 22}
DAY_CENTS = {"usd": 483, "eur": 367}
WEEK_MINUTES = 5 * (29 + 22)
WEEK_AMOUNT = {"EUR": Decimal("18.35"), "USD": Decimal("24.15")}


@pytest.fixture
def frozen() -> Any:
    clock.freeze(datetime(2026, 11, 10, 12, tzinfo=UTC))
    yield
    clock.freeze(None)


async def week(tenants: Tenants) -> Any:
    ws = await tenants.workspace()
    member = await ws.member(timezone="UTC", firstname="Cross", lastname="Check")
    usd = await make_project(ws, name="Apollo")
    eur = await make_project(ws, name="Borealis", currency="EUR")
    contracts = {
        "usd": (usd, await make_contract(ws, member, usd, rate=Decimal("10"), currency="USD")),
        "eur": (eur, await make_contract(ws, member, eur, rate=Decimal("10"), currency="EUR")),
    }
    tasks = {
        "usd": await make_task(ws, usd, title="Build", assignees=[member]),
        "eur": await make_task(ws, eur, title="Review", assignees=[member]),
    }
    for day in DAYS:
        for key, (hour, minute), seconds in PIECES:
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
            project_id, contract_id = contracts[key]
            await make_entry(
                ws,
                member,
                start,
                start + timedelta(seconds=seconds),
                project_id=project_id,
                contract_id=contract_id,
                task_id=tasks[key],
                description=f"Work {key}",
            )
    return ws, member, contracts


def money(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.mark.usefixtures("frozen")
async def test_timesheet_reports_and_csv_agree_to_the_minute_and_the_cent(tenants: Tenants) -> None:
    ws, member, contracts = await week(tenants)
    project_key = {pid: key for key, (pid, _) in contracts.items()}
    api = ws.owner.api

    # The timesheet.
    response = await api.get(
        "/timesheets", params={"date_from": "2026-11-02", "date_to": "2026-11-08", "user_id": member.user_id}
    )
    [sheet] = [s for s in response.json()["data"] if s["user_id"] == member.user_id]
    assert sheet["total_minutes"] == WEEK_MINUTES
    assert {c: money(v) for c, v in sheet["total_amount"].items()} == WEEK_AMOUNT
    for day in DAYS:
        items = sheet["daily_breakdown"][day.isoformat()]
        assert {project_key[i["project_id"]]: i["total_minutes"] for i in items} == DAY_MINUTES
        cents = {project_key[i["project_id"]]: int(money(v) * 100) for i in items for v in i["total_amount"].values()}
        assert cents == DAY_CENTS

    # Tracked hours, JSON and CSV.
    data = (await api.get("/reports/tracked-hours", params=RANGE)).json()["data"]
    minutes = 0
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for day_key, content in data["days"].items():
        for user in content["users"]:
            assert user["user_id"] == member.user_id
            for p in user["projects"]:
                assert p["total_minutes"] == DAY_MINUTES[project_key[p["project_id"]]], day_key
                minutes += p["total_minutes"]
                for currency, value in p["total_amount"].items():
                    assert int(money(value) * 100) == DAY_CENTS[project_key[p["project_id"]]]
                    amounts[currency] += money(value)
    assert minutes == WEEK_MINUTES
    assert dict(amounts) == WEEK_AMOUNT
    rows = csv_rows((await api.get("/reports/tracked-hours", params={**RANGE, "format": "csv"})).text)
    assert sum(int(r["total_minutes"]) for r in rows) == WEEK_MINUTES
    csv_amounts: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        csv_amounts[r["currency"]] += money(r["total_amount"])
    assert dict(csv_amounts) == WEEK_AMOUNT

    # Task report and activity descriptions, JSON and CSV.
    data = (await api.get("/reports/task-report", params=RANGE)).json()["data"]
    task_minutes = [d["total_minutes"] for u in data["users"] for t in u["tasks"] for d in t["daily_breakdown"]]
    assert sum(task_minutes) == WEEK_MINUTES
    rows = csv_rows((await api.get("/reports/task-report", params={**RANGE, "format": "csv"})).text)
    assert sum(int(r["total_minutes"]) for r in rows) == WEEK_MINUTES
    data = (await api.get("/reports/activity-descriptions", params=RANGE)).json()["data"]
    by_description = {d["activity_description"]: d["total_minutes"] for u in data["users"] for d in u["descriptions"]}
    assert by_description == {"Work usd": 5 * DAY_MINUTES["usd"], "Work eur": 5 * DAY_MINUTES["eur"]}
    rows = csv_rows((await api.get("/reports/activity-descriptions", params={**RANGE, "format": "csv"})).text)
    assert sum(int(r["total_minutes"]) for r in rows) == WEEK_MINUTES

    # One day: the timeline and attendance, JSON and CSV.
    for day in DAYS:
        params = {"date": day.isoformat()}
        data = (await api.get("/reports/daily-timeline", params=params)).json()["data"]
        [user] = [u for u in data["users"] if u["user_id"] == member.user_id]
        assert sum(e["duration_minutes"] for e in user["entries"]) == sum(DAY_MINUTES.values())
        rows = csv_rows((await api.get("/reports/daily-timeline", params={**params, "format": "csv"})).text)
        assert sum(int(r["duration_minutes"] or 0) for r in rows) == sum(DAY_MINUTES.values())
        data = (await api.get("/reports/daily-attendance", params=params)).json()["data"]
        [user] = [u for u in data["users"] if u["user_id"] == member.user_id]
        assert user["tracked_minutes"] == sum(DAY_MINUTES.values())
        rows = csv_rows((await api.get("/reports/daily-attendance", params={**params, "format": "csv"})).text)
        assert [int(r["tracked_minutes"]) for r in rows if r["user_id"] == str(member.user_id)] == [51]

    # The member's own entries list: each entry's stored minutes by the same rule.
    entries = (
        await api.get(
            "/time-entries",
            params={"user_id": member.user_id, "date_from": "2026-11-02", "date_to": "2026-11-06", "per_page": 50},
        )
    ).json()["data"]
    assert sum(e["duration_minutes"] for e in entries) == WEEK_MINUTES
