from __future__ import annotations

import itertools

from sqlalchemy import select

from tests.factories import Tenants
from tests.factories.structure import make_contract, make_project, make_task
from worktally.db.models import TimeEntry, TimeRequest, Timesheet
from worktally.demo import DemoContext
from worktally.demo import time as demo_time


class TestDemoTime:
    async def test_seeds_three_weeks_of_non_overlapping_time_requests_and_timesheets(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        alice = await ws.member(firstname="Alice")
        bob = await ws.member(firstname="Bob", timezone="America/Los_Angeles")
        first, second = await make_project(ws, name="One"), await make_project(ws, name="Two")
        contracts = [
            await make_contract(ws, alice, first),
            await make_contract(ws, alice, second),
            await make_contract(ws, bob, first),
        ]
        task = await make_task(ws, first)
        context = DemoContext(
            workspace_id=ws.id,
            owner_id=ws.owner.user_id,
            member_ids=[alice.user_id, bob.user_id],
            project_ids=[first, second],
            contract_ids=contracts,
            task_ids=[task],
        )

        async with tenants.sessionmaker() as session, session.begin():
            await demo_time.seed(session, context)

        async with tenants.sessionmaker() as session:
            entries = (await session.execute(select(TimeEntry).where(TimeEntry.workspace_id == ws.id))).scalars().all()
            sheets = (await session.execute(select(Timesheet).where(Timesheet.workspace_id == ws.id))).scalars().all()
            requests = (
                (await session.execute(select(TimeRequest).where(TimeRequest.workspace_id == ws.id))).scalars().all()
            )
        for user in (alice.user_id, bob.user_id):
            mine = sorted((e.started_at, e.ended_at) for e in entries if e.user_id == user)
            assert len({s.date() for s, _ in mine}) >= 14
            assert all(left[1] <= right[0] for left, right in itertools.pairwise(mine))
        assert len(sheets) == 6
        assert len({s.status for s in sheets}) >= 3
        assert {r.status for r in requests} == {"pending", "rejected"}
