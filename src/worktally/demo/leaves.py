"""Demo leave: three policies and a spread of approved, pending and rejected requests in early 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.core.timezones import DEFAULT_WEEKEND
from worktally.db.models import LeavePolicy
from worktally.demo import DemoContext
from worktally.leave import rules, service

# (policy key, member index, start, end, status, leave_period, start_time, end_time, reason)
REQUESTS: tuple[tuple[str, int, date, date, str, int, str | None, str | None, str], ...] = (
    ("vacation", 0, date(2026, 2, 9), date(2026, 2, 13), "approved", 0, None, None, "Family vacation"),
    ("vacation", 1, date(2026, 3, 2), date(2026, 3, 4), "pending", 0, None, None, "Long weekend away"),
    ("sick", 2, date(2026, 1, 20), date(2026, 1, 21), "approved", 0, None, None, "Flu"),
    ("vacation", 3, date(2026, 2, 20), date(2026, 2, 20), "approved", 2, None, None, "Afternoon off"),
    ("appointments", 4, date(2026, 2, 17), date(2026, 2, 17), "approved", 0, "09:00", "11:00", "Dentist"),
    ("vacation", 5, date(2026, 4, 6), date(2026, 4, 10), "pending", 0, None, None, "Spring holiday"),
    ("vacation", 6, date(2026, 3, 16), date(2026, 3, 27), "rejected", 0, None, None, "Two weeks off"),
    ("appointments", 1, date(2026, 3, 10), date(2026, 3, 10), "pending", 0, "14:00", "16:30", "Bank"),
)


async def seed(session: AsyncSession, context: DemoContext) -> None:
    policies = {
        "vacation": LeavePolicy(
            workspace_id=context.workspace_id,
            name="Vacation",
            unit=rules.DAYS,
            hours_per_day=Decimal(8),
            is_paid=True,
            allowance=Decimal(20),
            reason_required=False,
            applies_to_all=True,
        ),
        "sick": LeavePolicy(
            workspace_id=context.workspace_id,
            name="Sick leave",
            unit=rules.DAYS,
            hours_per_day=Decimal(8),
            is_paid=True,
            allowance=Decimal(10),
            allow_negative_balance=True,
            applies_to_all=True,
        ),
        "appointments": LeavePolicy(
            workspace_id=context.workspace_id,
            name="Appointments",
            unit=rules.HOURS,
            hours_per_day=Decimal(8),
            is_paid=False,
            allowance=Decimal(16),
            reason_required=True,
            applies_to_all=True,
        ),
    }
    session.add_all(policies.values())
    await session.flush()

    members = list(context.member_ids) or [context.owner_id]
    for key, index, start, end, status, period, start_time, end_time, reason in REQUESTS:
        policy = policies[key]
        user_id = members[index % len(members)]
        shape = rules.shape_of(
            unit=policy.unit,
            policy_hours_per_day=policy.hours_per_day,
            leave_period=period,
            start_time=start_time,
            end_time=end_time,
            hours_per_day=None,
        )
        request = await service.store_request(
            session,
            workspace_id=context.workspace_id,
            user_id=user_id,
            policy=policy,
            start=start,
            end=end,
            days=rules.working_days(start, end, DEFAULT_WEEKEND, set()),
            shape=shape,
            leave_period=period,
            start_time=start_time,
            end_time=end_time,
            reason=reason,
            created_by=user_id,
        )
        now = utc_now()
        if status == "approved":
            request.status, request.approved_by, request.approved_at = "approved", context.owner_id, now
            if request.is_paid:
                await service.record_paid_leave(
                    session, workspace_id=context.workspace_id, request=request, by=context.owner_id
                )
        elif status == "rejected":
            request.status, request.rejected_by, request.rejected_at = "rejected", context.owner_id, now
            request.reject_reason = "Too many people are away that fortnight."
    await session.flush()
