"""Paging over many rows (D5) and no N+1: a page costs a constant number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.factories import Tenants, WorkspaceFixture
from worktally.core.clock import utc_now
from worktally.db.models import Contract, Project, ProjectTag, Tag, Task, TaskAssignee


async def bulk_projects(ws: WorkspaceFixture, count: int) -> list[int]:
    async with ws.tenants.sessionmaker() as session, session.begin():
        projects = [Project(workspace_id=ws.id, name=f"Project {i:04d}") for i in range(count)]
        session.add_all(projects)
        await session.flush()
        return [p.id for p in projects]


async def bulk_structure(ws: WorkspaceFixture, count: int) -> None:
    """``count`` projects, each with two tags, a contract for the owner and a task assigned to the owner."""
    now = utc_now()
    owner = ws.owner.user_id
    async with ws.tenants.sessionmaker() as session, session.begin():
        tags = [Tag(workspace_id=ws.id, name=f"tag-{i}") for i in range(2)]
        projects = [Project(workspace_id=ws.id, name=f"Project {i:04d}") for i in range(count)]
        session.add_all([*tags, *projects])
        await session.flush()
        session.add_all(ProjectTag(project_id=p.id, tag_id=t.id) for p in projects for t in tags)
        session.add_all(Contract(workspace_id=ws.id, project_id=p.id, user_id=owner) for p in projects)
        tasks = [
            Task(workspace_id=ws.id, project_id=p.id, title="Task", owner_id=owner, creator_id=owner) for p in projects
        ]
        session.add_all(tasks)
        await session.flush()
        session.add_all(TaskAssignee(task_id=t.id, user_id=owner, created_at=now) for t in tasks)


@contextmanager
def counting_statements(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class TestPagingProjects:
    async def test_pages_over_a_thousand_projects_see_every_id_once(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        ids = await bulk_projects(ws, 1000)

        seen: list[int] = []
        page = 1
        while True:
            response = await ws.owner.api.get("/projects", params={"page": page, "per_page": 100})
            body = response.json()
            seen.extend(p["id"] for p in body["data"])
            if page >= body["meta"]["pagination"]["last_page"]:
                break
            page += 1

        assert page == 10
        assert seen == sorted(ids)
        assert body["meta"]["pagination"]["total"] == 1000

    async def test_an_uneven_page_size_still_sees_every_id_once(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        ids = await bulk_projects(ws, 1000)

        seen: list[int] = []
        for page in range(1, 29):
            response = await ws.owner.api.get("/projects", params={"page": page, "per_page": 37})
            seen.extend(p["id"] for p in response.json()["data"])

        assert len(seen) == len(set(seen)) == 1000
        assert set(seen) == set(ids)


class TestStatementCounts:
    @pytest.mark.parametrize("path", ["/projects", "/contracts", "/tasks"])
    async def test_a_page_of_a_hundred_costs_as_many_statements_as_a_page_of_one(
        self, tenants: Tenants, app: Any, path: str
    ) -> None:
        ws = await tenants.workspace()
        await bulk_structure(ws, 100)
        await ws.owner.api.get(path, params={"per_page": 1})  # warm up: token last-use and caches

        with counting_statements(app) as small:
            one = await ws.owner.api.get(path, params={"per_page": 1})
        with counting_statements(app) as large:
            hundred = await ws.owner.api.get(path, params={"per_page": 100})

        assert len(one.json()["data"]) == 1
        assert len(hundred.json()["data"]) == 100
        assert len(large) == len(small)
        assert len(large) <= 12, large

    async def test_a_page_of_projects_carries_tags_and_counts(self, tenants: Tenants) -> None:
        ws = await tenants.workspace()
        await bulk_structure(ws, 100)

        response = await ws.owner.api.get("/projects", params={"per_page": 100})

        assert all(len(p["tags"]) == 2 and p["contracts_count"] == 1 for p in response.json()["data"])
