"""Issue #13: paid leave is saved through the one time-saving path, so an approval racing a time entry for
the same hours, as two real concurrent requests to a live server, never leaves overlapping time (D9)."""

from __future__ import annotations

import asyncio
import itertools

import httpx
from sqlalchemy import select

from tests.factories import Tenants
from tests.leave.support import event_types, make_policy, request_leave
from tests.tracking.test_concurrency import live_server  # noqa: F401  (the uvicorn fixture)
from worktally.db.models import TimeEntry

ROUNDS = 3


async def test_a_leave_approval_racing_a_time_entry_leaves_no_overlap(tenants: Tenants, live_server: str) -> None:  # noqa: F811
    ws = await tenants.workspace()
    member = await ws.member()
    policy = await make_policy(ws, hours_per_day=8, is_paid=True)
    days = ["2026-02-09", "2026-02-10", "2026-02-11"][:ROUNDS]
    leaves = [await request_leave(member, policy["id"], day, day) for day in days]

    async with httpx.AsyncClient(base_url=live_server, timeout=120) as http:
        for leave, day in zip(leaves, days, strict=True):
            approval, entry = await asyncio.gather(
                http.put(
                    f"/api/v2/leaves/{leave['id']}/approve",
                    headers={"Authorization": f"Bearer {ws.owner.token}"},
                    json={"workspace_id": ws.id},
                ),
                http.post(
                    "/api/v2/time-entries",
                    headers={"Authorization": f"Bearer {ws.owner.token}"},
                    json={
                        "workspace_id": ws.id,
                        "user_id": member.user_id,
                        "date": day,
                        "start_time": "10:00",
                        "end_time": "12:00",
                    },
                ),
            )
            assert approval.status_code == 200, approval.text
            # Saved first (then the leave fills the hours around it), or after the leave (nothing left: 409).
            assert entry.status_code in (200, 201, 409), entry.text
            if entry.status_code == 409:
                assert entry.json()["error"] == "time_overlap"

    async with tenants.sessionmaker() as session:
        rows = await session.execute(
            select(TimeEntry.started_at, TimeEntry.ended_at, TimeEntry.leave_request_id)
            .where(TimeEntry.workspace_id == ws.id, TimeEntry.user_id == member.user_id)
            .order_by(TimeEntry.started_at)
        )
        saved = list(rows)
    for (_, first_end, _), (second_start, _, _) in itertools.pairwise(saved):
        assert first_end <= second_start, saved
    leave_ids = {leave["id"] for leave in leaves}
    assert {r.leave_request_id for r in saved if r.leave_request_id} == leave_ids
    # Every piece of paid leave went through the time-saving path: one time_entry.created each.
    assert (await event_types(ws)).count("time_entry.created") == len(saved)
