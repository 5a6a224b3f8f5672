"""D16: every report's CSV has the same members and numbers as its JSON, row for row.

The CSV has one line per innermost item of the JSON (a project line, an entry, a day, a task day, a
description), and one line for a member the JSON lists with nothing inside: the member's cells, empty item
cells and 0 for the minutes or slots. Here with Carol, a member with no time and no activity, and the
owner, who has none either.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import Member
from tests.factories.time import make_slots
from tests.report.conftest import DAY, WEEK_END, WEEK_START, Scenario, csv_rows, utc

RANGE = {"start_date": WEEK_START.isoformat(), "end_date": WEEK_END.isoformat()}
ONE_DAY = {"date": DAY.isoformat()}

Row = tuple[str, ...]


def text(value: Any) -> str:
    """A JSON value as its CSV cell: empty for null, numbers with the JSON's digits, lists joined by ``;``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def tracked_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    for day, content in data["days"].items():
        for user in content["users"]:
            for p in user["projects"]:
                amounts = list((p["total_amount"] or {}).items()) or [(None, None)]
                for currency, amount in amounts:
                    rows.append(
                        (day, text(user["user_id"]), user["user_name"], text(p["project_id"]), text(p["project_name"]),
                         text(p["contract_id"]), text(p["total_minutes"]), text(currency), text(amount))
                    )  # fmt: skip
    return rows


def timeline_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    for user in data["users"]:
        head = (data["date"], text(user["user_id"]), user["user_name"])
        if not user["entries"]:
            rows.append((*head, "", "", "", "0", *[""] * 7))
        for e in user["entries"]:
            fields = ("id", "start_time", "end_time", "duration_minutes", "project_id", "project_name", "task_id",
                      "task_title", "activity_description", "method", "activity_level")  # fmt: skip
            rows.append((*head, *(text(e[f]) for f in fields)))
    return rows


def attendance_rows(data: dict[str, Any]) -> list[Row]:
    fields = ("user_id", "user_name", "statuses", "first_start", "last_end", "tracked_minutes", "expected_minutes",
              "late_minutes", "left_early_minutes", "break_minutes", "breaks", "leave_policy", "holiday")  # fmt: skip
    return [(data["date"], *(text(user[f]) for f in fields)) for user in data["users"]]


def activity_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    for user in data["users"]:
        head = (text(user["user_id"]), user["user_name"])
        if not user["days"]:
            rows.append((*head, "", "", "0"))
        rows.extend((*head, d["date"], text(d["activity_level"]), text(d["slots"])) for d in user["days"])
    return rows


def task_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    for user in data["users"]:
        head = (text(user["user_id"]), user["user_name"])
        if not user["tasks"]:
            rows.append((*head, "", "", "", "", "", "0"))
        for t in user["tasks"]:
            task = (text(t["project_id"]), text(t["project_name"]), text(t["task_id"]), text(t["task_title"]))
            rows.extend((*head, *task, d["date"], text(d["total_minutes"])) for d in t["daily_breakdown"])
    return rows


def description_rows(data: dict[str, Any]) -> list[Row]:
    rows = []
    for user in data["users"]:
        head = (text(user["user_id"]), user["user_name"])
        if not user["descriptions"]:
            rows.append((*head, "", "0"))
        rows.extend((*head, text(d["activity_description"]), text(d["total_minutes"])) for d in user["descriptions"])
    return rows


def json_members(data: dict[str, Any]) -> set[int]:
    if "days" in data and isinstance(data["days"], dict):
        return {u["user_id"] for content in data["days"].values() for u in content["users"]}
    return {u["user_id"] for u in data["users"]}


REPORTS: list[tuple[str, dict[str, str], Callable[[dict[str, Any]], list[Row]]]] = [
    ("/reports/tracked-hours", RANGE, tracked_rows),
    ("/reports/daily-timeline", ONE_DAY, timeline_rows),
    ("/reports/daily-attendance", ONE_DAY, attendance_rows),
    ("/reports/activity-level", RANGE, activity_rows),
    ("/reports/task-report", RANGE, task_rows),
    ("/reports/activity-descriptions", RANGE, description_rows),
]


