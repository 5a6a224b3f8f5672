"""A hand-computed workspace shared by the report tests (each test builds its own copy).

Workspace timezone UTC. Week of Monday 2026-11-02.
- Alice, Europe/Berlin (UTC+1), contract on "Apollo" at 20.00 USD/h:
  - 2026-11-03 08:00-10:00 UTC (09:00-11:00 local): 120 min on 11-03, 40.00 USD; task "Design", "Mockups"
  - 2026-11-03 22:30 UTC - 11-04 00:30 UTC (23:30-01:30 local): 30 min on 11-03 (10.00), 90 min on 11-04 (30.00)
- Bob, America/New_York (UTC-5), contract on "Borealis" at 30.00 EUR/h:
  - 2026-11-04 03:00-05:00 UTC (22:00-00:00 local on 11-03): 120 min on 11-03, 60.00 EUR
Totals: 11-03 Alice 150 (50.00 USD) + Bob 120 (60.00 EUR); 11-04 Alice 90 (30.00 USD); 360 min.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.factories import Member, Tenants, WorkspaceFixture
from tests.factories.structure import make_contract, make_project, make_task
from tests.factories.time import make_entry
from worktally.core import clock

WEEK_START = date(2026, 11, 2)
WEEK_END = date(2026, 11, 8)
DAY = date(2026, 11, 3)


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Scenario:
    ws: WorkspaceFixture
    alice: Member
    bob: Member
    apollo: int
    borealis: int
    alice_contract: int
    bob_contract: int
    design_task: int
    late_entry: str


@pytest.fixture
def frozen() -> Iterator[datetime]:
    at = utc(10, 12)
    clock.freeze(at)
    yield at
    clock.freeze(None)


async def build_scenario(tenants: Tenants) -> Scenario:
    ws = await tenants.workspace()
    alice = await ws.member(timezone="Europe/Berlin", firstname="Alice", lastname="Archer")
    bob = await ws.member(timezone="America/New_York", firstname="Bob", lastname="Baker")
    apollo = await make_project(ws, name="Apollo")
    borealis = await make_project(ws, name="Borealis", currency="EUR")
    alice_contract = await make_contract(ws, alice, apollo, rate=Decimal("20"), currency="USD")
    bob_contract = await make_contract(ws, bob, borealis, rate=Decimal("30"), currency="EUR")
    design = await make_task(ws, apollo, title="Design", assignees=[alice])
    await make_entry(
        ws,
        alice,
        utc(3, 8),
        utc(3, 10),
        project_id=apollo,
        contract_id=alice_contract,
        task_id=design,
        description="Mockups",
    )
    late = await make_entry(
        ws,
        alice,
        utc(3, 22, 30),
        utc(4, 0, 30),
        project_id=apollo,
        contract_id=alice_contract,
        description="Release",
    )
    await make_entry(ws, bob, utc(4, 3), utc(4, 5), project_id=borealis, contract_id=bob_contract, description="Review")
    return Scenario(ws, alice, bob, apollo, borealis, alice_contract, bob_contract, design, late)


@pytest.fixture
async def scenario(tenants: Tenants) -> Scenario:
    return await build_scenario(tenants)


def csv_rows(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))
