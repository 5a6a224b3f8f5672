"""D1: one datetime form, one money form and one JSON media type, wherever the API writes them.

- Datetimes: ``2026-01-29T12:00:00.000000Z`` in JSON bodies, CSV cells and webhook payloads, also for fields
  the catalogue shows as ``Y-m-d H:i:s`` (a workspace's ``activated_at``); member-local times documented per
  field (attendance ``first_start``, timeline times) the same form with their offset.
- Money: a JSON number with at most two decimals, exact, per currency, never summed across currencies; CSV
  cells write the same digits.
- ``Content-Type: application/json; charset=utf-8`` on every JSON response, errors included.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project
from tests.platform.conftest import LimitedFactory
from tests.time_entry.helpers import booked
from worktally.db.models import WebhookEvent
from worktally.demo import DemoContext, seeders

JSON_TYPE = "application/json; charset=utf-8"
UTC_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
LOCAL_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")
LOOKS_LIKE_A_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Report fields documented as member-local (D1: they keep their offset).
LOCAL_FIELDS = {"first_start", "last_end", "start_time", "end_time"}
MONEY_FIELDS = {"rate", "total_amount", "amount", "budget_estimation"}


def walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, leaf) of a JSON document; list items carry their list's key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item, key)


def datetime_problems(document: Any, *, local_allowed: bool) -> list[str]:
    problems = []
    for key, value in walk(document):
        if isinstance(value, str) and LOOKS_LIKE_A_DATETIME.match(value):
            form = LOCAL_FORM if local_allowed and key in LOCAL_FIELDS else UTC_FORM
            if not form.match(value):
                problems.append(f"{key}={value}")
    return problems


def is_money_number(value: Any) -> bool:
    return (
        isinstance(value, (int, Decimal)) and not isinstance(value, bool) and Decimal(value).as_tuple().exponent >= -2
    )  # type: ignore[operator]


def money_problems(document: Any) -> list[str]:
    problems = []
    for key, value in walk(document):
        if key not in MONEY_FIELDS or value is None:
            continue
        amounts = value.values() if isinstance(value, dict) else [value]
        problems.extend(f"{key}={value!r}" for amount in amounts if not is_money_number(amount))
    return problems


def parsed(response: httpx.Response) -> Any:
    return json.loads(response.text, parse_float=Decimal)


def csv_cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def demo_workspace(tenants: Tenants) -> Any:
    ws = await tenants.workspace()
    async with tenants.sessionmaker() as session, session.begin():
        context = DemoContext(workspace_id=ws.id, owner_id=ws.owner.user_id)
        for seeder in seeders():
            await seeder(session, context)
    return ws


async def busy_day(ws: Any) -> str:
    """The latest day of the demo's last three weeks with tracked time (the daily reports' ``date``)."""
    today = date.today()
    week = {"start_date": (today - timedelta(days=20)).isoformat(), "end_date": today.isoformat()}
    days = (await ws.owner.api.get("/reports/tracked-hours", params=week)).json()["data"]["days"]
    return max(day for day, content in days.items() if content["total_minutes"] > 0)


async def report_params(ws: Any, path: str) -> dict[str, Any]:
    if path.endswith(("daily-timeline", "daily-attendance")):
        return {"date": await busy_day(ws)}
    today = date.today()
    return {"start_date": (today - timedelta(days=20)).isoformat(), "end_date": today.isoformat()}


async def list_paths(tenants: Tenants) -> list[str]:
    """Every GET operation of the API without a path parameter, from the OpenAPI document."""
    document = (await tenants.http.get("/api/v2/openapi.json")).json()
    return sorted(p for p, ops in document["paths"].items() if "get" in ops and "{" not in p and "openapi" not in p)


class TestContentType:
    async def test_every_kind_of_json_response_says_utf_8(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        api = ws.owner.api
        week = {"start_date": "2026-01-26", "end_date": "2026-02-01"}

        responses = {
            "200 envelope": await api.get("/workspaces", with_workspace=False),
            "201 envelope": await api.post("/projects", json={"name": "P"}),
            "raw JSON report": await api.get("/reports/tracked-hours", params=week),
            "typed report": await api.get("/reports/activity-level", params=week),
            "400": await api.get("/projects", with_workspace=False),
            "401": await tenants.http.get("/api/v2/projects"),
            "404 unknown route": await api.get("/no-such-thing"),
            "404 resource": await api.get("/projects/999999"),
            "405": await api.delete("/workspaces"),
            "422": await api.post("/projects", json={"name": 1}),
            "openapi": await tenants.http.get("/api/v2/openapi.json"),
        }

        assert {name: r.headers["content-type"] for name, r in responses.items()} == dict.fromkeys(responses, JSON_TYPE)

    async def test_429_says_utf_8(self, limited: LimitedFactory) -> None:
        tenants = await limited(2)
        answers = [await tenants.http.get("/api/v2/projects") for _ in range(3)]

        assert answers[-1].status_code == 429
        assert answers[-1].json()["error"] == "rate_limited"
        assert answers[-1].headers["content-type"] == JSON_TYPE

    async def test_500_says_utf_8(self, probe: Tenants) -> None:
        ws = await probe.workspace()

        response = await ws.owner.api.get("/_probe/boom")

        assert response.status_code == 500
        assert response.json()["error"] == "internal_error"
        assert response.headers["content-type"] == JSON_TYPE


class TestDatetimes:
    async def test_a_workspaces_activated_at_is_in_the_one_form(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        [item] = (await ws.owner.api.get("/workspaces", with_workspace=False)).json()["data"]

        assert UTC_FORM.match(item["activated_at"]), item["activated_at"]

    async def test_local_report_times_keep_their_offset_in_the_one_form(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone="Europe/Berlin")
        assert (await b.add("2026-01-27", "09:00", "11:00")).status_code == 201

        attendance = await b.ws.owner.api.get("/reports/daily-attendance", params={"date": "2026-01-27"})
        timeline = await b.ws.owner.api.get("/reports/daily-timeline", params={"date": "2026-01-27"})

        [alice] = [u for u in attendance.json()["data"]["users"] if u["user_id"] == b.member.user_id]
        assert (alice["first_start"], alice["last_end"]) == (
            "2026-01-27T09:00:00.000000+01:00",
            "2026-01-27T11:00:00.000000+01:00",
        )
        [entry] = next(u for u in timeline.json()["data"]["users"] if u["user_id"] == b.member.user_id)["entries"]
        assert (entry["start_time"], entry["end_time"]) == (
            "2026-01-27T08:00:00.000000Z",
            "2026-01-27T10:00:00.000000Z",
        )

    async def test_csv_cells_write_the_datetimes_of_the_json(self, tenants: Tenants) -> None:
        b = await booked(tenants, timezone="Asia/Kolkata")
        assert (await b.add("2026-01-27", "09:00", "11:00")).status_code == 201
        day = {"date": "2026-01-27", "users": b.member.user_id, "user_ids": b.member.user_id}

        attendance = (await b.ws.owner.api.get("/reports/daily-attendance", params=day)).json()["data"]["users"][0]
        [attendance_row] = csv_cells(
            (await b.ws.owner.api.get("/reports/daily-attendance", params={**day, "format": "csv"})).text
        )
        entry = (await b.ws.owner.api.get("/reports/daily-timeline", params=day)).json()["data"]["users"][0]["entries"][
            0
        ]
        [timeline_row] = csv_cells(
            (await b.ws.owner.api.get("/reports/daily-timeline", params={**day, "format": "csv"})).text
        )

        assert (attendance_row["first_start"], attendance_row["last_end"]) == (
            attendance["first_start"],
            attendance["last_end"],
        )
        assert attendance_row["first_start"] == "2026-01-27T09:00:00.000000+05:30"
        assert (timeline_row["start_time"], timeline_row["end_time"]) == (entry["start_time"], entry["end_time"])

    async def test_every_datetime_every_list_writes_is_in_the_one_form(self, tenants: Tenants) -> None:
        ws = await demo_workspace(tenants)

        problems: dict[str, list[str]] = {}
        for path in await list_paths(tenants):
            relative = path.removeprefix("/api/v2")
            params = await report_params(ws, path) if "/reports/" in path else {}
            response = await ws.owner.api.get(relative, params=params)
            if response.status_code != 200:
                continue
            found = datetime_problems(parsed(response), local_allowed="/reports/" in path)
            if found:
                problems[path] = found[:3]

        assert problems == {}

    async def test_report_csv_datetime_cells_are_in_the_one_form(self, tenants: Tenants) -> None:
        ws = await demo_workspace(tenants)

        bad = []
        for path in [p for p in await list_paths(tenants) if "/reports/" in p]:
            params = {**(await report_params(ws, path)), "format": "csv"}
            response = await ws.owner.api.get(path.removeprefix("/api/v2"), params=params)
            assert response.status_code == 200, (path, response.text)
            rows = csv_cells(response.text)
            assert any(value for row in rows for column, value in row.items() if column in LOCAL_FIELDS) or (
                "daily" not in path
            )
            for row in rows:
                for column, value in row.items():
                    if LOOKS_LIKE_A_DATETIME.match(value or ""):
                        form = LOCAL_FORM if column in LOCAL_FIELDS else UTC_FORM
                        if not form.match(value):
                            bad.append((path, column, value))

        assert bad == []

    async def test_webhook_payloads_write_datetimes_in_the_one_form(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        created = await ws.owner.api.post(
            "/webhooks", json={"url": "https://example.com/h", "events": ["project.created"]}
        )
        assert created.status_code == 201

        assert (await ws.owner.api.post("/projects", json={"name": "Hooked"})).status_code == 201

        async with tenants.sessionmaker() as session:
            [payload] = (
                await session.execute(
                    select(WebhookEvent.payload).where(
                        WebhookEvent.workspace_id == ws.id, WebhookEvent.type == "project.created"
                    )
                )
            ).scalars()
        assert UTC_FORM.match(payload["timestamp"])
        assert UTC_FORM.match(payload["data"]["created_at"])
        assert datetime_problems(payload, local_allowed=False) == []


class TestMoney:
    async def test_a_timesheet_total_is_per_currency_never_summed_across(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        dollars = await make_project(b.ws, name="Dollars", currency="USD")
        euros = await make_project(b.ws, name="Euros", currency="EUR")
        usd = await make_contract(b.ws, b.member, dollars, rate=Decimal("10"), currency="USD")
        eur = await make_contract(b.ws, b.member, euros, rate=Decimal("10"), currency="EUR")
        assert (await b.add("2026-01-27", "09:00", "10:00", contract_id=usd)).status_code == 201
        assert (await b.add("2026-01-27", "10:00", "11:00", contract_id=eur)).status_code == 201

        response = await b.ws.owner.api.get(
            "/timesheets", params={"date_from": "2026-01-26", "date_to": "2026-02-01", "user_id": b.member.user_id}
        )

        [sheet] = response.json()["data"]
        assert sheet["total_amount"] == {"USD": 10, "EUR": 10}
        day = {item["project_name"]: item["total_amount"] for item in sheet["daily_breakdown"]["2026-01-27"]}
        assert day == {"Dollars": {"USD": 10}, "Euros": {"EUR": 10}}

    async def test_timesheet_amounts_are_exact_to_the_cent(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        project = await make_project(b.ws, name="Thirds", currency="USD")
        contract = await make_contract(b.ws, b.member, project, rate=Decimal("33.33"), currency="USD")
        assert (await b.add("2026-01-27", "09:00", "09:20", contract_id=contract)).status_code == 201

        response = await b.ws.owner.api.get(
            "/timesheets", params={"date_from": "2026-01-26", "date_to": "2026-02-01", "user_id": b.member.user_id}
        )

        # 20 minutes at 33.33 an hour: 11.11 exactly (not 11.110000000000001 nor "11.11")
        assert '"total_amount":{"USD":11.11}' in response.text

    async def test_report_amounts_are_numbers_and_csv_writes_the_same_digits(self, tenants: Tenants) -> None:
        b = await booked(tenants)
        project = await make_project(b.ws, name="Half", currency="USD")
        contract = await make_contract(b.ws, b.member, project, rate=Decimal("25.50"), currency="USD")
        assert (await b.add("2026-01-27", "09:00", "10:00", contract_id=contract)).status_code == 201
        week = {"start_date": "2026-01-26", "end_date": "2026-02-01"}

        report = await b.ws.owner.api.get("/reports/tracked-hours", params=week)
        exported = await b.ws.owner.api.get("/reports/tracked-hours", params={**week, "format": "csv"})

        assert report.json()["data"]["total"]["total_amount"] == {"USD": 25.5}
        assert [r["total_amount"] for r in csv_cells(exported.text) if r["currency"]] == ["25.5"]

    async def test_project_money_takes_at_most_two_decimals(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post("/projects", json={"name": "P", "rate": 12.345})

        assert response.status_code == 422
        assert response.json()["error"] == "validation_failed"
        assert "rate" in response.json()["errors"]

    async def test_project_money_comes_back_exact(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()

        response = await ws.owner.api.post(
            "/projects", json={"name": "P", "rate": "123456789012.34", "budget": "0.10", "estimation": 12}
        )

        assert response.status_code == 201, response.text
        data = parsed(response)["data"]
        assert (data["rate"], data["budget_estimation"]) == (Decimal("123456789012.34"), Decimal("0.1"))

    async def test_every_money_field_every_list_writes_is_a_number_with_two_decimals_at_most(
        self, tenants: Tenants
    ) -> None:
        ws = await demo_workspace(tenants)

        problems: dict[str, list[str]] = {}
        for path in await list_paths(tenants):
            params = await report_params(ws, path) if "/reports/" in path else {}
            response = await ws.owner.api.get(path.removeprefix("/api/v2"), params=params)
            if response.status_code == 200 and (found := money_problems(parsed(response))):
                problems[path] = found[:3]

        assert problems == {}