async def with_idle_member(scenario: Scenario) -> Member:
    carol = await scenario.ws.member(firstname="Carol", lastname="Idle")
    await make_slots(scenario.ws, scenario.alice, utc(3, 8), [40, 60])
    await make_slots(scenario.ws, scenario.bob, utc(4, 3), [20])
    return carol


class TestCsvMatchesJson:
    @pytest.mark.parametrize(("path", "params", "expected_rows"), REPORTS, ids=[r[0].split("/")[-1] for r in REPORTS])
    async def test_the_csv_is_the_json_row_for_row(
        self,
        scenario: Scenario,
        path: str,
        params: dict[str, str],
        expected_rows: Callable[[dict[str, Any]], list[Row]],
    ) -> None:
        await with_idle_member(scenario)

        data = (await scenario.ws.owner.api.get(path, params=params)).json()["data"]
        response = await scenario.ws.owner.api.get(path, params={**params, "format": "csv"})

        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert [tuple(r.values()) for r in csv_rows(response.text)] == expected_rows(data)

    @pytest.mark.parametrize(
        ("path", "params"), [(p, q) for p, q, _ in REPORTS], ids=[r[0].split("/")[-1] for r in REPORTS]
    )
    async def test_a_member_the_json_lists_without_time_has_a_line(
        self, scenario: Scenario, path: str, params: dict[str, str]
    ) -> None:
        carol = await with_idle_member(scenario)

        data = (await scenario.ws.owner.api.get(path, params=params)).json()["data"]
        rows = csv_rows((await scenario.ws.owner.api.get(path, params={**params, "format": "csv"})).text)

        assert {int(r["user_id"]) for r in rows} == json_members(data)
        if carol.user_id in json_members(data):
            [line] = [r for r in rows if r["user_id"] == str(carol.user_id)]
            numbers = {k: v for k, v in line.items() if k.endswith(("minutes", "slots")) and k != "expected_minutes"}
            assert set(numbers.values()) == {"0"}
        else:  # tracked hours list members per day only where they tracked time, in the JSON and the CSV alike
            assert path == "/reports/tracked-hours"

    @pytest.mark.parametrize(
        ("path", "params", "minutes"),
        [
            ("/reports/daily-timeline", ONE_DAY, "duration_minutes"),
            ("/reports/task-report", RANGE, "total_minutes"),
            ("/reports/activity-descriptions", RANGE, "total_minutes"),
        ],
    )
    async def test_each_members_minutes_add_up_to_the_jsons_total(
        self, scenario: Scenario, path: str, params: dict[str, str], minutes: str
    ) -> None:
        await with_idle_member(scenario)

        users = (await scenario.ws.owner.api.get(path, params=params)).json()["data"]["users"]
        rows = csv_rows((await scenario.ws.owner.api.get(path, params={**params, "format": "csv"})).text)

        totals: dict[int, int] = {}
        for r in rows:
            totals[int(r["user_id"])] = totals.get(int(r["user_id"]), 0) + int(r[minutes])
        assert totals == {u["user_id"]: u["total_minutes"] for u in users}

    async def test_activity_slots_add_up_to_the_jsons(self, scenario: Scenario) -> None:
        await with_idle_member(scenario)
        path = "/reports/activity-level"

        users = (await scenario.ws.owner.api.get(path, params=RANGE)).json()["data"]["users"]
        rows = csv_rows((await scenario.ws.owner.api.get(path, params={**RANGE, "format": "csv"})).text)

        slots: dict[int, int] = {}
        for r in rows:
            slots[int(r["user_id"])] = slots.get(int(r["user_id"]), 0) + int(r["slots"])
        assert slots == {u["user_id"]: u["slots"] for u in users}
        assert len(users) == 4  # Alice, Bob, Carol and the owner
