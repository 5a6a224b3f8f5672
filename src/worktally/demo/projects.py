"""Demo projects, each with contracts for some of the demo members and a handful of assigned tasks."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from worktally.core.clock import utc_now
from worktally.db.models import Contract, Project, ProjectTag, Tag, Task, TaskAssignee
from worktally.demo import DemoContext
from worktally.task.rules import completed_at_after

# name, icon, billable, rate, tags
PROJECTS: tuple[tuple[str, str, bool, str | None, tuple[str, ...]], ...] = (
    ("Marketing Campaign Q1", "project-icon-1", True, "60.00", ("Marketing",)),
    ("Website Redesign", "project-icon-2", True, "85.00", ("Design", "Web")),
    ("Mobile App", "project-icon-3", True, "95.00", ("Web", "Mobile")),
    ("Customer Support", "project-icon-4", False, None, ("Support",)),
    ("Internal Tools", "project-icon-5", False, None, ("Internal",)),
    ("Data Migration", "project-icon-6", True, "70.00", ("Backend",)),
)
TAG_COLORS = {
    "Marketing": "#FF5733",
    "Design": "#8E44AD",
    "Web": "#2980B9",
    "Mobile": "#27AE60",
    "Support": "#F39C12",
    "Internal": "#7F8C8D",
    "Backend": "#C0392B",
}
TASK_TITLES = (
    "Kick-off meeting",
    "Write the brief",
    "Collect requirements",
    "First draft",
    "Review with the client",
    "Fix review comments",
    "Prepare release notes",
    "Final hand-over",
)
SCREENSHOT_MODES = ("full", "blurred", "no_screenshot", "background_blurred")


async def seed(session: AsyncSession, context: DemoContext) -> None:
    rng = random.Random(20240115)
    now = utc_now()
    members = list(context.member_ids) or [context.owner_id]

    tags: dict[str, Tag] = {}
    for name, color in TAG_COLORS.items():
        tags[name] = Tag(workspace_id=context.workspace_id, name=name, color=color)
    session.add_all(tags.values())
    await session.flush()

    start = date(2026, 1, 5)
    for index, (name, icon, billable, rate, tag_names) in enumerate(PROJECTS):
        project_start = start + timedelta(weeks=2 * index)
        project = Project(
            workspace_id=context.workspace_id,
            name=name,
            icon=icon,
            is_billable=billable,
            rate=Decimal(rate) if rate else None,
            start_date=project_start,
            deadline=project_start + timedelta(weeks=12),
            estimation=Decimal(rng.choice((80, 120, 160, 240))),
            budget_estimation=Decimal(rng.choice((5000, 8000, 12000, 20000))) if billable else None,
            notes=f"Demo project: {name}.",
            status=1,
            created_at=now,
            updated_at=now,
        )
        session.add(project)
        await session.flush()
        context.project_ids.append(project.id)
        session.add_all(ProjectTag(project_id=project.id, tag_id=tags[t].id) for t in tag_names)

        staffed = sorted(rng.sample(members, k=min(len(members), rng.randint(2, 4))))
        for user_id in staffed:
            contract = Contract(
                workspace_id=context.workspace_id,
                project_id=project.id,
                user_id=user_id,
                weekly_hours_limit=rng.choice((20, 30, 40, 168)),
                screenshots=rng.choice(SCREENSHOT_MODES),
                rate=Decimal(rng.choice((25, 35, 45, 55))) if billable else None,
                rate_type=1,
                status="active",
                created_at=now,
                updated_at=now,
            )
            session.add(contract)
            await session.flush()
            context.contract_ids.append(contract.id)

        for title in rng.sample(TASK_TITLES, k=rng.randint(3, 5)):
            status = rng.choice((0, 0, 10, 20, 30))
            task = Task(
                workspace_id=context.workspace_id,
                project_id=project.id,
                title=title,
                description=f"{title} for {name}.",
                status=status,
                priority=rng.choice((10, 20, 30, 30, 40)),
                start_date=project_start,
                end_date=project_start + timedelta(days=rng.randint(3, 30)),
                completed_at=completed_at_after(old_status=None, new_status=status, completed_at=None, now=now),
                owner_id=context.owner_id,
                creator_id=context.owner_id,
                created_at=now,
                updated_at=now,
            )
            session.add(task)
            await session.flush()
            context.task_ids.append(task.id)
            assignees = rng.sample(staffed, k=min(len(staffed), rng.randint(1, 2)))
            session.add_all(TaskAssignee(task_id=task.id, user_id=u, created_at=now) for u in sorted(assignees))
    await session.flush()
