from __future__ import annotations

from decimal import Decimal

from tests.factories import Tenants
from worktally.demo import DemoContext
from worktally.demo import expenses as demo_expenses


class TestDemoExpenses:
    async def test_seeds_categories_and_a_dozen_expenses(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        member = await ws.member()
        context = DemoContext(workspace_id=ws.id, owner_id=ws.owner.user_id, member_ids=[member.user_id])

        async with tenants.sessionmaker() as session, session.begin():
            await demo_expenses.seed(session, context)

        categories = (await ws.owner.api.get("/expenses/categories")).json()["data"]
        assert len(categories) == 4
        listed = await ws.owner.api.get("/expenses")
        assert listed.json()["meta"]["pagination"]["total"] == 12
        expected = sum((Decimal(e[2]) for e in demo_expenses.EXPENSES), Decimal(0))
        assert listed.json(parse_float=Decimal)["total_amount"] == expected
