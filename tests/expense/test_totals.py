"""D14: money is exact. 10,000 expenses of 0.10 add up to exactly 1000.00, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from tests.factories import Tenants
from worktally.core.ids import new_public_id
from worktally.expense import repository


class TestExpenseTotals:
    async def test_ten_thousand_dimes_total_exactly_one_thousand(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        rows = [
            {
                "id": new_public_id(),
                "workspace_id": ws.id,
                "user_id": member.user_id,
                "expense_name": f"Coffee {i}",
                "expense_date": date(2024, 1, 1 + i % 28),
                "amount": Decimal("0.10"),
                "currency": "USD",
                "is_billable": False,
            }
            for i in range(10_000)
        ]
        async with ws.tenants.sessionmaker() as session, session.begin():
            await repository.insert_many(session, rows)

        as_owner = await ws.owner.api.get("/expenses", params={"per_page": 100})
        as_member = await member.api.get("/expenses", params={"page": 7})
        in_january = await ws.owner.api.get("/expenses", params={"date_from": "2024-01-01", "date_to": "2024-01-31"})

        for response in (as_owner, as_member, in_january):
            assert response.status_code == 200
            assert response.json(parse_float=Decimal)["total_amount"] == Decimal("1000.00")
            assert re.search(r'"total_amount":1000(\.0+)?[,}]', response.text)  # exact, never 999.9999...
        assert as_owner.json()["meta"]["pagination"]["total"] == 10_000

    async def test_amounts_that_floats_cannot_add_are_summed_exactly(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        for amount in ("0.10", "0.20"):
            response = await ws.owner.api.post(
                "/expenses", json={"expense_name": "X", "date": "2024-01-15", "amount": amount}
            )
            assert response.status_code == 201

        response = await ws.owner.api.get("/expenses")

        assert '"total_amount":0.3' in response.text
        assert response.json(parse_float=Decimal)["total_amount"] == Decimal("0.3")
