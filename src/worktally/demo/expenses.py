"""Demo expenses: four categories and a dozen expenses over the first quarter of 2026."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.db.models import Expense, ExpenseCategory
from worktally.demo import DemoContext

CATEGORIES = ("Travel", "Meals", "Software", "Office Supplies")
# (name, category, amount, billable)
EXPENSES: tuple[tuple[str, str, str, bool], ...] = (
    ("Train to client workshop", "Travel", "86.40", True),
    ("Team lunch", "Meals", "142.75", False),
    ("Design tool licence", "Software", "49.99", True),
    ("Printer paper", "Office Supplies", "23.10", False),
    ("Taxi from airport", "Travel", "38.00", True),
    ("Hotel, two nights", "Travel", "310.50", True),
    ("Coffee with client", "Meals", "12.60", True),
    ("Cloud credits", "Software", "200.00", True),
    ("Notebooks and pens", "Office Supplies", "17.45", False),
    ("Conference ticket", "Travel", "450.00", False),
    ("Monitor cable", "Office Supplies", "15.99", False),
    ("Dinner during release", "Meals", "96.30", False),
)


async def seed(session: AsyncSession, context: DemoContext) -> None:
    rng = random.Random(20260105)
    categories = {name: ExpenseCategory(workspace_id=context.workspace_id, name=name) for name in CATEGORIES}
    session.add_all(categories.values())
    await session.flush()

    members = list(context.member_ids) or [context.owner_id]
    projects: list[int | None] = [*context.project_ids, None]
    for index, (name, category, amount, billable) in enumerate(EXPENSES):
        session.add(
            Expense(
                workspace_id=context.workspace_id,
                user_id=members[index % len(members)],
                project_id=rng.choice(projects),
                category_id=categories[category].id,
                expense_name=name,
                expense_date=date(2026, 1, 5) + timedelta(days=rng.randint(0, 80)),
                amount=Decimal(amount),
                currency="USD",
                note=f"Demo expense: {name.lower()}.",
                is_billable=billable,
            )
        )
    await session.flush()
