"""D2: no input, however malformed, gives a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.expense.support import make_category, make_expense
from tests.factories import Tenants

BODIES: list[Any] = [
    [],
    "x",
    {"expense_name": "x" * 10_000, "date": "0001-01-01", "amount": "1e999"},
    {"expense_name": "ok", "date": "9999-12-31", "amount": 99999999999.99, "project_id": 2**63},
    {"expense_name": {"a": 1}, "date": 5, "amount": [1], "category_id": "\u0000", "user_id": 2**40},
    {"expense_name": "ok", "date": "2024-01-15", "amount": "0.01", "category_id": "x" * 1000},
    {"name": "\u0000"},
    {"name": "é" * 300},
]


class TestMalformedExpenseInput:
    @pytest.mark.parametrize("body", BODIES)
    async def test_writes_never_500(self, tenants: Tenants, body: Any) -> None:
        ws = await tenants.workspace()
        expense = await make_expense(ws.owner)
        category = await make_category(ws)

        for method, path in (
            ("POST", "/expenses"),
            ("PUT", f"/expenses/{expense['id']}"),
            ("POST", "/expenses/categories"),
            ("PUT", f"/expenses/categories/{category['id']}"),
            ("PUT", "/expenses/" + "z" * 500),
            ("DELETE", "/expenses/categories/%F0%9F%98%80"),
        ):
            response = await ws.owner.api.request(method, path, json=body)
            assert response.status_code < 500, (method, path, body, response.text)

    @pytest.mark.parametrize(
        "params",
        [
            {"user_id": 2**70, "id": "x" * 100},
            {"date_from": "0001-01-01", "date_to": "9999-12-31", "id": "\u0000"},
            {"page": 2**70, "per_page": "ten"},
        ],
    )
    async def test_reads_never_500(self, tenants: Tenants, params: dict[str, Any]) -> None:
        ws = await tenants.workspace()
        await make_expense(ws.owner)

        for path in ("/expenses", "/expenses/categories"):
            response = await ws.owner.api.get(path, params=params)
            assert response.status_code < 500, (path, params, response.text)
