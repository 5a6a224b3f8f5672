"""``worktally demo``: a demo workspace to try the API against.

Each domain adds its data with a seeder module here (``structure``, ``time``, ...); ``SEEDERS`` runs
them in order. A seeder takes the session and the context and must be deterministic (a fixed
``random.Random`` seed), so the demo looks the same every time.
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


Seeder = Callable[[AsyncSession, DemoContext], Awaitable[None]]
SEEDERS: list[Seeder] = []
