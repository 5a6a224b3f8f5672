"""``report/tracked.py`` without a database: the JSON text it writes is the response model's document."""

from __future__ import annotations

import json
from datetime import date

from worktally.report import tracked
from worktally.report.params import DateRange
from worktally.report.schemas import TrackedHoursReport

DAY = date(2026, 11, 3)
NEXT = date(2026, 11, 4)


def report(
    rows: list[tuple[date, int, int | None, int | None, int]],
    *,
    visible: dict[int, bool] | None = None,
    currencies: list[str] | None = None,
) -> tracked.TrackedHours:
    return tracked.TrackedHours(
        period=DateRange(DAY, NEXT),
        rows=rows,
        lookups=tracked.Lookups(
            names={1: 'Ann "A"', 2: "Bob"},
            projects={10: "Apollo", 11: "Borealis"},
            rates={100: (2000, "USD"), 101: (-1250, "EUR"), 102: None},
        ),
        visible=visible or {1: True, 2: True},
        sees_own_rates=True,
        currencies=currencies,
    )


def document(report: tracked.TrackedHours) -> dict:
    data = json.loads(tracked.json_data(report))
    assert json.dumps(TrackedHoursReport.model_validate(data).model_dump(mode="json")) == json.dumps(data)
    return data


class TestJsonData:
    def test_sums_members_days_and_currencies(self) -> None:
        rows = [
            (DAY, 2, 11, 101, 3600),
            (DAY, 1, 10, 100, 5400),
            (DAY, 1, 11, 101, 1800),
            (NEXT, 1, None, None, 600),
        ]

        data = document(report(rows))

        assert data["total"] == {"total_minutes": 190, "total_amount": {"EUR": -18.75, "USD": 30}}
        day = data["days"]["2026-11-03"]
        assert [u["user_name"] for u in day["users"]] == ['Ann "A"', "Bob"]
        assert day["users"][0]["total_amount"] == {"EUR": -6.25, "USD": 30}
        assert data["days"]["2026-11-04"]["users"][0]["projects"] == [
            {"project_id": None, "project_name": None, "contract_id": None, "total_minutes": 10, "total_amount": {}}
        ]

    def test_hides_amounts_of_members_whose_rates_are_not_visible(self) -> None:
        rows = [(DAY, 1, 10, 100, 3600), (DAY, 2, 10, 100, 3600)]

        data = document(report(rows, visible={1: True, 2: False}))

        users = data["days"]["2026-11-03"]["users"]
        assert [u["total_amount"] for u in users] == [{"USD": 20}, None]
        assert users[1]["projects"][0]["total_amount"] is None
        assert data["total"]["total_amount"] is None

    def test_a_currency_filter_drops_visible_rows_without_that_currency(self) -> None:
        rows = [(DAY, 1, 10, 100, 3600), (DAY, 1, 10, 102, 3600), (DAY, 2, 10, 100, 3600)]

        data = document(report(rows, visible={1: True, 2: False}, currencies=["EUR"]))

        users = data["days"]["2026-11-03"]["users"]
        assert [(u["user_id"], u["total_minutes"]) for u in users] == [(2, 60)]

    def test_rows_under_half_a_minute_are_left_out(self) -> None:
        data = document(report([(DAY, 1, 10, 100, 29)]))

        assert data["days"]["2026-11-03"] == {"total_minutes": 0, "users": []}
        assert data["total"] == {"total_minutes": 0, "total_amount": {}}

    def test_csv_rows_follow_the_json_order(self) -> None:
        rows = [(DAY, 2, 11, 101, 3600), (DAY, 1, 11, 101, 1800), (DAY, 1, 10, 100, 5400)]

        got = list(tracked.csv_rows(report(rows)))

        assert got == [
            ("2026-11-03", 1, 'Ann "A"', 10, "Apollo", 100, 90, "USD", "30"),
            ("2026-11-03", 1, 'Ann "A"', 11, "Borealis", 101, 30, "EUR", "-6.25"),
            ("2026-11-03", 2, "Bob", 11, "Borealis", 101, 60, "EUR", "-12.5"),
        ]
