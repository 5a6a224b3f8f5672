"""``worktally demo``: a demo workspace to try the API against.

Each domain adds its data in its own module here; ``SEEDERS`` runs them in order. A seeder takes the
session and the shared context, must be deterministic (a fixed ``random.Random`` seed) and fills the
context for the seeders after it (members, projects, contracts).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class DemoContext:
    workspace_id: int
    owner_id: int
    member_ids: list[int] = field(default_factory=list)
    project_ids: list[int] = field(default_factory=list)
    contract_ids: list[int] = field(default_factory=list)
    task_ids: list[int] = field(default_factory=list)


Seeder = Callable[[AsyncSession, DemoContext], Awaitable[None]]


def seeders() -> list[Seeder]:
    from worktally.demo import expenses, leaves, people, projects, time

    return [people.seed, projects.seed, time.seed, leaves.seed, expenses.seed]
