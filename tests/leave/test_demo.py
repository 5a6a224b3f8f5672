from __future__ import annotations

from tests.factories import Tenants
from worktally.demo import DemoContext
from worktally.demo import leaves as demo_leaves


class TestDemoLeaves:
    async def test_seeds_policies_requests_and_paid_leave_time(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        members = [await ws.member() for _ in range(3)]
        context = DemoContext(workspace_id=ws.id, owner_id=ws.owner.user_id, member_ids=[m.user_id for m in members])

        async with tenants.sessionmaker() as session, session.begin():
            await demo_leaves.seed(session, context)

        policies = (await ws.owner.api.get("/leaves/policies")).json()["data"]
        assert [p["name"] for p in policies] == ["Vacation", "Sick leave", "Appointments"]
        leaves = (await ws.owner.api.get("/leaves", params={"per_page": 100})).json()["data"]
        assert {leave["status"] for leave in leaves} == {"approved", "pending", "rejected"}
        balances = await ws.owner.api.get(
            "/leaves/balances", params={"date_from": "2026-01-01", "date_to": "2026-12-31"}
        )
        assert balances.status_code == 200
